"""Streaming runs (fixed-memory aggregates) agree with full per-request records on the same traffic."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from simulator.engine import simulate
from simulator.metrics.histogram import LogHistogram
from simulator.scenario import load_scenario_dict

pytestmark = pytest.mark.slow  # minutes of simulation: `make test` runs it, `make test-fast` does not

# A diurnal day compressed to 2 hours at ~300/s: ~2 million requests, an autoscaled variant, a
# scheduled capacity change and an overloaded canary (throttles and timeouts): every figure is exercised.
DOCUMENT: dict[str, Any] = {
    "name": "stream",
    "seed": 8,
    "duration": "2h",
    "warmup": "10m",
    "models": {"m": {"service_time": {"distribution": "lognormal", "median": "20ms", "p99": "90ms"}}},
    "endpoint": {
        "name": "ep",
        "routing": "LEAST_OUTSTANDING_REQUESTS",
        "invocation_timeout": "2s",
        "variants": [
            {
                "name": "prod",
                "model": "m",
                "instance_type": "ml.c5.2xlarge",
                "instance_count": 2,
                "weight": 9,
                "autoscaling": {
                    "min_capacity": 1,
                    "max_capacity": 6,
                    "target_tracking": {
                        "metric": "SageMakerVariantInvocationsPerInstance",
                        "target_value": 6000,
                        "scale_out_cooldown": "60s",
                        "scale_in_cooldown": "300s",
                    },
                    "startup_time": {"distribution": "deterministic", "value": "4m"},
                },
            },
            {
                "name": "canary",
                "model": "m",
                "instance_type": "ml.c5.large",
                "instance_count": 1,
                "weight": 1,
                "workers": 1,
                "max_queue": 20,
            },
        ],
        "updates": [{"at": "1h", "instance_counts": {"canary": 2}}],
    },
    "traffic": {
        "arrivals": {
            "process": "diurnal",
            "mean_rate": "300/s",
            "amplitude": 0.6,
            "period": "2h",
            "peak_at": "1h",
        },
        "payload_size": "8KiB",
        "payload_cv": 0.5,
    },
}


def run(per_request_records: bool) -> Any:
    document = copy.deepcopy(DOCUMENT)
    document["metrics"] = {"per_request_records": per_request_records, "ring_capacity": 2**17}
    return simulate(load_scenario_dict(document))


@pytest.fixture(scope="module")
def both() -> tuple[Any, Any]:
    return run(True), run(False)


def test_counts_and_cost_are_identical(both: tuple[Any, Any]) -> None:
    full, streamed = both
    assert streamed.summary.requests == full.summary.requests
    assert streamed.summary.cost_usd == full.summary.cost_usd
    for name in ("prod", "canary"):
        assert streamed.summary.variants[name].requests == full.summary.variants[name].requests
        assert streamed.summary.variants[name].instances == full.summary.variants[name].instances
    assert full.summary.variants["canary"].requests.throttled > 0  # the overload case is exercised
    assert len(full.scaling) > 2 and streamed.scaling.equals(full.scaling)  # autoscaling saw the same load


def test_means_are_exact_and_percentiles_within_histogram_error(both: tuple[Any, Any]) -> None:
    full, streamed = both
    pairs = [(full.summary, streamed.summary)]
    pairs += [(full.summary.variants[name], streamed.summary.variants[name]) for name in ("prod", "canary")]
    for f, s in pairs:
        for figure in ("latency_ms", "model_latency_ms"):
            exact, streamed_figure = getattr(f, figure), getattr(s, figure)
            assert streamed_figure.mean == pytest.approx(exact.mean, rel=1e-9)
            assert streamed_figure.max == pytest.approx(exact.max, rel=1e-12)
            for q in ("p50", "p90", "p95", "p99"):
                assert getattr(streamed_figure, q) == pytest.approx(getattr(exact, q), rel=2e-3), (figure, q)
        assert s.queue_wait_ms.mean == pytest.approx(f.queue_wait_ms.mean, rel=1e-9)


def test_per_minute_series_agree(both: tuple[Any, Any]) -> None:
    full, streamed = both
    exact = ["Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "InServiceInstances", "cost_usd"]
    for column in exact:
        assert np.array_equal(streamed.metrics[column].to_numpy(), full.metrics[column].to_numpy()), column
    for column in ("ModelLatency", "OverheadLatency", "CPUUtilization"):
        assert np.allclose(streamed.metrics[column], full.metrics[column], rtol=1e-9, equal_nan=True), column
    # per-minute quantiles come from 5%-wide buckets (2.5% error) and use the nearest-rank definition
    requests = full.requests
    ok = requests[requests["status"] == "OK"].assign(
        minute=lambda r: (r["arrival"] // 60).astype(int), model=lambda r: (r["end"] - r["arrival"]) * 1e6
    )
    for q, column in ((0.5, "ModelLatency_p50"), (0.99, "ModelLatency_p99")):
        for variant, group in ok.groupby("variant", observed=True):
            exact = group.groupby("minute")["model"].apply(
                lambda values, q=q: np.sort(values.to_numpy())[int(np.ceil(q * len(values))) - 1]
            )
            mine = streamed.metrics[streamed.metrics["variant"] == variant].set_index("time_s")[column]
            approx = mine.loc[exact.index * 60.0].to_numpy()
            assert np.allclose(approx, exact.to_numpy(), rtol=0.026), (variant, column)


def test_streaming_keeps_no_per_request_records(both: tuple[Any, Any]) -> None:
    _, streamed = both
    assert streamed.log is None
    with pytest.raises(ValueError, match="streamed"):
        _ = streamed.requests


def test_histogram_percentiles_are_within_their_relative_error() -> None:
    values = np.random.default_rng(3).lognormal(-3, 1.5, 300_000)
    histogram = LogHistogram(relative_error=0.0005)
    for part in np.array_split(values, 7):
        histogram.add(part)
    for q in (1, 50, 90, 99, 99.9):
        exact = np.sort(values)[int(np.ceil(q / 100 * len(values))) - 1]
        assert histogram.percentile(q) == pytest.approx(exact, rel=1.01e-3)
    assert histogram.sum / histogram.total == pytest.approx(values.mean())
