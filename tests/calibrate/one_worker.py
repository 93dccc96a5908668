"""A one-core, one-worker serving profile for tests: the rate table calibration would have written."""

from __future__ import annotations

from simulator.calibrate.profiles import ServeProfile


def rate_table(rates: list[float], cpu_per_request: list[float], max_throughput: float) -> dict[str, object]:
    """Calibration's rate table when the service time moves only with the CPU a request took: each
    rate's factor is its CPU per request over the lightest rate's, the saturation factor the last."""
    factors = [cpu / cpu_per_request[0] for cpu in cpu_per_request]
    return {
        "rates": rates,
        "factors": factors,
        "cpu_per_request": cpu_per_request,
        "saturation_factor": factors[-1],
        "measured_max_throughput": max_throughput,
    }


def one_worker_profile(service: dict[str, object], table: dict[str, object]) -> ServeProfile:
    """One vCPU, one worker, no overhead: the queue is the only thing between send and done."""
    return ServeProfile(service, {"distribution": "deterministic", "value": 0.0}, 1, 1, {"rate_scale": table})
