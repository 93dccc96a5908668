"""`engine: fast` on a recommender job: refused before any trial when some trial would need SimPy."""

from __future__ import annotations

from simulator.engine.choice import check_engine
from simulator.errors import ScenarioError
from simulator.recommend.candidates import trial_scenario
from simulator.recommend.job import job_candidates
from simulator.scenario.kinds import RecommendScenario, Scenario
from simulator.scenario.recommend_spec import JobType


def check_job_engine(scenario: Scenario) -> None:
    """Every trial of the job must be one the fast engine runs (static fleets or serverless, open loop)."""
    if scenario.engine != "fast" or not isinstance(scenario, RecommendScenario):
        return
    if scenario.recommend.job_type is JobType.ADVANCED:
        raise ScenarioError(
            "engine", "the fast engine cannot run this job: an Advanced job load-tests with closed-loop users"
        )
    if scenario.recommend.fleet_sizing is not None:
        raise ScenarioError(
            "engine",
            "the fast engine cannot run this job: recommend.fleet_sizing simulates autoscaled fleets",
        )
    candidates, _ = job_candidates(scenario)
    for candidate in candidates:
        try:
            check_engine(trial_scenario(scenario, candidate, {"process": "poisson", "rate": 1.0}, 60.0, 0.0))
        except ScenarioError as error:
            reason = error.reason.replace("this scenario", f"candidate {candidate.id}")
            raise ScenarioError("engine", reason) from None
