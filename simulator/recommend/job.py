"""A whole recommender job: candidates -> executor -> ranked recommendations (-> sized fleets).

The executor only ever sees module-level functions (the job-wide argument bound by functools.partial)
and plain data, so a process pool and a Dask cluster run exactly the same work; every outcome passes
through its JSON form, so a resumed job and an uninterrupted one produce identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from simulator.execution.executors import Done, Executor, SerialExecutor
from simulator.execution.replications import Replication
from simulator.recommend.advanced import run_load_test
from simulator.recommend.candidates import Candidate, job_candidates
from simulator.recommend.fleet import (
    combine,
    estimated_cost_per_day,
    fleet_scenario,
    simulate_fleet,
    size_fleet,
)
from simulator.recommend.ranking import Recommendation, rank, recommendations
from simulator.recommend.search import OUTCOME, Outcome, search_candidate
from simulator.recommend.store import CandidateStore
from simulator.scenario.kinds import RecommendScenario
from simulator.scenario.recommend_spec import JobType

StageHook = Callable[[str, int], None]
"""Called as each stage starts with its name and how many tasks it has ('search', 'fleet sizing')."""


@dataclass
class JobResult:
    """Everything a job found; writers and notebooks read it."""

    scenario: RecommendScenario
    outcomes: list[Outcome]
    excluded: list[tuple[str, str]]
    ranked: list[Outcome]
    """The candidates meeting the SLO, cheapest per inference first."""
    fleet: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recommendations(self) -> list[Recommendation]:
        """The ranked candidates as the service's InferenceRecommendations (with sagesim's figures)."""
        slo = self.scenario.recommend.slo()
        assert slo is not None
        return recommendations(self.ranked, slo)


def evaluate_candidate(scenario: RecommendScenario, candidate: Candidate) -> dict[str, Any]:
    """Executor task (the job's scenario bound first): search (default job) or load-test (advanced job) one
    candidate; its outcome as plain data for the executor and the store (a tuple becomes a JSON list)."""
    if scenario.recommend.job_type is JobType.ADVANCED:
        return asdict(run_load_test(scenario, candidate))
    return asdict(search_candidate(scenario, candidate))


def _search_cost(candidate: Candidate) -> int:
    """A rank of how long a candidate's search takes: serverless trials warm up over more requests,
    Elastic Inference ones run two stages per request; the order of work never changes a result."""
    return 2 if candidate.is_serverless else 1 if candidate.accelerator_type else 0


def run_job(
    scenario: RecommendScenario,
    executor: Executor | None = None,
    store: CandidateStore | None = None,
    resume: bool = False,
    on_done: Done | None = None,
    on_stage: StageHook | None = None,
) -> JobResult:
    """Evaluate every candidate not already finished in `store`, rank them, size fleets if asked.

    `on_stage` hears each stage start; `on_done` hears how many tasks of the current stage are done.
    """
    executor = executor or SerialExecutor()
    spec = scenario.recommend
    candidates, excluded = job_candidates(scenario)
    finished = store.start(resume) if store is not None else {}
    # the slowest searches first, so no long one starts last while the other workers sit idle
    remaining = sorted((c for c in candidates if c.id not in finished), key=_search_cost, reverse=True)
    done_before = len(candidates) - len(remaining)
    if on_stage:
        on_stage("search", len(candidates))
    if on_done and done_before:
        on_done(done_before)

    def keep(index: int, outcome: dict[str, Any]) -> None:
        if store is not None:
            store.save(remaining[index].id, outcome)

    with executor if isinstance(executor, AbstractContextManager) else nullcontext():  # one pool, both stages
        fresh = executor.map(
            partial(evaluate_candidate, scenario),
            remaining,
            on_done=(lambda count: on_done(done_before + count)) if on_done else None,
            on_result=keep,
        )
        by_id = {**finished, **{c.id: o for c, o in zip(remaining, fresh, strict=True)}}
        outcomes = [OUTCOME.validate_python(by_id[c.id]) for c in candidates]
        result = JobResult(scenario, outcomes, excluded, rank(outcomes))
        if spec.fleet_sizing is not None:
            result.fleet = size_fleets(scenario, result, executor, on_done, on_stage)
    return result


def size_fleets(
    scenario: RecommendScenario,
    result: JobResult,
    executor: Executor,
    on_done: Done | None = None,
    on_stage: StageHook | None = None,
) -> list[dict[str, Any]]:
    """Plans for the best instance-based recommendations, each simulated autoscaled and static."""
    spec = scenario.recommend
    assert spec.fleet_sizing is not None
    sizing = spec.fleet_sizing
    slo = spec.slo()
    assert slo is not None
    chosen = [r for r in result.recommendations if not r.candidate.is_serverless]
    planned = [size_fleet(r.candidate, r.outcome.max_invocations, sizing) for r in chosen]
    estimates = {
        plan.candidate.id: estimated_cost_per_day(plan, sizing, r.best.cost_per_hour)
        for r, plan in zip(chosen, planned, strict=True)
    }
    plans = sorted(planned, key=lambda plan: (estimates[plan.candidate.id], plan.candidate.id))[: sizing.top]
    tasks = [
        Replication(fleet_scenario(scenario, plan, autoscaled), replication)
        for plan in plans
        for autoscaled in (True, False)
        for replication in range(sizing.replications)
    ]
    if on_stage:
        on_stage("fleet sizing", len(tasks))
    figures = executor.map(partial(simulate_fleet, slo), tasks, on_done=on_done)
    count = sizing.replications
    runs = [figures[start : start + count] for start in range(0, len(figures), count)]  # in the tasks' order
    return [
        {
            "candidate": plan.candidate.id,
            "instance_type": plan.candidate.instance_type,
            "max_rps_per_instance": plan.max_rps_per_instance,
            "estimated_cost_per_day_usd": estimates[plan.candidate.id],
            "policy": {
                "metric": "SageMakerVariantInvocationsPerInstance",
                "target_value": plan.target_invocations_per_instance,
                "safety_factor": sizing.safety_factor,
                "min_capacity": plan.min_capacity,
                "max_capacity": plan.max_capacity,
                "initial_instance_count": plan.initial_count,
                "scale_in_cooldown_s": sizing.scale_in_cooldown,
                "scale_out_cooldown_s": sizing.scale_out_cooldown,
            },
            "static_instance_count": plan.static_count,
            "autoscaled": combine(runs[2 * number]),
            "static": combine(runs[2 * number + 1]),
        }
        for number, plan in enumerate(plans)
    ]
