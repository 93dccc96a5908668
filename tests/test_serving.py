"""Pipelines, dynamic batching and Elastic Inference: exact logs, queueing theory, properties, costs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.core.rng import replication_seed
from simulator.core.stats import mean_ci95
from simulator.engine import simulate
from simulator.scenario import load_scenario_dict
from tests.queueing_theory import erlang_c_wait

ZERO = {"distribution": "deterministic", "value": 0}


def det(seconds: float) -> dict[str, Any]:
    return {"distribution": "deterministic", "value": seconds}


def endpoint_doc(model: dict[str, Any], arrivals: dict[str, Any], payload: float = 0, **variant: Any) -> dict:
    return {
        "name": "serving",
        "duration": variant.pop("duration", 100),
        "warmup": variant.pop("warmup", 0),
        "models": {"m": model},
        "endpoint": {
            "name": "ep",
            "overhead": ZERO,
            "network_bandwidth": 1e21,
            "variants": [{"name": "v", "model": "m", "instance_type": "ml.c5.xlarge", **variant}],
        },
        "traffic": {"arrivals": arrivals, "payload_size": payload},
    }


def trace(tmp_path: Path, times: list[float]) -> dict[str, Any]:
    path = tmp_path / "trace.csv"
    path.write_text("t\n" + "\n".join(str(t) for t in times) + "\n")
    return {"process": "trace", "file": str(path)}


# --- pipelines -------------------------------------------------------------------------------------------

THREE = [
    {"name": "pre", "service_time": det(0.010), "output_ratio": 0.5},
    {"name": "model", "service_time": det(0.030), "output_size": 2000},
    {"name": "post", "service_time": det(0.005)},
]


def test_pipeline_latency_is_sum_of_stages_and_hops_exactly(tmp_path: Path) -> None:
    """Deterministic stages, requests 1 s apart (no contention): latency = stages + hops, every request."""
    model = {"containers": THREE, "hop": {"latency": "1ms", "bandwidth": 1e6}}
    result = simulate(load_scenario_dict(endpoint_doc(model, trace(tmp_path, [0.5, 1.5, 2.5, 3.5]), 100_000)))
    requests = result.requests
    hops = (0.001 + 50_000 / 1e6) + (0.001 + 2000 / 1e6)  # pre passes 50 kB on, model 2 kB
    expected = 0.010 + 0.030 + 0.005 + hops
    assert list(requests["status"]) == ["OK"] * 4
    np.testing.assert_allclose(requests["latency"], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(requests["end"] - requests["arrival"], expected, rtol=0, atol=1e-12)
    block = result.summary.variants["v"].pipeline
    assert block.containers["model"].latency_ms.mean == pytest.approx(30.0, abs=1e-9)
    assert block.hops_ms.mean == pytest.approx(hops * 1000, abs=1e-9)
    assert block.model_latency_ms.mean == pytest.approx(expected * 1000, abs=1e-9)
    assert {"ContainerLatency:pre", "ContainerLatency:post"} <= set(result.metrics.columns)


def test_pipeline_stage_with_one_worker_queues_in_order(tmp_path: Path) -> None:
    """Two requests at once: both run `pre` in parallel (2 workers), then queue for the 1-worker model."""
    containers = [
        {"name": "pre", "service_time": det(0.010), "workers": 2},
        {"name": "model", "service_time": det(0.100), "workers": 1},
    ]
    model = {"containers": containers, "hop": {"latency": 0, "bandwidth": 1e300}}
    requests = simulate(load_scenario_dict(endpoint_doc(model, trace(tmp_path, [1.0, 1.0])))).requests
    assert sorted(requests["end"] - requests["arrival"]) == pytest.approx([0.110, 0.210], abs=1e-12)


def test_pipeline_mean_latency_matches_tandem_mmc_network() -> None:
    """Poisson arrivals through M/M/c stations in tandem (Burke: each stage is M/M/c with rate lambda).

    E[T] = sum over stages of (Erlang-C wait + service mean); must lie in the 95% CI of replications.
    """
    stages = [(0.040, 2), (0.100, 4), (0.030, 1)]  # (service mean, workers); rho 0.4, 0.5, 0.6
    rate = 20.0
    containers = [
        {"name": f"s{k}", "service_time": {"distribution": "exponential", "mean": mean}, "workers": c}
        for k, (mean, c) in enumerate(stages)
    ]
    model = {"containers": containers, "hop": {"latency": 0, "bandwidth": 1e300}}
    doc = endpoint_doc(
        model, {"process": "poisson", "rate": rate}, duration=1200, warmup=100, workers=4, max_queue=100000
    )
    scenario = load_scenario_dict(doc)
    means = [simulate(scenario, replication_seed(3, i)).summary.latency_ms.mean / 1000 for i in range(8)]
    analytic = sum(erlang_c_wait(rate, mean, c) + mean for mean, c in stages)
    interval = mean_ci95(means)
    assert interval["ci95_low"] <= analytic <= interval["ci95_high"], (analytic, interval)
    assert interval["ci95_high"] - interval["ci95_low"] < 0.05 * analytic  # the test has power


# --- dynamic batching ------------------------------------------------------------------------------------

GPU = "ml.g4dn.xlarge"  # one T4, speed 0.52 of a V100


def test_batch_forms_at_max_queue_delay(tmp_path: Path) -> None:
    """Three requests 1 ms apart, max batch 4, delay 10 ms: one batch of 3 starts at 10 ms."""
    batching = {"max_batch_size": 4, "max_queue_delay": "10ms", "base": 0.0052, "per_request": 0.00104}
    doc = endpoint_doc({"batching": batching}, trace(tmp_path, [0.0, 0.001, 0.002]), instance_type=GPU)
    result = simulate(load_scenario_dict(doc))
    batch_time = (0.0052 + 3 * 0.00104) / 0.52
    assert list(result.requests["start"]) == pytest.approx([0.010] * 3, abs=1e-12)
    assert list(result.requests["end"]) == pytest.approx([0.010 + batch_time] * 3, abs=1e-12)
    assert result.summary.variants["v"].batching.as_dict() == {"batches": 1, "mean_batch_size": 3.0}


def test_full_batch_starts_at_once(tmp_path: Path) -> None:
    batching = {"max_batch_size": 2, "max_queue_delay": "1s", "base": 0.01, "per_request": 0.01}
    doc = endpoint_doc({"batching": batching}, trace(tmp_path, [0.0, 0.001, 0.002]), instance_type=GPU)
    requests = simulate(load_scenario_dict(doc)).requests
    # the first two fill a batch at 1 ms; the third waits for a partner until its 1 s delay runs out
    assert list(requests["start"]) == pytest.approx([0.001, 0.001, 1.002], abs=1e-12)
    assert requests["end"].iloc[2] == pytest.approx(1.002 + 0.02 / 0.52, abs=1e-12)


def test_batch_of_one_without_delay_is_the_mgc_station(tmp_path: Path) -> None:
    """max batch 1, no delay, base 0: identical log to per-request deterministic GPU service."""
    times = list(np.cumsum(np.random.default_rng(1).exponential(0.01, 300)))
    batched = {"batching": {"max_batch_size": 1, "base": 0, "per_request": 0.012}}
    plain = {"gpu_service_time": det(0.012)}
    one = simulate(load_scenario_dict(endpoint_doc(batched, trace(tmp_path, times), instance_type=GPU)))
    two = simulate(load_scenario_dict(endpoint_doc(plain, trace(tmp_path, times), instance_type=GPU)))
    np.testing.assert_allclose(one.requests["end"], two.requests["end"], rtol=0, atol=1e-12)


def _batching_throughput(size: int, rate: float, base: float, per_request: float, delay: float) -> float:
    batching = {"max_batch_size": size, "max_queue_delay": delay, "base": base, "per_request": per_request}
    doc = endpoint_doc(
        {"batching": batching},
        {"process": "poisson", "rate": rate},
        instance_type=GPU,
        duration=60,
        warmup=10,
        max_queue=64,
    )
    doc["endpoint"]["invocation_timeout"] = 3600
    return simulate(load_scenario_dict(doc), 7).summary.throughput_per_s


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.floats(0.001, 0.02),
    per_request=st.floats(0.0005, 0.005),
    load=st.floats(0.3, 4.0),
    delay=st.sampled_from([0.0, 0.002, 0.01]),
    sizes=st.lists(st.sampled_from([1, 2, 4, 8, 16, 32]), min_size=2, max_size=2, unique=True).map(sorted),
)
def test_throughput_never_decreases_with_max_batch_size(
    base: float, per_request: float, load: float, delay: float, sizes: list[int]
) -> None:
    """Same arrivals (same seed); offered load `load` x the capacity at batch size 1.

    Throughput grows with the max batch size until it meets the offered load (saturation); the
    tolerance covers requests still queued or in a batch at the end of the measured window.
    """
    small, large = sizes
    capacity = 0.52 / (base + per_request)  # requests/s of the T4 at batch size 1
    rate = load * capacity
    low = _batching_throughput(small, rate, base, per_request, delay)
    high = _batching_throughput(large, rate, base, per_request, delay)
    edge = (large + 64 + rate * delay) / 50  # requests left inside at the end, per second of window
    assert high >= low - edge - 0.01 * low
    saturated = large * 0.52 / (base + per_request * large)
    assert high <= min(rate, saturated) * 1.05 + edge
    if rate >= 1.2 * saturated:  # overloaded: full batches back to back reach the batch capacity
        assert high >= 0.95 * saturated - edge


def test_gpu_memory_limit_counts_full_batch_activations(base_scenario: dict[str, Any]) -> None:
    from simulator.errors import ScenarioError

    batching = {"max_batch_size": 32, "base": 0.01, "per_request": 0.001, "activation_memory": "512MiB"}
    base_scenario["models"]["m1"] = {"batching": batching, "memory": "1GiB"}
    base_scenario["endpoint"]["variants"] = [{"name": "g", "model": "m1", "instance_type": GPU}]
    with pytest.raises(ScenarioError, match="GPU memory"):
        load_scenario_dict(base_scenario)


# --- Elastic Inference -----------------------------------------------------------------------------------

EI = {"gflops": 6, "cpu_time": det(0.004), "efficiency": 0.5, "bandwidth": 1e8, "round_trip": "1ms"}


def test_elastic_inference_time_and_cost(tmp_path: Path) -> None:
    """cpu 4 ms + 6 GFLOPs at 2 TFLOPS x 0.5 (6 ms) + 100 kB at 100 MB/s (1 ms) + 1 ms = 12 ms; the
    accelerator's price is added to the instance's."""
    model = {"service_time": det(0.050), "elastic_inference": EI}
    doc = endpoint_doc(
        model,
        trace(tmp_path, [1.0, 2.0]),
        100_000,
        instance_type="ml.c5.large",
        accelerator_type="ml.eia2.large",
        duration=3600,
    )
    result = simulate(load_scenario_dict(doc))
    np.testing.assert_allclose(result.requests["latency"], 0.012, rtol=0, atol=1e-12)
    price = 0.102 + 0.336
    assert result.summary.cost_usd.total == pytest.approx(price, rel=1e-12)
    assert result.billing["price_per_hour"].iloc[0] == pytest.approx(price)
    block = result.summary.variants["v"].elastic_inference
    assert block.accelerator_price_per_hour == pytest.approx(0.336)


def test_elastic_inference_accelerator_serves_one_at_a_time(tmp_path: Path) -> None:
    model = {"elastic_inference": EI}
    doc = endpoint_doc(
        model,
        trace(tmp_path, [1.0, 1.0]),
        100_000,
        instance_type="ml.c5.large",
        accelerator_type="ml.eia2.large",
    )
    requests = simulate(load_scenario_dict(doc)).requests
    assert sorted(requests["end"] - requests["arrival"]) == pytest.approx([0.012, 0.020], abs=1e-12)


def test_catalog_price_includes_accelerator() -> None:
    from simulator.catalog import load_catalog

    catalog = load_catalog()
    assert catalog.price_per_hour("ml.c5.large", "ml.eia2.medium") == pytest.approx(0.102 + 0.168)
    assert catalog.price_per_hour("ml.c5.large") == pytest.approx(0.102)
    assert math.isclose(catalog.accelerators["ml.eia1.xlarge"].fp32_tflops, 4)


def test_multi_gpu_instance_batches_on_every_gpu(tmp_path: Path) -> None:
    """ml.p3.8xlarge has 4 V100s: 8 requests at once, max batch 2 -> 4 full batches in parallel."""
    batching = {"max_batch_size": 2, "max_queue_delay": "1ms", "base": 0.010, "per_request": 0.005}
    doc = endpoint_doc({"batching": batching}, trace(tmp_path, [1.0] * 8), instance_type="ml.p3.8xlarge")
    result = simulate(load_scenario_dict(doc))
    assert list(result.requests["end"] - result.requests["arrival"]) == pytest.approx([0.020] * 8, abs=1e-12)
    assert result.summary.variants["v"].batching.as_dict() == {"batches": 4, "mean_batch_size": 2.0}


@pytest.mark.parametrize(
    "model",
    [
        {"containers": THREE},
        {"batching": {"max_batch_size": 8, "max_queue_delay": "5ms", "base": 0.01, "per_request": 0.002}},
        {"elastic_inference": EI},
    ],
    ids=["pipeline", "batching", "elastic-inference"],
)
def test_scale_in_and_closed_loop_conserve_requests(model: dict[str, Any]) -> None:
    """Scale-in (drain, then SIGKILL) and closed-loop users work on every new discipline: every request
    ends exactly once (arrived = completed + failed + throttled + in flight)."""
    instance = "ml.g4dn.xlarge" if "batching" in model else "ml.c5.large"
    variant: dict[str, Any] = {"instance_type": instance, "instance_count": 3}
    if "elastic_inference" in model:
        variant["accelerator_type"] = "ml.eia2.xlarge"
    for arrivals in (
        {"process": "poisson", "rate": "40/s"},
        {"process": "closed_loop", "users": 6, "think_time": det(0.05)},
    ):
        doc = endpoint_doc(model, arrivals, 10_000, duration=300, **variant)
        doc["endpoint"]["updates"] = [{"at": 100, "instance_counts": {"v": 1}}]
        result = simulate(load_scenario_dict(doc))
        requests = result.summary.requests
        assert requests.completed > 1000
        ended = requests.completed + requests.failed + requests.throttled + requests.in_flight
        assert ended == requests.arrived
        assert result.instances["terminated_at"].lt(300).sum() == 2


def test_cli_marks_elastic_inference_as_legacy(
    tmp_path: Path, cli: Any, write_scenario: Any, base_scenario: dict[str, Any]
) -> None:
    base_scenario["endpoint"]["variants"][0]["accelerator_type"] = "ml.eia2.medium"
    base_scenario["models"]["m1"]["elastic_inference"] = EI
    code, stdout, stderr = cli("run", write_scenario(base_scenario), "--out", tmp_path / "out")
    assert code == 0, stderr
    assert "note: Elastic Inference is a legacy service" in stdout
    summary = (tmp_path / "out" / "summary.json").read_text()
    assert "legacy service" in summary and "accelerator_price_per_hour" in summary
    assert "Elastic Inference" in (tmp_path / "out" / "report.html").read_text()


def test_measured_batch_time_per_instance_type_replaces_the_speed_factor(tmp_path: Path) -> None:
    """ml.p2.xlarge (K80): measured 20 ms + 4 ms x n used as is; ml.g4dn.xlarge still scales by 0.52."""
    batching = {
        "max_batch_size": 2,
        "max_queue_delay": "1ms",
        "base": 0.010,
        "per_request": 0.005,
        "per_instance_type": {"ml.p2.xlarge": {"base": "20ms", "per_request": "4ms"}},
    }
    arrivals = trace(tmp_path, [1.0, 1.0])
    for instance_type, expected in (("ml.p2.xlarge", 0.028), ("ml.g4dn.xlarge", 0.020 / 0.52)):
        doc = endpoint_doc({"batching": batching}, arrivals, instance_type=instance_type)
        requests = simulate(load_scenario_dict(doc)).requests
        assert list(requests["end"] - requests["arrival"]) == pytest.approx([expected] * 2, abs=1e-12)
