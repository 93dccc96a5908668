"""Elastic benchmark: diurnal traffic with target tracking vs the same traffic on a static fleet.

Default: one simulated week at a mean of 200 requests/s (about 121 million requests). Each run goes in
a fresh process so peak RSS is its own. Prints wall time, simulated requests per wall-second, peak
memory and the ratio autoscaled / static (target >= 0.8; peak memory target <= 1 GiB).
Runs above 10 million expected requests stream their records into per-minute aggregates and latency
histograms (metrics.per_request_records: auto), which is what keeps a week within the memory target.
`--days` and `--rate` scale the run down.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any


def document(days: float, rate: float, autoscaled: bool) -> dict[str, Any]:
    variant: dict[str, Any] = {
        "name": "prod",
        "model": "m",
        "instance_type": "ml.c5.xlarge",
        "instance_count": 8,
    }
    if autoscaled:
        variant["autoscaling"] = {
            "min_capacity": 2,
            "max_capacity": 16,
            "target_tracking": {
                "target_value": 2400,
                "scale_out_cooldown": "60s",
                "scale_in_cooldown": "300s",
            },
            "startup_time": {"distribution": "lognormal", "median": "4m", "p99": "8m"},
        }
    return {
        "name": "bench-elastic",
        "seed": 1,
        "duration": days * 86400,
        "models": {"m": {"service_time": {"distribution": "exponential", "mean": 0.05}}},
        "endpoint": {"name": "ep", "routing": "LEAST_OUTSTANDING_REQUESTS", "variants": [variant]},
        "traffic": {"arrivals": {"process": "diurnal", "mean_rate": rate, "amplitude": 0.5}},
    }


def child(days: float, rate: float, autoscaled: bool) -> None:
    from simulator.engine import simulate
    from simulator.scenario import load_scenario_dict

    scenario = load_scenario_dict(document(days, rate, autoscaled))
    started = time.perf_counter()
    result = simulate(scenario)
    wall = time.perf_counter() - started
    requests = result.summary.requests.arrived
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB -> GiB
    print(
        json.dumps(
            {
                "requests": requests,
                "wall_s": wall,
                "rate": requests / wall,
                "peak_gib": peak,
                "activities": len(result.scaling),
                "p99_ms": result.summary.latency_ms.p99,
            }
        )
    )


def run(days: float, rate: float, autoscaled: bool) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", "--days", str(days), "--rate", str(rate)]
    if autoscaled:
        args.append("--autoscaled")
    output = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--autoscaled", action="store_true")
    options = parser.parse_args()
    if options.child:
        child(options.days, options.rate, options.autoscaled)
        return
    static = run(options.days, options.rate, False)
    elastic = run(options.days, options.rate, True)
    for label, figures in (("static 8 x ml.c5.xlarge", static), ("target tracking 2-16", elastic)):
        print(
            f"{label:<26} {figures['requests']:>12,} requests  wall {figures['wall_s']:7.1f} s  "
            f"{figures['rate']:>10,.0f} requests/s  peak RSS {figures['peak_gib']:.3f} GiB  "
            f"p99 {figures['p99_ms']:.1f} ms"
        )
    ratio = elastic["rate"] / static["rate"]
    print(f"scaling activities: {elastic['activities']}")
    print(f"ratio autoscaled / static: {ratio:.2f}  (target >= 0.8: {'met' if ratio >= 0.8 else 'NOT met'})")
    memory = "met" if elastic["peak_gib"] <= 1.0 else "NOT met"
    print(f"peak memory {elastic['peak_gib']:.3f} GiB  (target <= 1 GiB: {memory})")


if __name__ == "__main__":
    main()
