"""`engine: fast` on a recommender job: refused before any trial when some run would need SimPy."""

from __future__ import annotations

from simulator.engine.choice import check_engine
from simulator.errors import ScenarioError
from simulator.recommend.candidates import Candidate, job_candidates, trial_scenario
from simulator.recommend.fleet import fleet_scenario, size_fleet
from simulator.scenario.kinds import EndpointScenario, RecommendScenario, Scenario
from simulator.scenario.recommend_spec import JobType


def check_job_engine(scenario: Scenario) -> None:
    """Every trial of the job, and every fleet it may size, must be a run the fast engine takes: static
    fleets or a lone serverless or staged variant under open-loop load, or a fleet autoscaled on
    arrivals (which fleet sizing's InvocationsPerInstance policy is)."""
    if scenario.engine != "fast" or not isinstance(scenario, RecommendScenario):
        return
    if scenario.recommend.job_type is JobType.ADVANCED:
        raise ScenarioError(
            "engine", "the fast engine cannot run this job: an Advanced job load-tests with closed-loop users"
        )
    candidates, _ = job_candidates(scenario)
    for candidate in candidates:
        _check(candidate, trial_scenario(scenario, candidate, {"process": "poisson", "rate": 1.0}, 60.0, 0.0))
    sizing = scenario.recommend.fleet_sizing
    if sizing is None:
        return
    for candidate in candidates:
        if candidate.is_serverless:
            continue
        # which engine a fleet needs depends on its variant, not on its size: any plan tells
        plan = size_fleet(candidate, 60 * candidate.instance_count, sizing)
        for autoscaled in (True, False):
            _check(candidate, fleet_scenario(scenario, plan, autoscaled), "fleet sizing of ")


def _check(candidate: Candidate, run: EndpointScenario, role: str = "") -> None:
    try:
        check_engine(run)
    except ScenarioError as error:
        reason = error.reason.replace("this scenario", f"{role}candidate {candidate.id}")
        raise ScenarioError("engine", reason) from None
