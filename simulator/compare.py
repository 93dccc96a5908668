"""Policies side by side under the same traffic, and the serverless vs real-time cost crossover.

Both are lists of validated, derived scenarios handed to the executor, each run on replications 0..n-1 of
one seed (common random numbers: every candidate sees the same arrivals, routing draws and service-time
streams), never the CLI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.core.slo import meets
from simulator.core.stats import mean_ci95
from simulator.errors import ScenarioError
from simulator.execution.executors import Executor, SerialExecutor
from simulator.execution.replications import Replication, summary_of
from simulator.metrics.summary_types import Summary, mean_of
from simulator.scenario.derive import derive
from simulator.scenario.endpoint import VariantSpec
from simulator.scenario.kinds import EndpointScenario


def _figures(label: str, summary: Summary) -> dict[str, Any]:
    blocks = summary.variants.values()
    per_million = summary.cost_usd.per_million_inferences
    return {
        "scenario": label,
        "cost_usd": summary.cost_usd.total,
        "usd_per_million_inferences": math.nan if per_million is None else per_million,
        "p50_ms": summary.latency_ms.p50,
        "p95_ms": summary.latency_ms.p95,
        "p99_ms": summary.latency_ms.p99,
        "completed": summary.requests.completed,
        "errors": summary.requests.errors,
        "error_rate": summary.error_rate,
        "instances_mean": sum(block.instances.mean or 0 for block in blocks),
        "instances_max": sum(block.instances.max or 0 for block in blocks),
        "scaling_activities": sum(b.autoscaling.scaling_activities for b in blocks if b.autoscaling),
        "cold_starts": sum(block.serverless.cold_starts for block in blocks if block.serverless),
    }


def compare_scenarios(
    scenarios: list[tuple[str, EndpointScenario]],
    seed: int | None = None,
    replications: int = 1,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """One row per scenario: cost, latency percentiles, errors and capacity, with common random numbers.

    Every scenario runs replications 0..n-1 of the same seed (default: the first scenario's), so the
    traffic is identical wherever the traffic sections are; figures are means over replications.
    """
    base = scenarios[0][1].seed if seed is None else seed
    jobs = [
        Replication(derive(scenario, {"seed": base}, EndpointScenario), index)
        for _, scenario in scenarios
        for index in range(replications)
    ]
    every = (executor or SerialExecutor()).map(summary_of, jobs)
    runs = [every[start : start + replications] for start in range(0, len(every), replications)]
    return pd.DataFrame([_row(label, mine) for (label, _), mine in zip(scenarios, runs, strict=True)])


INTERVAL_FIGURES = ("cost_usd", "usd_per_million_inferences", "p99_ms", "error_rate")
"""The figures a choice between scenarios rests on: each gets its 95% CI over the replications."""


def _row(label: str, runs: list[Summary]) -> dict[str, Any]:
    """Means over the replications, the 95% CI of the deciding figures (NaN with one replication),
    and the largest instance count any replication reached."""
    row = _figures(label, mean_of(runs))
    each = [_figures(label, summary) for summary in runs]
    for name in INTERVAL_FIGURES:
        values = [figures[name] for figures in each]
        interval = mean_ci95([v for v in values if v is not None and not math.isnan(v)], lower=0.0)
        row[f"{name}_ci95_low"] = math.nan if interval["ci95_low"] is None else interval["ci95_low"]
        row[f"{name}_ci95_high"] = math.nan if interval["ci95_high"] is None else interval["ci95_high"]
    row["instances_max"] = max(figures["instances_max"] for figures in each)
    return row


# --- serverless vs real-time crossover -----------------------------------------------------------------


@dataclass(frozen=True)
class Crossover:
    table: pd.DataFrame
    rate: float | None  # requests/s where real-time becomes cheaper (None: no crossing in the range)


def _variant_kinds(scenario: EndpointScenario) -> tuple[VariantSpec, VariantSpec]:
    serverless = [v for v in scenario.endpoint.variants if v.serverless is not None]
    realtime = [v for v in scenario.endpoint.variants if v.serverless is None]
    if not serverless or not realtime:
        raise ScenarioError("endpoint.variants", "crossover needs one serverless and one real-time variant")
    return serverless[0], realtime[0]


def _single(
    scenario: EndpointScenario, variant: VariantSpec, rate: float, duration: float
) -> EndpointScenario:
    """`variant` alone (no autoscaling) under Poisson traffic at `rate` for `duration` seconds, one
    replication."""
    changes = {
        "duration": duration,
        "warmup": min(scenario.warmup, duration / 4),
        "replications": 1,
        "endpoint.variants": [variant],
        "endpoint.variants[0].autoscaling": None,
        "endpoint.variants[0].weight": 1.0,
        "endpoint.updates": [],
        "traffic.arrivals": {"process": "poisson", "rate": rate},
        "traffic.target_variants": [],
    }
    return derive(scenario, changes, EndpointScenario)


@dataclass(frozen=True)
class CrossoverPoint:
    """One rate of the crossover, an executor task: each variant alone at that rate, validated."""

    rate: float
    serverless: EndpointScenario
    realtime: EndpointScenario
    """The search derives it again with 1, 2, ... instances until the SLO is met."""
    slo_p99_s: float
    max_error_rate: float
    max_instances: int
    replications: int

    def runs(self, scenario: EndpointScenario) -> list[Summary]:
        """Replications 0..n-1 of the scenario's seed: the same for every point and count."""
        return [summary_of(Replication(scenario, index)) for index in range(self.replications)]


def serverless_crossover(
    scenario: EndpointScenario,
    rates: list[float],
    slo_p99_s: float,
    duration: float = 1800.0,
    max_instances: int = 30,
    max_error_rate: float = 0.001,
    executor: Executor | None = None,
    replications: int = 1,
) -> Crossover:
    """Cost per million inferences of the serverless and the real-time variant against request rate.

    The real-time variant gets the fewest instances meeting the SLO (p99 <= slo, error rate <=
    max_error_rate, under the rule of `simulator.core.slo` over `replications` runs) at each rate; the
    serverless variant runs as configured and is marked when it misses the SLO (cold starts). Replication
    i of every point and count uses the same seed (common random numbers).
    """
    serverless, realtime = _variant_kinds(scenario)
    points = [
        CrossoverPoint(
            rate=rate,
            serverless=_single(scenario, serverless, rate, duration),
            realtime=_single(scenario, realtime, rate, duration),
            slo_p99_s=slo_p99_s,
            max_error_rate=max_error_rate,
            max_instances=max_instances,
            replications=replications,
        )
        for rate in rates
    ]
    table = pd.DataFrame((executor or SerialExecutor()).map(_crossover_point, points))
    return Crossover(table=table, rate=crossing_rate(table))


def _usd_per_million_inferences(summaries: list[Summary]) -> float:
    return float(np.mean([s.cost_usd.total / max(s.requests.completed, 1) * 1e6 for s in summaries]))


def _meets_slo(summaries: list[Summary], slo_p99_s: float, max_error_rate: float) -> bool:
    return meets([s.latency_ms.p99 for s in summaries], slo_p99_s * 1000) and meets(
        [s.error_rate for s in summaries], max_error_rate
    )


def _cold_start_fraction(summary: Summary) -> float:
    (block,) = summary.variants.values()
    assert block.serverless is not None
    return block.serverless.cold_start_fraction


def _crossover_point(point: CrossoverPoint) -> dict[str, Any]:
    """One rate of the crossover: the serverless variant as configured, the fewest real-time instances."""
    sl = point.runs(point.serverless)
    chosen = None
    for count in range(1, point.max_instances + 1):
        fleet = derive(point.realtime, {"endpoint.variants[0].instance_count": count}, EndpointScenario)
        rt = point.runs(fleet)
        if _meets_slo(rt, point.slo_p99_s, point.max_error_rate):
            chosen = (count, rt)
            break
    return {
        "rate_per_s": point.rate,
        "serverless_usd_per_million_inferences": _usd_per_million_inferences(sl),
        "serverless_p99_ms": _mean_or_nan([s.latency_ms.p99 for s in sl]),
        "serverless_cold_start_pct": 100.0 * float(np.mean([_cold_start_fraction(s) for s in sl])),
        "serverless_meets_slo": _meets_slo(sl, point.slo_p99_s, point.max_error_rate),
        "realtime_instances": chosen[0] if chosen else None,
        "realtime_usd_per_million_inferences": _usd_per_million_inferences(chosen[1]) if chosen else math.nan,
        "realtime_p99_ms": _mean_or_nan([s.latency_ms.p99 for s in chosen[1]]) if chosen else math.nan,
    }


def _mean_or_nan(values: list[float | None]) -> float:
    return math.nan if any(v is None for v in values) else float(np.mean(values))


def crossing_rate(table: pd.DataFrame) -> float | None:
    """First rate where real-time becomes cheaper than serverless, interpolated in log(rate)."""
    rates = table["rate_per_s"].to_numpy(dtype=float)
    gap = table["serverless_usd_per_million_inferences"].to_numpy(dtype=float) - table[
        "realtime_usd_per_million_inferences"
    ].to_numpy(dtype=float)
    for index in range(1, len(rates)):
        before, after = gap[index - 1], gap[index]
        if np.isfinite(before) and np.isfinite(after) and before < 0 <= after:
            low, high = math.log(rates[index - 1]), math.log(rates[index])
            fraction = -before / (after - before)
            return float(math.exp(low + fraction * (high - low)))
    return None
