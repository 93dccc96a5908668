"""A training job's summary.json as frozen types: built once (`summarize_training`), read by attribute.

`as_dict()` is the file: field order is key order; the deadline figures and the on-demand percentages
are left out when the job has no deadline, or the on-demand job no cost or time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.metrics.parts import OPTIONAL, Interval, Part


@dataclass(frozen=True)
class Spread(Interval):
    """A figure over replications (`training.stats.describe`): mean, CI, spread and quantiles."""

    std: float
    min: float
    p50: float
    p90: float
    p95: float
    p99: float
    max: float


@dataclass(frozen=True)
class Endings(Part):
    """How likely each SecondaryStatus (and a missed deadline) is, with Wilson intervals."""

    completed: Interval
    max_wait_exceeded: Interval
    max_runtime_exceeded: Interval
    deadline_missed: Interval | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class OnDemand(Part):
    """The same job without spot: one deterministic run, so plain numbers."""

    completion_time_s: float
    training_time_s: float
    billable_time_s: float
    runtime_s: float
    savings_pct: float
    cost_usd: float
    cost_on_demand_usd: float
    interruptions: float
    checkpoints: float
    lost_work_s: float
    capacity_wait_s: float
    status: str


@dataclass(frozen=True)
class SideBySide(Part):
    spot: Interval
    on_demand: float


@dataclass(frozen=True)
class Comparison(Part):
    """Means side by side, and per-replication saving and slow-down against the on-demand job."""

    completion_time_s: SideBySide
    training_time_s: SideBySide
    billable_time_s: SideBySide
    cost_usd: SideBySide
    cost_saving_vs_on_demand_pct: Interval | None = field(default=None, metadata=OPTIONAL)
    extra_time_vs_on_demand_pct: Interval | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True, kw_only=True)
class TrainingSummary(Part):
    """summary.json of a training job: the spot replications, then the same job on demand."""

    kind: str = "training_job"
    replications: int
    instance_type: str
    instance_count: int
    spot: bool
    spot_discount: float
    work_s: float
    job_mtbf_s: float | None
    max_runtime_s: float
    max_wait_s: float | None
    completion_time_s: Spread
    training_time_s: Spread
    billable_time_s: Spread
    runtime_s: Spread
    savings_pct: Spread
    cost_usd: Spread
    cost_on_demand_usd: Spread
    interruptions: Spread
    checkpoints: Spread
    lost_work_s: Spread
    capacity_wait_s: Spread
    deadline_s: float | None = field(default=None, metadata=OPTIONAL)
    deadline_miss_probability: float | None = field(default=None, metadata=OPTIONAL)
    probabilities: Endings
    completed_fraction: float
    max_wait_exceeded_fraction: float
    max_runtime_exceeded_fraction: float
    on_demand: OnDemand
    spot_vs_on_demand: Comparison
