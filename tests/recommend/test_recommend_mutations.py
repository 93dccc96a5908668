"""Hypothesis-mutated recommender examples never give a traceback: a one-line error, or a valid job."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.errors import ScenarioError
from simulator.recommend.job import job_candidates
from simulator.scenario import load_scenario_dict
from tests.recommend.jobs import ROOT
from tests.test_mutations import mutate

EXAMPLES = {
    path.stem: yaml.safe_load(path.read_text())
    for path in sorted((ROOT / "scenarios").glob("recommend-*.yaml"))
}


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    document = copy.deepcopy(EXAMPLES[draw(st.sampled_from(sorted(EXAMPLES)))])
    return mutate(draw, document, root="recommend")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_recommend_jobs_fail_cleanly_or_list_candidates(document: dict[str, Any]) -> None:
    try:
        scenario = load_scenario_dict(document, base_dir=ROOT / "scenarios")
    except ScenarioError as error:
        line = error.one_line()
        assert line.startswith("error: ") and "\n" not in line
        return
    candidates, _ = job_candidates(scenario)
    assert len({c.id for c in candidates}) == len(candidates)
