"""Reading the AWS documents an import starts from, each checked against its botocore response shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.aws.shapes import output_errors
from simulator.errors import ScenarioError
from simulator.inputs import MAX_DOCUMENT_BYTES, load_json, read_text


def check_response(document: Any, service: str, operation: str, option: str) -> dict[str, Any]:
    """`document` if it is a valid `operation` response (as the AWS CLI prints it), else a ScenarioError
    naming `option` and the first JSON path that departs from botocore's shape."""
    problems = output_errors(service, operation, document, option)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ScenarioError(option, f"not a {operation} response: {problems[0]}{more}")
    assert isinstance(document, dict)
    return document


def read_response(
    path: Path, service: str, operation: str, option: str, limit: int = MAX_DOCUMENT_BYTES
) -> dict[str, Any]:
    """The JSON file at `path` (at most `limit` bytes), checked as an `operation` response."""
    return check_response(load_json(read_text(path, option, limit), option), service, operation, option)


def refuse(option: str, path: str, reason: str) -> ScenarioError:
    """The one-line error for a setting we cannot simulate: `option: JSON.path: reason`."""
    return ScenarioError(option, f"{path}: {reason}")
