"""The scenarios/data fraud-scorer documents, and running `sagesim import` on (changed) copies of them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

Cli = Callable[..., tuple[int, str, str]]
DATA = ROOT / "scenarios" / "data"
FILES = {  # option -> fixture file
    "--endpoint-config": "fraud-scorer-endpoint-config.json",
    "--scalable-targets": "fraud-scorer-scalable-targets.json",
    "--scaling-policies": "fraud-scorer-scaling-policies.json",
    "--alarms": "fraud-scorer-alarms.json",
    "--metrics": "fraud-scorer-invocations.json",
}
SERVICE_TIME = "{distribution: lognormal, median: 25ms, p99: 80ms}"


def documents() -> dict[str, Any]:
    """A fresh copy of every fixture, by option."""
    return {option: json.loads((DATA / name).read_text()) for option, name in FILES.items()}


def run_import(
    cli: Cli, tmp_path: Path, docs: dict[str, Any] | None = None, *extra: Any, out: str = "out"
) -> tuple[int, str, str]:
    """`sagesim import` on `docs` (default: the fixtures; an option mapped to None is left out)."""
    docs = documents() if docs is None else copy.deepcopy(docs)
    arguments: list[Any] = []
    for option, document in docs.items():
        if document is None:
            continue
        path = tmp_path / f"{option.strip('-')}.json"
        path.write_text(json.dumps(document))
        arguments += [option, path]
    if "--service-time" not in extra and "--model-profile" not in extra:
        arguments += ["--service-time", SERVICE_TIME]
    return cli("import", *arguments, *extra, "--out", tmp_path / out)
