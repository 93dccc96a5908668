"""Independent replications of one scenario, combined into 95% confidence intervals."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from simulator.core.rng import replication_seed
from simulator.engine.result import Result
from simulator.engine.simulate import ProgressCallback, simulate
from simulator.execution.executors import Done, Executor, SerialExecutor
from simulator.metrics.serving import LEGACY_NOTE
from simulator.metrics.summary_types import Summary, combine, mean_of
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.kinds import EndpointScenario
from simulator.scenario.profile_note import profile_notes


@dataclass(frozen=True)
class Replicated:
    """Replication 0 in full (for series and plots) plus every replication's summary."""

    first: Result
    summaries: list[Summary]

    @cached_property
    def combined(self) -> dict[str, Any]:
        """Every figure's mean and 95% interval (combined once: summary.json, report and console read it)."""
        return combine(self.summaries)

    @cached_property
    def notes(self) -> list[str]:
        """What summary.json and the terminal add beside the figures: Elastic Inference is legacy; a
        calibration profile runs where it cannot vouch for itself (`profile_note`)."""
        scenario = self.first.scenario
        variants = scenario.endpoint.variants if scenario.endpoint else []
        legacy = [LEGACY_NOTE] if any(v.accelerator_type for v in variants) else []
        return legacy + profile_notes(scenario, scenario_catalog(scenario))

    def document(self) -> dict[str, Any]:
        """summary.json content: single-run figures, or replication means plus `replications` with CIs."""
        summary = mean_of(self.summaries).as_dict()
        if len(self.summaries) > 1:
            summary["replications"] = {"n": len(self.summaries), **self.combined}
        if self.notes:
            summary["notes"] = self.notes
        return summary


@dataclass(frozen=True)
class Replication:
    """Replication `index` of a scenario: the seed spawned from the scenario's seed at that index."""

    scenario: EndpointScenario
    index: int

    @property
    def seed(self) -> np.random.SeedSequence:
        return replication_seed(self.scenario.seed, self.index)


def summary_of(task: Replication) -> Summary:
    """The summary of one replication (a picklable task for any executor)."""
    return simulate(task.scenario, task.seed).summary


def replicate(
    scenario: EndpointScenario,
    replications: int,
    executor: Executor | None = None,
    on_done: Done | None = None,
    on_progress: ProgressCallback | None = None,
) -> Replicated:
    """Run `replications` seeds spawned from the scenario seed; replication i always gets the same seed.

    Replication 0 runs here (its full Result is kept) and reports simulated-time progress to
    `on_progress`; the others go to the executor, which returns only their summaries.
    """
    first = simulate(scenario, replication_seed(scenario.seed, 0), progress=on_progress)
    if on_done:
        on_done(1)
    rest = [Replication(scenario, index) for index in range(1, replications)]
    shifted = (lambda count: on_done(count + 1)) if on_done else None
    others = (executor or SerialExecutor()).map(summary_of, rest, shifted)
    return Replicated(first=first, summaries=[first.summary, *others])
