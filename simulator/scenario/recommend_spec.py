"""The `recommend:` section of a scenario: an Inference Recommender job, default or advanced.

Defaults and readings we chose (documented in README "Inference Recommender"):
- The SLO is a ModelLatency percentile (P95 or P99: the only ones the service accepts) and an error
  bound (fewer than 1% failed or throttled invocations, as the default job's ramp stops at 1%).
- A default job's candidates are every catalog hosting type (CPU and GPU), each CPU type with every
  Elastic Inference accelerator asked for, and serverless memory sizes; filters narrow the list.
- The search measures open-loop Poisson load of `requests_per_trial` requests in each of
  `replications` common-random-number replications; a rate is sustainable when the mean over
  replications of the percentile is within the threshold and the pooled error rate below the bound.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from simulator.scenario.common import StrictModel, cased
from simulator.scenario.distributions import Distribution
from simulator.scenario.scaling import MemoryMB
from simulator.scenario.traffic import (
    DiurnalArrivals,
    Phase,
    PoissonArrivals,
    ScheduleArrivals,
    Stairs,
    TraceArrivals,
    pattern_problem,
)
from simulator.scenario.units import Duration

MAX_ENDPOINT_CONFIGURATIONS = 10
MAX_JOB_SECONDS = 18000.0


class JobType(StrEnum):
    DEFAULT = "Default"
    ADVANCED = "Advanced"


class LatencyThreshold(StrictModel):
    """ModelLatencyThresholds entry: `percentile` P95 | P99 of ModelLatency must stay within `value`."""

    percentile: Annotated[Literal["P95", "P99"], cased(str.upper)]
    value: Duration = Field(gt=0, le=3600)

    @property
    def key(self) -> str:
        """The summary key of this percentile: 'p95' or 'p99'."""
        return self.percentile.lower()


class CandidateSpace(StrictModel):
    """Which endpoint configurations a default job tries (each with `instance_count` instances)."""

    instance_types: list[str] | None = Field(default=None, min_length=1, description="default: all")
    families: list[str] | None = Field(default=None, min_length=1, description="e.g. [c5, m5, g4dn]")
    include_gpu: bool = True
    accelerators: list[str] = Field(
        default_factory=list, description="Elastic Inference types to attach to CPU candidates"
    )
    accelerator_hosts: list[str] | None = Field(
        default=None, min_length=1, description="CPU instance types that get the accelerators (default: all)"
    )
    serverless_memory_mb: list[int] = Field(default_factory=lambda: [2048, 4096, 6144])
    serverless_max_concurrency: int = Field(strict=True, default=50, ge=1, le=200)
    instance_count: int = Field(strict=True, default=1, ge=1, le=100)
    max_price_per_hour: float | None = Field(
        default=None,
        gt=0,
        description="leave out instance candidates (with their accelerators) priced above this many USD per"
        " hour; serverless bills per use, not per hour (serverless_memory_mb: [] leaves it out)",
    )

    @field_validator("serverless_memory_mb")
    @classmethod
    def _tiers(cls, sizes: list[int]) -> list[int]:
        for size in sizes:
            if size % 1024 or not 1024 <= size <= 6144:
                raise ValueError(f"serverless memory must be one of 1024, 2048, ... 6144 MB, got {size}")
        return sizes


class SearchSpec(StrictModel):
    """How hard each trial measures: more requests or replications narrow the CI, cost time."""

    requests_per_trial: int = Field(strict=True, default=20000, ge=1000, le=10_000_000)
    replications: int = Field(strict=True, default=3, ge=1, le=50)
    tolerance: float = Field(
        default=0.02, ge=0.001, le=0.25, description="relative width of the final bracket"
    )
    warmup_fraction: float = Field(default=0.1, ge=0, lt=0.9)
    max_trials: int = Field(strict=True, default=40, ge=4, le=200)


class ServerlessConfiguration(StrictModel):
    memory_size_in_mb: MemoryMB
    max_concurrency: int = Field(strict=True, ge=1, le=200)
    provisioned_concurrency: int = Field(strict=True, default=0, ge=0, le=200)

    @model_validator(mode="after")
    def _provisioned_within_max(self) -> ServerlessConfiguration:
        if self.provisioned_concurrency > self.max_concurrency:
            raise ValueError(
                f"provisioned_concurrency ({self.provisioned_concurrency}) must not exceed"
                f" max_concurrency ({self.max_concurrency})"
            )
        return self


class EndpointConfiguration(StrictModel):
    """An advanced job's configuration: an instance type (optionally with an accelerator) or serverless."""

    instance_type: str | None = None
    instance_count: int = Field(strict=True, default=1, ge=1, le=100)
    accelerator_type: str | None = None
    serverless_config: ServerlessConfiguration | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> EndpointConfiguration:
        if (self.instance_type is None) == (self.serverless_config is None):
            raise ValueError("give exactly one of instance_type or serverless_config")
        if self.accelerator_type is not None and self.instance_type is None:
            raise ValueError("an accelerator_type needs an instance_type")
        return self


