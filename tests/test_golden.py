"""Every example scenario reproduces its saved summary (golden files; `make golden` rewrites them)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simulator.execution.executors import SerialExecutor
from simulator.execution.replications import replicate
from simulator.options import compare_options
from simulator.report.rollout_report import rollout_document
from simulator.rollout.replications import replicate_rollout
from simulator.scenario import load_scenario
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.kinds import Kind
from simulator.training_analysis import run_replications, summarize_training, transform_replications
from tests.recommend.jobs import example_job, job_summary

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def _recommend(scenario: Any, path: Path) -> Any:
    return job_summary(example_job(path.stem))


def _rollout(scenario: Any, path: Path) -> Any:
    return rollout_document(replicate_rollout(scenario, scenario.replications, SerialExecutor()), None)


def _training(scenario: Any, path: Path) -> Any:
    catalog = scenario_catalog(scenario)
    runs = run_replications(scenario.training_job, catalog, scenario.seed, scenario.replications)
    return summarize_training(scenario.training_job, catalog, runs).as_dict()


def _endpoint(scenario: Any, path: Path) -> Any:
    return replicate(scenario, scenario.replications, SerialExecutor()).document()


SUMMARIES: dict[Kind, Callable[[Any, Path], Any]] = {
    Kind.ENDPOINT: _endpoint,
    Kind.ROLLOUT: _rollout,
    Kind.OPTIONS: lambda scenario, path: compare_options(scenario).summary.as_dict(),
    Kind.TRAINING_JOB: _training,
    Kind.BATCH_TRANSFORM: lambda scenario, path: transform_replications(
        scenario, scenario.replications
    ).as_dict(),
    Kind.RECOMMEND: _recommend,
}
"""What each kind's golden file holds: the summary its command writes (for a rollout, the rollout.json
of `sagesim rollout`; for a recommend job, the job summary)."""


def golden_summary(path: Path) -> dict[str, Any]:
    """The saved summary of one example scenario, as plain JSON data."""
    scenario = load_scenario(path)
    return json.loads(json.dumps(SUMMARIES[scenario.kind](scenario, path)))


def assert_same(actual: Any, expected: Any, where: str = "summary") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), where
        for key in expected:
            assert_same(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-12), where
    else:
        assert actual == expected, where


SLOW_GOLDENS = {
    "ab-rollout",
    "quickstart",
    "canary-rollback",
    "closed-loop-phases",
    "autoscaling-diurnal",
    "recommend-default",
    "recommend-today",
    "recommend-advanced",
    "pipeline-3-stage",
    "gpu-vs-eia-vs-cpu",
}


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=pytest.mark.slow) if p.stem in SLOW_GOLDENS else p for p in SCENARIOS],
    ids=[p.stem for p in SCENARIOS],
)
def test_example_scenario_matches_golden(path: Path) -> None:
    summary = golden_summary(path)
    golden = GOLDEN / f"{path.stem}.json"
    assert golden.exists(), f"no golden file for {path.name}: run `make golden`"
    assert_same(summary, json.loads(golden.read_text()))
