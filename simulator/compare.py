"""Policies side by side under the same traffic, and the serverless vs real-time cost crossover.

Both are lists of scenarios handed to `simulate` with one seed (common random numbers: every candidate
sees the same arrivals, routing draws and service-time streams), never the CLI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.core.rng import replication_seed
from simulator.core.slo import meets
from simulator.engine import simulate
from simulator.errors import ScenarioError
from simulator.execution.executors import Executor, SerialExecutor
from simulator.metrics.summary_types import Summary, mean_of
from simulator.scenario.derive import derive, plain
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


@dataclass(frozen=True)
class SeededRun:
    """A scenario run on a given seed: common random numbers across the compared scenarios."""

    scenario: EndpointScenario
    seed: np.random.SeedSequence


def _seeded_summary(task: SeededRun) -> Summary:
    return simulate(task.scenario, task.seed).summary


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
        SeededRun(scenario, replication_seed(base, index))
        for _, scenario in scenarios
        for index in range(replications)
    ]
    every = (executor or SerialExecutor()).map(_seeded_summary, jobs)
    rows = []
    for number, (label, _) in enumerate(scenarios):
        summaries = every[number * replications : (number + 1) * replications]
        rows.append(_figures(label, mean_of(summaries)))
    return pd.DataFrame(rows)


# --- serverless vs real-time crossover -----------------------------------------------------------------


@dataclass(frozen=True)
class Crossover:
    table: pd.DataFrame
    rate: float | None  # requests/s where real-time becomes cheaper (None: no crossing in the range)


def _variant_kinds(scenario: EndpointScenario) -> tuple[dict[str, Any], dict[str, Any]]:
    variants = [plain(variant) for variant in scenario.endpoint.variants]
    serverless = [v for v in variants if "serverless" in v]
    realtime = [v for v in variants if "serverless" not in v]
    if not serverless or not realtime:
        raise ScenarioError("endpoint.variants", "crossover needs one serverless and one real-time variant")
    return serverless[0], realtime[0]


def _single(
    scenario: EndpointScenario, variant: dict[str, Any], rate: float, duration: float
) -> EndpointScenario:
    """`variant` alone under Poisson traffic at `rate` for `duration` seconds, one replication."""
    alone = {key: value for key, value in variant.items() if key != "autoscaling"}
    changes = {
        "duration": duration,
        "warmup": min(scenario.warmup, duration / 4),
        "replications": 1,
        "endpoint.variants": [{**alone, "weight": 1.0}],
        "endpoint.updates": [],
        "traffic.arrivals": {"process": "poisson", "rate": rate},
        "traffic.target_variants": [],
    }
    return derive(scenario, changes, EndpointScenario)


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
    seeds = [replication_seed(scenario.seed, index) for index in range(replications)]
    jobs = [
        (scenario, serverless, realtime, rate, duration, slo_p99_s, max_instances, max_error_rate, seeds)
        for rate in rates
    ]
    table = pd.DataFrame((executor or SerialExecutor()).map(_crossover_point, jobs))
    return Crossover(table=table, rate=crossing_rate(table))


CrossoverJob = tuple[
    EndpointScenario, dict[str, Any], dict[str, Any], float, float, float, int, float, list[Any]
]


def _usd_per_million_inferences(summary: Summary) -> float:
    return summary.cost_usd.total / max(summary.requests.completed, 1) * 1e6


def _meets_slo(summaries: list[Summary], slo_p99_s: float, max_error_rate: float) -> bool:
    return meets([s.latency_ms.p99 for s in summaries], slo_p99_s * 1000) and meets(
        [s.error_rate for s in summaries], max_error_rate
    )


def _crossover_point(job: CrossoverJob) -> dict[str, Any]:
    """One rate of the crossover: the serverless variant as configured, the fewest real-time instances."""
    scenario, serverless, realtime, rate, duration, slo_p99_s, max_instances, max_error_rate, seeds = job

    def runs(variant: dict[str, Any]) -> list[Summary]:
        single = _single(scenario, variant, rate, duration)
        return [simulate(single, seed).summary for seed in seeds]

    sl = runs(serverless)
    chosen = None
    for count in range(1, max_instances + 1):
        rt = runs({**realtime, "instance_count": count})
        if _meets_slo(rt, slo_p99_s, max_error_rate):
            chosen = (count, rt)
            break
    cold = [s.variants[serverless["name"]].serverless.cold_start_fraction for s in sl]  # type: ignore[union-attr]
    return {
        "rate_per_s": rate,
        "serverless_usd_per_million_inferences": float(np.mean([_usd_per_million_inferences(s) for s in sl])),
        "serverless_p99_ms": _mean_or_nan([s.latency_ms.p99 for s in sl]),
        "serverless_cold_start_pct": 100.0 * float(np.mean(cold)),
        "serverless_meets_slo": _meets_slo(sl, slo_p99_s, max_error_rate),
        "realtime_instances": chosen[0] if chosen else None,
        "realtime_usd_per_million_inferences": (
            float(np.mean([_usd_per_million_inferences(s) for s in chosen[1]])) if chosen else math.nan
        ),
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
