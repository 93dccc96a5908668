"""Scenario schema of a (managed spot) training job: the value under `training_job:` in a scenario YAML.

Everything here is per-object validation (pydantic raises ValueError with the field's location);
rules that need the instance catalog live in `training_check.py`. Every default is stated in the field
description so the JSON Schema documents it.
"""

from __future__ import annotations

import itertools
import math
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from simulator.scenario.distributions import Distribution
from simulator.scenario.files import load_column
from simulator.scenario.units import Bandwidth, Duration, Rate, Size

NonNegativeDuration = Annotated[Duration, Field(ge=0)]
PROCESSES = ("interruption_rate", "rate_schedule", "trace")  # a SpotSpec's ways to say how interruptions come


def _transfer_seconds(time: float | None, size: float | None, speed: float | None, otherwise: float) -> float:
    """A time given outright, else size / speed (bytes per second) when both are given, else `otherwise`."""
    if time is not None:
        return time
    if size is not None and speed is not None:
        return size / speed
    return otherwise


MAX_RUNTIME_LIMIT_S = 28 * 86400.0
"""SageMaker's largest MaxRuntimeInSeconds (botocore's StoppingCondition documentation: 28 days)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RatePhase(_Model):
    """One phase of a cyclic, piecewise-constant interruption-rate schedule (e.g. busy daytime market)."""

    duration: Duration = Field(gt=0, description="Length of the phase.")
    rate: Rate = Field(ge=0, description="Interruption rate per instance during the phase, e.g. 1/4h.")


class SpotSpec(_Model):
    """Managed spot training (EnableManagedSpotTraining) and the spot market the job runs in.

    The interruption process is, per instance, exactly one of: a Poisson rate (`interruption_rate`), a
    cyclic time-varying rate (`rate_schedule`), or a trace of job-level notice times (`trace` /
    `trace_file`). With none of them the rate comes from the instance type's Spot Instance Advisor bucket
    in the catalog (bucket midpoint per 30-day month, see `market.py`). The interruption hazard runs only
    while the job holds instances (start-up, download, training, checkpoints, upload), not during
    capacity waits.
    """

    enabled: bool = Field(
        default=True, description="Default true: writing a `spot` section turns managed spot training on."
    )
    interruption_rate: Rate | None = Field(
        default=None, ge=0, description="Poisson interruption-notice rate per instance, e.g. 1/6h."
    )
    rate_schedule: tuple[RatePhase, ...] | None = Field(
        default=None,
        min_length=1,
        description="Cyclic piecewise-constant rate per instance; phases repeat from job creation.",
    )
    trace: tuple[NonNegativeDuration, ...] | None = Field(
        default=None,
        description="Interruption-notice times since job creation (job level, any instance). A notice "
        "that arrives while no instances are held is ignored.",
    )
    trace_file: str | None = Field(
        default=None,
        description="One-column CSV/text file of notice times in seconds, read into `trace` "
        "(relative to the scenario file). `trace` wins when both are present.",
    )
    notice: Duration = Field(
        default=120.0, ge=0, description="Warning before reclaim; default 2 minutes (EC2 spot notice)."
    )
    checkpoint_on_notice: bool = Field(
        default=False,
        description="Default false. When true the job writes a checkpoint on the notice (if it cannot "
        "finish in time) and keeps it if the write completes before the reclaim; needs `checkpoint`.",
    )
    capacity_wait: Distribution | None = Field(
        default=None,
        description="Time to get spot capacity back after a reclaim; default none (immediate).",
    )
    discount: float | None = Field(
        default=None,
        ge=0,
        lt=1,
        description="Spot discount off the on-demand price; default the catalog's `spot_discount`.",
    )

    @model_validator(mode="before")
    @classmethod
    def _load_trace_file(cls, data: object, info: ValidationInfo) -> object:
        return load_column(data, info, ("trace_file", "trace"), "trace file")

    @field_validator("trace")
    @classmethod
    def _sorted_trace(cls, values: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if values is not None and any(b < a for a, b in itertools.pairwise(values)):
            raise ValueError("trace times must be in increasing order")
        return values

    @model_validator(mode="after")
    def _one_process(self) -> SpotSpec:
        given = [name for name in PROCESSES if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError(f"give only one of interruption_rate, rate_schedule, trace (got {given})")
        return self

    @property
    def has_process(self) -> bool:
        """True when the scenario itself says how interruptions arrive (no catalog bucket needed)."""
        return any(getattr(self, name) is not None for name in PROCESSES)


class CheckpointSpec(_Model):
    """Checkpoints to S3 (CheckpointConfig): interval in training compute time, write and restore cost.

    The write cost is `write_time`, or `size / write_bandwidth`, or 0 when neither is given. The restore
    cost (paid after a restart when a checkpoint exists) is `restore_time`, or `size / read_bandwidth`
    (read bandwidth defaults to the write bandwidth), or the write cost. Writes block training.
    """

    interval: Duration | None = Field(
        default=None,
        gt=0,
        description="Training compute time between checkpoints (Daly's tau); default none = only "
        "checkpoint on notice.",
    )
    write_time: Duration | None = Field(default=None, ge=0, description="Time to write one checkpoint.")
    size: Size | None = Field(default=None, gt=0, description="Checkpoint size, e.g. 4GiB.")
    write_bandwidth: Bandwidth | None = Field(default=None, gt=0, description="Write speed, e.g. 500MB/s.")
    restore_time: Duration | None = Field(default=None, ge=0, description="Time to load a checkpoint.")
    read_bandwidth: Bandwidth | None = Field(
        default=None, gt=0, description="Read speed; default `write_bandwidth`."
    )

    @model_validator(mode="after")
    def _consistent_costs(self) -> CheckpointSpec:
        if self.write_time is not None and self.write_bandwidth is not None:
            raise ValueError("give write_time or size with write_bandwidth, not both")
        if self.write_bandwidth is not None and self.size is None:
            raise ValueError("write_bandwidth needs size")
        if self.read_bandwidth is not None and self.size is None:
            raise ValueError("read_bandwidth needs size")
        if self.size is not None and self.write_time is None and self.write_bandwidth is None:
            raise ValueError("size needs write_bandwidth (or give write_time)")
        return self

    def write_seconds(self) -> float:
        return _transfer_seconds(self.write_time, self.size, self.write_bandwidth, 0.0)

    def restore_seconds(self) -> float:
        bandwidth = self.read_bandwidth or self.write_bandwidth
        return _transfer_seconds(self.restore_time, self.size, bandwidth, self.write_seconds())


class TrainingJobSpec(_Model):
    """A SageMaker training job: cluster, work, overheads, checkpoints, spot market and stopping condition.

    Work is compute time on ONE instance of `instance_type` (`work`, or `epochs * epoch_time`). With
    `instance_count` n > 1 the cluster runs data-parallel at n * `scaling_efficiency` times one instance's
    speed (default 0.9, the figure distributed-training libraries quote at scale); n = 1 runs at 1x.
    A reclaim of any instance interrupts the whole job, so the job-level rate is n times the per-instance
    rate. Phases of every attempt: Starting (`startup_time`, not billed) -> Downloading (`download_time`)
    -> restore (if a checkpoint exists) -> Training with checkpoint writes -> Uploading (`upload_time`).
    """

    instance_type: str = Field(description="Training instance type, e.g. ml.p3.2xlarge.")
    instance_count: int = Field(default=1, ge=1, description="Instances (data-parallel); default 1.")
    scaling_efficiency: float = Field(
        default=0.9, gt=0, le=1, description="Parallel efficiency for instance_count > 1; default 0.9."
    )
    work: Duration | None = Field(default=None, gt=0, description="Compute time on one instance.")
    epochs: int | None = Field(default=None, ge=1, description="Epochs (with epoch_time) instead of work.")
    epoch_time: Duration | None = Field(default=None, gt=0, description="One epoch on one instance.")
    startup_time: Duration = Field(
        default=0.0,
        ge=0,
        description="Instance launch + container start per attempt (status Starting, not billed); "
        "default 0 (real jobs: typically 2-5 minutes).",
    )
    download_time: Duration | None = Field(
        default=None,
        ge=0,
        description="Training data download per attempt; default 0 or data_size/bandwidth.",
    )
    data_size: Size | None = Field(default=None, ge=0, description="Training data size (with bandwidth).")
    download_bandwidth: Bandwidth | None = Field(default=None, gt=0, description="e.g. 1GB/s.")
    upload_time: Duration = Field(
        default=0.0, ge=0, description="Model artifact upload at the end; default 0."
    )
    checkpoint: CheckpointSpec | None = Field(
        default=None, description="Checkpointing; default none = every restart begins from scratch."
    )
    spot: SpotSpec | None = Field(
        default=None, description="Managed spot training; default none = on-demand."
    )
    max_runtime: Duration = Field(
        default=86400.0,
        gt=0,
        description="MaxRuntimeInSeconds: limit on running (billable-phase) time; default 1 day, "
        "at most 28 days (SageMaker's limit).",
    )
    max_wait: Duration | None = Field(
        default=None,
        gt=0,
        description="MaxWaitTimeInSeconds (spot only): limit on wall time since creation, waits included; "
        "must be >= max_runtime; default = max_runtime. Ignored for on-demand jobs.",
    )
    deadline: Duration | None = Field(
        default=None,
        gt=0,
        description="Optional business deadline on completion time (wall, since creation).",
    )

    @field_validator("max_runtime")
    @classmethod
    def _within_sagemakers_limit(cls, value: float) -> float:
        if value > MAX_RUNTIME_LIMIT_S:
            limit = f"28 days ({MAX_RUNTIME_LIMIT_S:.0f} s), SageMaker's limit"
            raise ValueError(f"{value:.0f} s is over {limit}")
        return value

    @field_validator("max_wait")
    @classmethod
    def _wait_covers_runtime(cls, value: float | None, info: ValidationInfo) -> float | None:
        runtime = info.data.get("max_runtime")
        spot = info.data.get("spot")
        on_spot = spot is not None and spot.enabled  # on-demand jobs ignore max_wait, as documented
        if on_spot and value is not None and runtime is not None and value < runtime:
            raise ValueError(f"max_wait ({value:g} s) must be >= max_runtime ({runtime:g} s)")
        return value

    @field_validator("spot")
    @classmethod
    def _notice_checkpoint_needs_checkpoint(
        cls, value: SpotSpec | None, info: ValidationInfo
    ) -> SpotSpec | None:
        if value is not None and value.checkpoint_on_notice and info.data.get("checkpoint", 0) is None:
            raise ValueError("checkpoint_on_notice needs a checkpoint section")
        return value

    @field_validator("download_bandwidth")
    @classmethod
    def _bandwidth_needs_size(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and info.data.get("data_size", 0) is None:
            raise ValueError("download_bandwidth needs data_size")
        return value

    @model_validator(mode="after")
    def _work_given_once(self) -> TrainingJobSpec:
        by_epochs = self.epochs is not None or self.epoch_time is not None
        if (self.work is not None) == by_epochs:
            raise ValueError("give either work or epochs with epoch_time")
        if by_epochs and (self.epochs is None or self.epoch_time is None):
            raise ValueError("give both epochs and epoch_time")
        if self.data_size is not None and self.download_bandwidth is None and self.download_time is None:
            raise ValueError("data_size needs download_bandwidth (or give download_time)")
        if self.download_time is not None and self.download_bandwidth is not None:
            raise ValueError("give download_time or data_size with download_bandwidth, not both")
        return self

    @property
    def spot_enabled(self) -> bool:
        return self.spot is not None and self.spot.enabled

    def single_instance_work(self) -> float:
        """Compute seconds on one instance."""
        if self.work is not None:
            return self.work
        assert self.epochs is not None and self.epoch_time is not None
        return self.epochs * self.epoch_time

    def speedup(self) -> float:
        """Cluster speed relative to one instance: 1 for one instance, n * efficiency otherwise."""
        return 1.0 if self.instance_count == 1 else self.instance_count * self.scaling_efficiency

    def cluster_work(self) -> float:
        """Compute seconds the cluster needs (the job's total training progress)."""
        return self.single_instance_work() / self.speedup()

    def download_seconds(self) -> float:
        return _transfer_seconds(self.download_time, self.data_size, self.download_bandwidth, 0.0)

    def effective_max_wait(self) -> float:
        """Wall-time limit since creation: max_wait (default max_runtime) for spot, none on-demand."""
        if not self.spot_enabled:
            return math.inf
        return self.max_wait if self.max_wait is not None else self.max_runtime


BUCKET_MONTHLY_FRACTION: dict[str, float] = {
    "<5%": 0.025,
    "5-10%": 0.075,
    "10-15%": 0.125,
    "15-20%": 0.175,
    ">20%": 0.25,
}
"""Fraction of instances interrupted per month: bucket midpoints; '>20%' is taken as 25% (assumption)."""
