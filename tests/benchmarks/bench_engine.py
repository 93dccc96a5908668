"""Engine benchmark (`make bench`): simulated requests per wall-second, side by side with bare SimPy.

Prints, for the same offered load, the full sagesim endpoint model (two variants, per-minute metrics
and the summary computed) and a textbook SimPy M/M/c (one process plus a simpy.Resource request per
customer) run alternately in this process, their medians and the ratio; then the peak memory of a
5-million-request run in a fresh process. Targets: ratio >= 2, peak memory <= 1 GiB.
Ratios, not absolute times, are the figures to compare: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np
import simpy

from simulator.engine import simulate
from simulator.scenario import load_scenario_dict

SERVICE_MEAN = 0.05
SERVERS = 8
UTILISATION = 0.8
RATE = UTILISATION * SERVERS / SERVICE_MEAN  # 128 requests/s


def bare_simpy_mmc(customers: int, seed: int = 1) -> float:
    """Textbook SimPy M/M/c; returns simulated customers per wall-second."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / RATE, customers).tolist()
    services = rng.exponential(SERVICE_MEAN, customers).tolist()
    waits: list[float] = []
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)

    def customer(index: int) -> Any:
        arrived = env.now
        with servers.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(services[index])

    def source() -> Any:
        for index in range(customers):
            yield env.timeout(gaps[index])
            env.process(customer(index))

    started = time.perf_counter()
    env.process(source())
    env.run()
    return customers / (time.perf_counter() - started)


def endpoint_document(requests: int) -> dict[str, Any]:
    """Two variants (90/10 split, LEAST_OUTSTANDING_REQUESTS), same total load as the bare model."""
    return {
        "name": "bench",
        "seed": 1,
        "duration": requests / RATE,
        "models": {"m": {"service_time": {"distribution": "exponential", "mean": SERVICE_MEAN}}},
        "endpoint": {
            "name": "ep",
            "routing": "LEAST_OUTSTANDING_REQUESTS",
            "variants": [
                {
                    "name": "prod",
                    "model": "m",
                    "instance_type": "ml.c5.2xlarge",
                    "instance_count": 1,
                    "weight": 9,
                },
                {
                    "name": "canary",
                    "model": "m",
                    "instance_type": "ml.c5.large",
                    "instance_count": 1,
                    "weight": 1,
                },
            ],
        },
        "traffic": {"arrivals": {"process": "poisson", "rate": RATE}},
    }


def sagesim_endpoint(requests: int) -> float:
    """Full model incl. build, per-minute metrics and summary; returns requests per wall-second."""
    scenario = load_scenario_dict(endpoint_document(requests))
    started = time.perf_counter()
    result = simulate(scenario)
    elapsed = time.perf_counter() - started
    return result.summary["requests"]["arrived"] / elapsed


def peak_memory_run(requests: int) -> None:
    """Run once and print peak RSS (for the memory figure, in a fresh process)."""
    started = time.perf_counter()
    rate = sagesim_endpoint(requests)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{requests} requests: {rate:,.0f} requests/s, wall {time.perf_counter() - started:.1f} s, "
        f"peak RSS {peak_kib / 1024**2:.3f} GiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300_000, help="requests per throughput run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-requests", type=int, default=5_000_000)
    parser.add_argument(
        "--only", choices=["simpy", "sagesim", "memory"], help="run one part (for external timers)"
    )
    args = parser.parse_args()
    if args.only == "simpy":
        print(f"bare SimPy M/M/c: {bare_simpy_mmc(args.requests):,.0f} customers/s")
        return
    if args.only == "sagesim":
        print(f"sagesim endpoint: {sagesim_endpoint(args.requests):,.0f} requests/s")
        return
    if args.only == "memory":
        peak_memory_run(args.memory_requests)
        return
    bare, full = [], []
    for _ in range(args.repeats):  # alternate so both see the same machine conditions
        bare.append(bare_simpy_mmc(args.requests))
        full.append(sagesim_endpoint(args.requests))
    bare_median, full_median = statistics.median(bare), statistics.median(full)
    print(
        f"offered load: {RATE:.0f} requests/s, {args.requests:,} requests per run, {args.repeats} runs each"
    )
    print(
        f"bare SimPy M/M/c (process + Resource per customer): median {bare_median:,.0f} customers/s "
        f"(min {min(bare):,.0f}, max {max(bare):,.0f})"
    )
    print(
        f"sagesim endpoint (2 variants, metrics on):          median {full_median:,.0f} requests/s "
        f"(min {min(full):,.0f}, max {max(full):,.0f})"
    )
    ratio = full_median / bare_median
    print(f"ratio sagesim / bare SimPy: {ratio:.2f}  (target >= 2: {'met' if ratio >= 2 else 'MISSED'})")
    output = subprocess.run(
        [sys.executable, __file__, "--only", "memory", "--memory-requests", str(args.memory_requests)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    peak = float(output.rsplit("peak RSS ", 1)[1].split()[0])
    print(f"memory: {output}  (target <= 1 GiB: {'met' if peak <= 1 else 'MISSED'})")


if __name__ == "__main__":
    main()
