"""CloudWatch-style alarms on the green variant, evaluated while the run goes on.

At the end of each alarm period (periods are aligned to multiples of the period from time 0, as
CloudWatch's are) the alarm takes one datapoint from the requests of the green variant that finished
in the period, compares it with the threshold, and is in ALARM while at least `datapoints_to_alarm`
of the last `evaluation_periods` datapoints breach. A period in which no green request finished is a
missing datapoint and does not breach.
"""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from simulator.core.records import ERROR_5XX, RequestLog, Status
from simulator.scenario.rollout_spec import AlarmMetric, RollbackAlarm, percentile_of
from simulator.scenario.scaling import Comparison

COMPARE: dict[Comparison, Callable[[float, float], bool]] = {  # CloudWatch's ComparisonOperator
    Comparison.GT: operator.gt,
    Comparison.GE: operator.ge,
    Comparison.LT: operator.lt,
    Comparison.LE: operator.le,
}


class FinishedRequests:
    """The requests of one variant that finished in [t0, t1), found without rescanning the whole log.

    Requests before `_first_open` had all finished at the previous look, so each look scans only
    from the oldest request then still in flight up to the newest arrival.
    """

    def __init__(self, log: RequestLog, variant: int) -> None:
        self._log = log
        self._variant = variant
        self._first_open = 0

    def between(self, t0: float, t1: float) -> np.ndarray:
        """Indices of the variant's requests that finished (any status) in [t0, t1); t1 is now."""
        log = self._log
        low = self._first_open
        high = int(np.searchsorted(log.arrival[low : log.size], t1, side="left")) + low
        status = log.status[low:high]
        still_open = np.flatnonzero(status == Status.IN_FLIGHT)
        self._first_open = low + int(still_open[0]) if len(still_open) else high
        end = log.end[low:high]
        mine = (
            (log.variant[low:high] == self._variant) & (status != Status.IN_FLIGHT) & (end >= t0) & (end < t1)
        )
        return low + np.flatnonzero(mine)


def datapoint(alarm: RollbackAlarm, log: RequestLog, requests: np.ndarray) -> float | None:
    """The alarm's statistic over `requests` (None: missing). Latency in seconds, error rate in %."""
    if len(requests) == 0:
        return None
    status = log.status[requests]
    if alarm.metric is AlarmMetric.ERRORS_5XX:
        return float(np.isin(status, ERROR_5XX).sum())
    if alarm.metric is AlarmMetric.ERROR_RATE_5XX:
        return float(np.isin(status, ERROR_5XX).mean() * 100.0)
    ok = requests[status == Status.OK]
    if len(ok) == 0:
        return None
    latency = log.end[ok] - log.arrival[ok]
    statistic = alarm.resolved_statistic()
    if statistic == "Average":
        return float(latency.mean())
    if statistic == "Maximum":
        return float(latency.max())
    percentile = percentile_of(statistic)
    assert percentile is not None
    return float(np.percentile(latency, percentile))


@dataclass
class Alarm:
    """Breaching flags of the most recent `periods` datapoints; in ALARM while `needed` of them breach
    (a rollback alarm here, and every alarm of an autoscaling policy)."""

    periods: int
    needed: int
    history: deque[bool] = field(default_factory=deque)

    def push(self, breaching: bool) -> bool:
        """Add a datapoint; True when the alarm is (now) in ALARM."""
        self.history.append(breaching)
        if len(self.history) > self.periods:
            self.history.popleft()
        return sum(self.history) >= self.needed
