"""Analytic validation: simulated queue waits against closed-form queueing theory.

Tolerances are not hand-picked: each figure is estimated from independent replications and the
test asserts the theoretical value lies inside the 95% confidence interval. To keep the test able
to fail, the interval must also be narrow (half-width below a stated fraction of the theory).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from simulator.core.rng import replication_seed
from simulator.core.stats import mean_ci95
from simulator.engine import simulate
from simulator.scenario import load_scenario_dict
from tests.queueing_theory import (
    erlang_c_wait,
    md1_wait,
    pollaczek_khinchine_wait,
    processor_sharing_sojourn,
)

pytestmark = pytest.mark.slow  # minutes of simulation: `make test` runs it, `make test-fast` does not


def station(
    service: dict[str, Any],
    rate: float,
    workers: int,
    customers: int,
    instance: str = "ml.c5.2xlarge",
    seed: int = 1,
) -> dict[str, Any]:
    """One instance of `workers` workers (<= vCPUs: an exact M/G/c station), no overhead."""
    mean_service = {"exponential": service.get("mean"), "deterministic": service.get("value")}.get(
        service["distribution"], service.get("mean")
    )
    duration = customers / rate
    return {
        "name": "station",
        "seed": seed,
        "duration": duration,
        "warmup": min(duration * 0.1, 2000 * float(mean_service)),
        "models": {"m": {"service_time": service}},
        "endpoint": {
            "name": "ep",
            "overhead": {"distribution": "deterministic", "value": 0},
            "invocation_timeout": 3600,
            "variants": [
                {"name": "v", "model": "m", "instance_type": instance, "workers": workers, "max_queue": 10**7}
            ],
        },
        "traffic": {"arrivals": {"process": "poisson", "rate": rate}, "payload_size": 0},
    }


def replicated(document: dict[str, Any], replications: int, figure: str) -> dict[str, float | None]:
    scenario = load_scenario_dict(document)
    values = []
    for index in range(replications):
        summary = simulate(scenario, replication_seed(scenario.seed, index)).summary
        part, name = figure.split(".")
        values.append(getattr(getattr(summary, part), name) / 1000.0)
    return mean_ci95(values)


def assert_covers(ci: dict[str, float | None], theory: float, max_relative_half_width: float) -> None:
    low, high = ci["ci95_low"], ci["ci95_high"]
    assert low is not None and high is not None
    assert low <= theory <= high, f"theory {theory:.5f} outside 95% CI [{low:.5f}, {high:.5f}]"
    assert (high - low) / 2 <= max_relative_half_width * theory, "CI too wide to be a meaningful check"


@pytest.mark.parametrize(
    ("utilisation", "servers", "customers"),
    [(0.3, 4, 40_000), (0.6, 4, 60_000), (0.8, 6, 120_000), (0.95, 8, 300_000)],
)
def test_mmc_wait_matches_erlang_c(utilisation: float, servers: int, customers: int) -> None:
    service_mean = 0.1
    rate = utilisation * servers / service_mean
    document = station({"distribution": "exponential", "mean": service_mean}, rate, servers, customers)
    ci = replicated(document, 10, "queue_wait_ms.mean")
    assert_covers(ci, erlang_c_wait(rate, service_mean, servers), max_relative_half_width=0.15)


@pytest.mark.parametrize(
    ("utilisation", "cv", "customers"),
    [(0.3, 0.5, 40_000), (0.7, 1.5, 100_000), (0.9, 0.5, 200_000)],
)
def test_mg1_wait_matches_pollaczek_khinchine(utilisation: float, cv: float, customers: int) -> None:
    service_mean = 0.05
    rate = utilisation / service_mean
    document = station({"distribution": "gamma", "mean": service_mean, "cv": cv}, rate, 1, customers)
    ci = replicated(document, 10, "queue_wait_ms.mean")
    theory = pollaczek_khinchine_wait(rate, service_mean, (cv * service_mean) ** 2)
    assert_covers(ci, theory, max_relative_half_width=0.15)


@pytest.mark.parametrize(("utilisation", "customers"), [(0.5, 40_000), (0.95, 300_000)])
def test_md1_wait(utilisation: float, customers: int) -> None:
    service = 0.02
    rate = utilisation / service
    document = station({"distribution": "deterministic", "value": service}, rate, 1, customers)
    ci = replicated(document, 10, "queue_wait_ms.mean")
    assert_covers(ci, md1_wait(rate, service), max_relative_half_width=0.15)


def test_processor_sharing_sojourn_is_insensitive() -> None:
    """64 workers sharing one vCPU is M/G/1-PS: mean sojourn S / (1 - rho) whatever the distribution."""
    service_mean = 0.05
    rate = 0.7 / service_mean
    document = station(
        {"distribution": "lognormal", "mean": service_mean, "cv": 2.0},
        rate,
        64,
        80_000,
        instance="ml.c5.large",
    )
    document["catalog"] = {"ml.c5.large": {"vcpus": 1}}
    ci = replicated(document, 10, "latency_ms.mean")
    assert_covers(ci, processor_sharing_sojourn(rate, service_mean), max_relative_half_width=0.15)


def test_littles_law_holds_over_the_measured_window() -> None:
    """L (time-average number in system) = lambda x W, from the per-request records."""
    rate, service_mean, servers = 30.0, 0.2, 8
    document = station({"distribution": "gamma", "mean": service_mean, "cv": 0.7}, rate, servers, 200_000)
    scenario = load_scenario_dict(document)
    result = simulate(scenario)
    requests = result.requests
    start, end = scenario.measured_window()
    finished = requests["end"].fillna(end).to_numpy()
    arrival = requests["arrival"].to_numpy()
    in_window = np.clip(np.minimum(finished, end) - np.maximum(arrival, start), 0, None)
    time_average_in_system = in_window.sum() / (end - start)
    inside = (arrival >= start) & (arrival < end)
    throughput = inside.sum() / (end - start)
    sojourn = (np.minimum(finished, end) - arrival)[inside].mean()
    assert time_average_in_system == pytest.approx(throughput * sojourn, rel=0.01)
    assert time_average_in_system == pytest.approx(
        rate * service_mean + rate * erlang_c_wait(rate, service_mean, servers), rel=0.05
    )
