"""SageMaker's accounting of a training job: TrainingTimeInSeconds, BillableTimeInSeconds, savings, cost.

Semantics (documented defaults; AWS publishes the formula, not every edge case):
- runtime: seconds the job's instances ran in billable phases (Downloading, Training incl. restores,
  checkpoint writes, work later lost and the notice window, Uploading), summed over attempts. Starting
  (provisioning) and capacity waits are not billed. MaxRuntimeInSeconds limits this.
- TrainingTimeInSeconds: wall time from TrainingStartTime (first entry into Downloading) to the end,
  interruptions and capacity waits included.
- BillableTimeInSeconds: runtime for on-demand jobs; runtime * (1 - spot discount) for spot jobs. AWS's
  example ("billable 100 s of a 500 s job = 80% savings") and its formula
  savings % = (1 - billable / training) * 100 only make sense if billable seconds are discounted
  seconds billed at the on-demand rate, so that is how they are modelled.
- cost: billable seconds * instances * on-demand price per second (= runtime at the spot price).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class TimelineEntry(NamedTuple):
    """One status change: SageMaker secondary status, what the job does, and its progress."""

    time_s: float
    status: str
    """Starting, Downloading, Training, Uploading, Interrupted; at the end Completed, MaxRuntimeExceeded
    or MaxWaitTimeExceeded."""
    activity: str
    """Within a status: restore, compute, checkpoint, notice-checkpoint, await-reclaim, capacity-wait."""
    progress_s: float
    """Training compute completed (cluster seconds)."""
    checkpoint_s: float
    """Progress saved in the last completed checkpoint."""


@dataclass(frozen=True)
class TrainingRun:
    """One replication of a training job."""

    status: str
    """Completed or Stopped (DescribeTrainingJob TrainingJobStatus)."""
    secondary_status: str
    """Completed, MaxRuntimeExceeded or MaxWaitTimeExceeded."""
    completion_time_s: float
    """Wall time from job creation to the end (completed or stopped)."""
    training_time_s: float
    billable_time_s: float
    runtime_s: float
    savings_pct: float
    cost_usd: float
    """What the job costs (spot price when spot is on)."""
    cost_on_demand_usd: float
    """The same instance-seconds at the on-demand price."""
    interruptions: int
    checkpoints: int
    lost_work_s: float
    """Training compute discarded by reclaims (redone later)."""
    capacity_wait_s: float
    work_s: float
    work_done_s: float
    instance_count: int
    spot: bool
    timeline: tuple[TimelineEntry, ...]

    @property
    def completed(self) -> bool:
        return self.status == "Completed"
