"""Independent replications of a deployment, and 95% confidence intervals of the figures users act on."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import get_type_hints

from simulator.core.rng import replication_seed
from simulator.core.stats import mean_ci95
from simulator.engine.result import Result
from simulator.engine.simulate import simulate
from simulator.execution.executors import Executor, SerialExecutor
from simulator.execution.replications import Replication
from simulator.metrics.parts import Part
from simulator.metrics.summary_types import Summary
from simulator.rollout.outcome import RolloutOutcome, rollout_outcome
from simulator.scenario.kinds import RolloutScenario

LOWER_BOUNDS: dict[str, float | None] = {"excess_hurt": None}
"""The least value of each figure: 0 (times, counts, costs) unless named here; excess_hurt is green's
hurt requests minus blue's share of them, which can be negative."""


Estimate = dict[str, float | None]
"""A figure's {mean, ci95_low, ci95_high} over the replications where it exists (all None where none)."""


@dataclass(frozen=True)
class RolloutSummary(Part):
    """rollout.json's `summary`: outcome counts, then each of INTERVAL_FIGURES with its 95% CI."""

    replications: int
    rolled_back: int
    completed: int
    rollback_share: float
    reached_full_traffic: int
    alarm_s: Estimate
    rollback_s: Estimate
    green_terminated_s: Estimate
    exposure_s: Estimate
    green_requests: Estimate
    hurt_requests: Estimate
    excess_hurt: Estimate
    double_fleet_cost_usd: Estimate
    total_cost_usd: Estimate

    def figure(self, name: str) -> Estimate:
        """One of INTERVAL_FIGURES by name, for tables that list them all."""
        estimate: Estimate = getattr(self, name)
        return estimate


INTERVAL_FIGURES = tuple(name for name, kind in get_type_hints(RolloutSummary).items() if kind == Estimate)
"""Figures given as mean and 95% CI (over the replications where they exist, e.g. rolled back)."""


@dataclass(frozen=True)
class RolloutRuns:
    """Replication 0 in full (for the timeline and plots) and every replication's outcome."""

    first: Result
    outcomes: list[RolloutOutcome]
    summaries: list[Summary]
    """Every replication's endpoint summary (the `sagesim run` figures), for the report's headline table."""

    @cached_property
    def summary(self) -> RolloutSummary:
        """Outcome counts plus mean/CI of each interval figure (computed once: report, JSON and console)."""
        outcomes = self.outcomes
        rolled_back = sum(outcome.outcome == "rolled back" for outcome in outcomes)
        return RolloutSummary(
            replications=len(outcomes),
            rolled_back=rolled_back,
            completed=sum(outcome.outcome == "completed" for outcome in outcomes),
            rollback_share=rolled_back / len(outcomes),
            reached_full_traffic=sum(outcome.reached_full_traffic for outcome in outcomes),
            **{
                name: mean_ci95(
                    [getattr(outcome, name) for outcome in outcomes], lower=LOWER_BOUNDS.get(name, 0.0)
                )
                for name in INTERVAL_FIGURES
            },
        )


def _outcome_of(task: Replication) -> tuple[RolloutOutcome, Summary]:
    result = simulate(task.scenario, task.seed)
    return rollout_outcome(result), result.summary


def replicate_rollout(
    scenario: RolloutScenario, replications: int, executor: Executor | None = None
) -> RolloutRuns:
    """Replication i always gets the same seed whatever the executor, so results are reproducible."""
    first = simulate(scenario, replication_seed(scenario.seed, 0))
    rest = (executor or SerialExecutor()).map(
        _outcome_of, [Replication(scenario, i) for i in range(1, replications)]
    )
    return RolloutRuns(
        first=first,
        outcomes=[rollout_outcome(first), *(outcome for outcome, _ in rest)],
        summaries=[first.summary, *(summary for _, summary in rest)],
    )
