"""Engine benchmark (`make bench`): simulated requests per wall-second, side by side with bare SimPy.

Prints, for the same offered load, run alternately in this process and as medians:
- a textbook SimPy M/M/c (one process plus a simpy.Resource request per customer);
- a plain-Python heap recursion of the same M/M/c (Kiefer-Wolfowitz: the workers' free times in a
  heap, waits only): the reference for what an interpreted loop can do;
- sagesim's fast engine on the same static M/M/c (one ml.c5.2xlarge, 8 workers) and on the two-variant
  LEAST_OUTSTANDING_REQUESTS endpoint, whole `simulate()` (arrivals, per-minute metrics, summary) and
  the engine part alone;
- sagesim's SimPy engine on the two-variant endpoint;
then the ratios, and the peak memory of a 5-million-request run (every record kept) on each engine,
each in a fresh process. Targets: SimPy engine >= 2x bare SimPy; fast engine >= 20x bare SimPy and
within 3x of the heap recursion; peak memory <= 1 GiB. The process keeps freed memory for reuse, as
the CLI and its pool workers do (simulator/core/allocator.py). Ratios, not absolute times, are the figures
to compare: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import heapq
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np
import simpy

from simulator.core.allocator import keep_freed_memory
from simulator.engine import simulate
from simulator.engine.fast import run as fast_run
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


def heap_recursion_mmc(customers: int, seed: int = 1) -> float:
    """M/M/c FCFS as a recursion: each customer takes the earliest free worker (a heap of free times)."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1 / RATE, customers)).tolist()
    services = rng.exponential(SERVICE_MEAN, customers).tolist()
    waits = [0.0] * customers
    free = [0.0] * SERVERS
    replace = heapq.heapreplace
    started = time.perf_counter()
    for index, arrived in enumerate(arrivals):
        earliest = free[0]
        begin = arrived if arrived > earliest else earliest
        waits[index] = begin - arrived
        replace(free, begin + services[index])
    return customers / (time.perf_counter() - started)


def mmc_document(requests: int) -> dict[str, Any]:
    """The bare models' M/M/c as a scenario: one ml.c5.2xlarge (8 vCPUs, 8 workers), same load."""
    document = endpoint_document(requests)
    document["endpoint"] = {
        "name": "ep",
        "variants": [{"name": "mmc", "model": "m", "instance_type": "ml.c5.2xlarge", "workers": SERVERS}],
    }
    return document


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


def sagesim_endpoint(requests: int, engine: str = "simpy", document: dict[str, Any] | None = None) -> float:
    """Full model incl. build, per-minute metrics and summary; returns requests per wall-second."""
    scenario = load_scenario_dict({**(document or endpoint_document(requests)), "engine": engine})
    started = time.perf_counter()
    result = simulate(scenario)
    elapsed = time.perf_counter() - started
    assert result.summary.engine == engine
    return result.summary.requests.arrived / elapsed


def fast_engine(document: dict[str, Any]) -> tuple[float, float]:
    """(whole simulate(), engine part alone) in requests per wall-second, fast engine."""
    spent: list[float] = []
    original = fast_run.run_fast

    def timed(*arguments: Any) -> None:
        started = time.perf_counter()
        original(*arguments)
        spent.append(time.perf_counter() - started)

    module = sys.modules["simulator.engine.simulate"]
    module.run_fast = timed  # type: ignore[attr-defined]
    try:
        scenario = load_scenario_dict({**document, "engine": "fast"})
        started = time.perf_counter()
        result = simulate(scenario)
        elapsed = time.perf_counter() - started
    finally:
        module.run_fast = original  # type: ignore[attr-defined]
    arrived = result.summary.requests.arrived
    return arrived / elapsed, arrived / spent[0]


