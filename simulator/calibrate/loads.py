"""What a load generator run asks for and what it records: plain data, no HTTP client.

Kept apart from the generator (aiohttp, the 'docker' extra) so predictions and the notebooks can
read loads and records on a base install.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

STALL_S = 0.010  # a send this late is a frozen client, not timer resolution (~1 ms)


def summarise(latency_s: np.ndarray, throughput: float) -> dict[str, float]:
    """p50/p95/p99/mean latency (ms, nan without latencies) and throughput: measured or predicted."""
    p50, p95, p99 = np.percentile(latency_s, [50, 95, 99]) * 1e3 if latency_s.size else (math.nan,) * 3
    return {
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "mean_ms": float(latency_s.mean() * 1e3) if latency_s.size else math.nan,
        "throughput": float(throughput),
    }


@dataclass(frozen=True)
class Record:
    """One request: times in seconds from the start of the run."""

    scheduled: float
    sent: float
    done: float
    status: int  # HTTP status, 0 when no response (connection error, timeout)
    model_time: float = math.nan  # X-Sagesim-Model-Time, when the server reports it
    cpu_time: float = math.nan  # X-Sagesim-Cpu-Time
    error: str = ""

    @property
    def latency(self) -> float:
        return self.done - self.sent

    @property
    def lag(self) -> float:
        """How late the client sent the request against its schedule."""
        return self.sent - self.scheduled

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Load:
    """A load level: `users` closed-loop clients with zero think time, or Poisson arrivals at `rate`/s."""

    kind: Literal["closed", "open"]
    level: float
    max_requests: int
    max_seconds: float
    warmup_s: float = 1.0

    def label(self) -> str:
        return f"{int(self.level)} users" if self.kind == "closed" else f"{self.level:.1f}/s"


@dataclass
class LoadResult:
    load: Load
    records: list[Record] = field(default_factory=list)
    elapsed: float = 0.0

    def window(self) -> list[Record]:
        """Records that started after warm-up, for statistics."""
        return [r for r in self.records if r.scheduled >= self.load.warmup_s]

    def throughput(self) -> float:
        """Completions per second inside the measurement window."""
        ok = [r for r in self.records if r.ok and r.done >= self.load.warmup_s]
        span = self.elapsed - self.load.warmup_s
        return len(ok) / span if span > 0 else math.nan

    def latencies(self) -> np.ndarray:
        return np.array([r.latency for r in self.window() if r.ok])

    def stalled_share(self, late_s: float = STALL_S) -> float:
        """Share of requests the client sent more than late_s behind schedule: the load generator was
        frozen (descheduled) and then sent a burst the schedule never asked for."""
        lags = [r.lag for r in self.window()]
        return sum(1 for lag in lags if lag > late_s) / len(lags) if lags else 0.0

    def lag_p99(self) -> float:
        lags = [r.lag for r in self.window()]
        return float(np.percentile(lags, 99)) if lags else math.nan
