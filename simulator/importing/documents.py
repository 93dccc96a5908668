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


def screen(
    block: dict[str, Any],
    prefix: str,
    option: str,
    simulated: set[str],
    no_bearing: set[str],
    refused: dict[str, str],
) -> list[str]:
    """Every key of `block` is simulated, of no bearing (returned, as `prefix + key`, for a note) or refused
    with its reason; a key in none of them (from a newer service model) is refused too: none is dropped."""
    noted = []
    for key in block:
        if key in refused:
            raise refuse(option, f"{prefix}{key}", refused[key])
        if key in no_bearing:
            noted.append(f"{prefix}{key}")
        elif key not in simulated:
            raise refuse(option, f"{prefix}{key}", "not simulated (sagesim does not know this setting)")
    return noted


def no_more_pages(document: dict[str, Any] | None, option: str) -> None:
    """Refuse one page of a paginated response: what the other pages hold would be missing."""
    if document is not None and "NextToken" in document:
        raise refuse(
            option, "NextToken", "more pages follow: save every page (the AWS CLI's default) and retry"
        )