class TrafficPattern(StrictModel):
    """TrafficPattern: PHASES or STAIRS of closed-loop users (see scenario `closed_loop` arrivals)."""

    traffic_type: Annotated[Literal["PHASES", "STAIRS"], cased(str.upper)]
    phases: list[Phase] | None = Field(default=None, min_length=1, max_length=100)
    stairs: Stairs | None = None

    @model_validator(mode="after")
    def _matches(self) -> TrafficPattern:
        if problem := pattern_problem(self.traffic_type, self.phases, self.stairs):
            raise ValueError(problem)
        return self

    def total_seconds(self) -> float:
        if self.phases:
            return sum(phase.duration for phase in self.phases)
        assert self.stairs is not None
        return self.stairs.duration * self.stairs.number_of_steps


class StoppingConditions(StrictModel):
    """Stop a load test at MaxInvocations per minute, at a latency threshold, or when throughput flattens."""

    max_invocations: int | None = Field(strict=True, default=None, ge=1)
    model_latency_thresholds: list[LatencyThreshold] = Field(default_factory=list, max_length=1)
    flat_invocations: Annotated[Literal["Continue", "Stop"], cased(str.capitalize)] = "Continue"


class ResourceLimit(StrictModel):
    max_number_of_tests: int | None = Field(strict=True, default=None, ge=1)
    max_parallel_of_tests: int | None = Field(strict=True, default=None, ge=1)


class AdvancedJob(StrictModel):
    """A custom load test: the user's configurations under an Inference Recommender traffic pattern."""

    endpoint_configurations: list[EndpointConfiguration] = Field(min_length=1)
    traffic_pattern: TrafficPattern
    stopping_conditions: StoppingConditions = Field(default_factory=StoppingConditions)
    resource_limit: ResourceLimit = Field(default_factory=ResourceLimit)
    job_duration: Duration = Field(default=7200.0, gt=0, le=MAX_JOB_SECONDS)
    replications: int = Field(strict=True, default=3, ge=1, le=50)
    think_time: Distribution | None = None

    @field_validator("endpoint_configurations")
    @classmethod
    def _at_most_ten(cls, configurations: list[EndpointConfiguration]) -> list[EndpointConfiguration]:
        if len(configurations) > MAX_ENDPOINT_CONFIGURATIONS:
            raise ValueError(
                f"at most {MAX_ENDPOINT_CONFIGURATIONS} endpoint configurations, got {len(configurations)}"
            )
        return configurations


UserTraffic = Annotated[
    PoissonArrivals | ScheduleArrivals | DiurnalArrivals | TraceArrivals, Field(discriminator="process")
]


class FleetSizing(StrictModel):
    """Size and verify a fleet for the user's own traffic with the best candidates.

    Target tracking on InvocationsPerInstance at max RPS per instance x `safety_factor` x 60 (the
    SageMaker docs' sizing rule); the traffic is then simulated under that policy.
    """

    arrivals: UserTraffic
    safety_factor: float = Field(default=0.5, gt=0, le=1)
    top: int = Field(strict=True, default=3, ge=1, le=10)
    duration: Duration = Field(default=86400.0, gt=0, le=31 * 86400)
    warmup: Duration = Field(default=0.0, ge=0)
    replications: int = Field(strict=True, default=3, ge=1, le=50)
    startup_time: Distribution | None = None
    scale_in_cooldown: Duration = Field(default=300.0, ge=0)
    scale_out_cooldown: Duration = Field(default=300.0, ge=0)


class RecommendSpec(StrictModel):
    """An Inference Recommender job for `model` (default: the scenario's only model)."""

    job_type: Annotated[JobType, cased(str.capitalize)] = JobType.DEFAULT
    model: str | None = None
    latency_threshold: LatencyThreshold | None = None
    max_error_rate: float = Field(default=0.01, gt=0, le=1)
    candidates: CandidateSpace = Field(default_factory=CandidateSpace)
    search: SearchSpec = Field(default_factory=SearchSpec)
    advanced: AdvancedJob | None = None
    fleet_sizing: FleetSizing | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RecommendSpec:
        if self.job_type is JobType.ADVANCED and self.advanced is None:
            raise ValueError("job_type Advanced needs an `advanced` section")
        if self.job_type is JobType.DEFAULT and self.advanced is not None:
            raise ValueError("an `advanced` section needs job_type Advanced")
        if self.slo() is None:
            raise ValueError(
                "give latency_threshold (or advanced.stopping_conditions.model_latency_thresholds)"
            )
        return self

    def slo(self) -> LatencyThreshold | None:
        """The latency threshold recommendations must meet."""
        if self.latency_threshold is not None:
            return self.latency_threshold
        if self.advanced is not None and self.advanced.stopping_conditions.model_latency_thresholds:
            return self.advanced.stopping_conditions.model_latency_thresholds[0]
        return None
