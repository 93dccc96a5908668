"""Scenario schema of a batch transform job: the value under `batch_transform:` in a scenario YAML.

The model is one of the scenario's `models` (a single container, a pipeline, or a batching model);
its per-request service time is per record.
"""

from __future__ import annotations

import math
from enum import StrEnum

from pydantic import Field, model_validator

from simulator.scenario.common import StrictModel
from simulator.scenario.distributions import Deterministic, Distribution
from simulator.scenario.units import Bandwidth, Duration, Size


class BatchStrategy(StrEnum):
    SINGLE_RECORD = "SingleRecord"
    MULTI_RECORD = "MultiRecord"


class DatasetSpec(StrictModel):
    """The input: `records` records, or `size` bytes, of `record_size` bytes each."""

    records: int | None = Field(strict=True, default=None, ge=1, le=10**12)
    size: Size | None = Field(default=None, gt=0)
    record_size: Size = Field(gt=0)

    @model_validator(mode="after")
    def _one_of(self) -> DatasetSpec:
        if (self.records is None) == (self.size is None):
            raise ValueError("give records or size (not both)")
        return self

    @property
    def record_count(self) -> int:
        return self.records if self.records is not None else math.ceil((self.size or 0) / self.record_size)


class BatchTransformSpec(StrictModel):
    """CreateTransformJob: instances, MaxConcurrentTransforms, MaxPayloadInMB and BatchStrategy.

    Records are split evenly across instances. MultiRecord packs floor(max_payload / record_size)
    records into each invocation (SingleRecord: one). Each invocation costs `invocation_overhead` +
    its bytes / `data_bandwidth` (reading input from and writing output to S3) + the model's time for
    its records; concurrent transforms beyond the instance's devices share them. Every instance is
    billed from job start (including `startup_time`, default 5 min, an estimate) to job end.
    """

    model: str
    instance_type: str
    instance_count: int = Field(strict=True, default=1, ge=1, le=100)
    dataset: DatasetSpec
    max_concurrent_transforms: int | None = Field(
        strict=True, default=None, ge=1, le=1000, description="default: the instance's vCPUs (GPUs)"
    )
    max_payload: Size = Field(default=6e6, gt=0, le=100e6, description="MaxPayloadInMB (default 6 MB)")
    batch_strategy: BatchStrategy = BatchStrategy.MULTI_RECORD
    startup_time: Distribution = Field(
        default_factory=lambda: Deterministic(distribution="deterministic", value=300.0)
    )
    invocation_overhead: Duration = Field(default=0.005, ge=0)
    data_bandwidth: Bandwidth = Field(default=100e6, gt=0)

    def records_per_invocation(self) -> int:
        if self.batch_strategy is BatchStrategy.SINGLE_RECORD:
            return 1
        return max(1, int(self.max_payload // self.dataset.record_size))
