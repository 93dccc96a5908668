"""What one simulation returns: DataFrames for exploration plus the typed summary for writers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from simulator.core.records import RequestLog, Status
from simulator.hosting.rollout_controller import RolloutLog
from simulator.metrics.summary_types import Summary
from simulator.scenario.kinds import EndpointScenario


@dataclass(frozen=True)
class Result:
    """A finished run. `requests` is built on demand so large runs pay for it only when asked."""

    scenario: EndpointScenario
    summary: Summary
    metrics: pd.DataFrame
    instances: pd.DataFrame
    billing: pd.DataFrame
    updates: pd.DataFrame
    log: RequestLog | None = field(repr=False)
    """Every request's record; None for streaming runs (metrics.per_request_records false)."""
    variant_names: tuple[str, ...]
    scaling: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Scaling activities: time_s, variant, from, to, kind, cause (autoscaled variants only)."""
    capacity: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Desired instance count of autoscaled variants over time: time_s, variant, desired."""
    alarms: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Every evaluation at which an alarm was in ALARM: time_s, variant, alarm, value, history."""
    datapoints: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Every metric datapoint a scaling policy evaluated: time_s, variant, policy, value (NaN: missing)."""
    cold_starts: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Serverless cold starts: time_s, variant, model_setup_time_s."""
    rollout: RolloutLog | None = None
    """A blue/green deployment's RolloutLog (hosting/rollout_controller.py); None without `rollout:`."""

    @property
    def requests(self) -> pd.DataFrame:
        """Per-request records: times in seconds, latency including overhead, status names."""
        log = self.log
        if log is None:
            raise ValueError(
                "this run streamed its requests (metrics.per_request_records: false): no records"
            )
        frame = pd.DataFrame(
            {name: log.column(name) for name in ("arrival", "start", "end", "work", "overhead")}
        )
        frame["variant"] = pd.Categorical.from_codes(
            log.column("variant"), categories=list(self.variant_names)
        )
        frame["instance"] = log.column("instance")
        frame["status"] = pd.Categorical.from_codes(log.column("status"), categories=[s.name for s in Status])
        frame["queue_wait"] = frame["start"] - frame["arrival"]
        frame["latency"] = frame["end"] - frame["arrival"] + frame["overhead"]
        return frame
