"""summary.json's contract: a JSON Schema generated from the summary types, committed in docs/, and
checked with the third-party `jsonschema` validator against what runs really write."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from simulator.metrics.summary_schema import summary_json_schema
from simulator.scenario import load_scenario
from simulator.scenario.kinds import Kind
from tests.conftest import ROOT

COMMITTED = ROOT / "docs" / "summary.schema.json"
ENDPOINT_GOLDENS = [
    ROOT / "tests" / "golden" / f"{path.stem}.json"
    for path in sorted((ROOT / "scenarios").glob("*.yaml"))
    if load_scenario(path).kind is Kind.ENDPOINT
]
Cli = Callable[..., tuple[int, str, str]]


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(summary_json_schema())


def test_the_committed_schema_is_the_generated_one() -> None:
    """docs/summary.schema.json cannot drift from the types: rewrite it with `sagesim schema --of summary`."""
    jsonschema.Draft202012Validator.check_schema(summary_json_schema())
    assert json.loads(COMMITTED.read_text()) == summary_json_schema()


@pytest.mark.parametrize("golden", ENDPOINT_GOLDENS, ids=[p.stem for p in ENDPOINT_GOLDENS])
def test_every_endpoint_golden_fits_the_schema(golden: Path) -> None:
    errors = [error.message for error in _validator().iter_errors(json.loads(golden.read_text()))]
    assert errors == []


def test_a_replicated_cli_run_fits_the_schema_the_cli_prints(cli: Cli, tmp_path: Path) -> None:
    code, _, _ = cli("schema", "--of", "summary", "--out", tmp_path / "schema")
    assert code == 0
    schema = json.loads((tmp_path / "schema" / "summary.schema.json").read_text())
    code, _, err = cli(
        "run", ROOT / "scenarios" / "quickstart.yaml", "--out", tmp_path / "run", "--replications", "2",
        "--set", "duration=120", "--set", "warmup=10", "--quiet",
    )  # fmt: skip
    assert code == 0, err
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["replications"]["n"] == 2
    jsonschema.Draft202012Validator(schema).validate(summary)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda s: s.pop("engine"), "engine"),
        (lambda s: s["latency_ms"].update(p99="fast"), "p99"),
        (lambda s: s["variants"]["blue"]["requests"].pop("arrived"), "arrived"),
        (lambda s: s.update(replications={"requests": {}}), "n"),
        (lambda s: s.update(replications={"n": 2, "error_rate": {"mean": 0.1}}), "error_rate"),
        (lambda s: s["cost_usd"].update(per_hour=1.0), "per_hour"),
    ],
    ids=[
        "no-engine",
        "text-latency",
        "variant-without-arrivals",
        "replications-without-n",
        "bare-interval",
        "unknown-key",
    ],
)
def test_a_broken_summary_is_refused(change: Callable[[dict[str, Any]], Any], where: str) -> None:
    summary = json.loads((ROOT / "tests" / "golden" / "quickstart.json").read_text())
    summary["variants"] = {"blue": next(iter(summary["variants"].values()))}
    summary.pop("replications", None)
    assert list(_validator().iter_errors(summary)) == []
    change(summary)
    errors = list(_validator().iter_errors(summary))
    assert errors, "the schema accepted a broken summary"
    assert any(where in json.dumps(list(e.absolute_path)) + e.message for e in errors)