def peak_memory_run(requests: int, engine: str) -> None:
    """Run once and print peak RSS (for the memory figure, in a fresh process)."""
    started = time.perf_counter()
    rate = sagesim_endpoint(requests, engine)
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
        "--engine", choices=["simpy", "fast"], default="simpy", help="engine of --only memory"
    )
    parser.add_argument(
        "--only", choices=["simpy", "sagesim", "fast", "memory"], help="run one part (for external timers)"
    )
    args = parser.parse_args()
    kept = keep_freed_memory()  # as `sagesim` and its pool workers do, for every model alike
    if args.only == "simpy":
        print(f"bare SimPy M/M/c: {bare_simpy_mmc(args.requests):,.0f} customers/s")
        return
    if args.only == "sagesim":
        print(f"sagesim endpoint: {sagesim_endpoint(args.requests):,.0f} requests/s")
        return
    if args.only == "fast":
        whole, engine = fast_engine(endpoint_document(args.requests))
        print(f"fast engine, 2-variant endpoint: {whole:,.0f} requests/s whole, {engine:,.0f} engine part")
        return
    if args.only == "memory":
        peak_memory_run(args.memory_requests, args.engine)
        return
    rates: dict[str, list[float]] = {
        key: [] for key in ("bare", "heap", "mmc", "mmc_engine", "lor", "lor_engine", "simpy")
    }
    for _ in range(args.repeats):  # alternate so every model sees the same machine conditions
        rates["bare"].append(bare_simpy_mmc(args.requests))
        rates["heap"].append(heap_recursion_mmc(args.requests))
        whole, engine = fast_engine(mmc_document(args.requests))
        rates["mmc"].append(whole)
        rates["mmc_engine"].append(engine)
        whole, engine = fast_engine(endpoint_document(args.requests))
        rates["lor"].append(whole)
        rates["lor_engine"].append(engine)
        rates["simpy"].append(sagesim_endpoint(args.requests))
    median = {key: statistics.median(values) for key, values in rates.items()}
    print(
        f"offered load: {RATE:.0f} requests/s, {args.requests:,} requests per run, {args.repeats} runs each;"
        f" freed memory kept for reuse as the CLI keeps it: {kept}"
    )
    rows = [
        ("bare", "bare SimPy M/M/c (process + Resource per customer)"),
        ("heap", "plain heap recursion M/M/c (waits only)"),
        ("mmc", "fast engine, static M/M/c, whole simulate()"),
        ("mmc_engine", "fast engine, static M/M/c, engine part"),
        ("lor", "fast engine, 2-variant LOR endpoint, whole"),
        ("lor_engine", "fast engine, 2-variant LOR endpoint, engine"),
        ("simpy", "SimPy engine, 2-variant LOR endpoint, whole"),
    ]
    for key, label in rows:
        values = rates[key]
        print(f"{label:52} median {median[key]:>11,.0f}/s (min {min(values):,.0f}, max {max(values):,.0f})")

    def verdict(value: float, target: float) -> str:
        return "met" if value >= target else "MISSED"

    bare = median["bare"]
    for key, label in (("mmc", "static M/M/c"), ("lor", "2-variant LOR")):
        whole, engine = median[key] / bare, median[f"{key}_engine"] / bare
        print(
            f"fast / bare SimPy, {label}: {whole:.1f}x whole, {engine:.1f}x engine part"
            f"  (target >= 20: {verdict(whole, 20)} whole, {verdict(engine, 20)} engine part)"
        )
    for key, label in (("mmc", "whole simulate()"), ("mmc_engine", "engine part")):
        behind = median["heap"] / median[key]
        print(
            f"heap recursion / fast M/M/c, {label}: {behind:.2f}x"
            f"  (target <= 3: {'met' if behind <= 3 else 'MISSED'})"
        )
    ratio = median["simpy"] / bare
    print(f"SimPy engine / bare SimPy: {ratio:.2f}  (target >= 2: {verdict(ratio, 2)})")
    for engine in ("simpy", "fast"):  # both keep every record at 5 million requests
        command = [sys.executable, __file__, "--only", "memory", "--engine", engine]
        output = subprocess.run(
            [*command, "--memory-requests", str(args.memory_requests)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        peak = float(output.rsplit("peak RSS ", 1)[1].split()[0])
        print(f"memory, {engine} engine: {output}  (target <= 1 GiB: {'met' if peak <= 1 else 'MISSED'})")


if __name__ == "__main__":
    main()
