"""Batch transform: duration and cost against closed forms in deterministic cases; strategies; CLI."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simulator.core.rng import replication_seed
from simulator.execution.executors import LocalPoolExecutor
from simulator.scenario import load_scenario_dict
from simulator.scenario.crossref import scenario_catalog
from simulator.training.transform import simulate_transform
from simulator.training_analysis import transform_replications

FIGURES = ["records", "records_per_invocation", "invocations", "duration_s", "throughput_records_per_s"]
FIGURES += ["cost_usd", "usd_per_million_records"]


def det(seconds: float) -> dict[str, Any]:
    return {"distribution": "deterministic", "value": seconds}


def transform_doc(model: dict[str, Any], **job: Any) -> dict[str, Any]:
    return {
        "name": "transform",
        "models": {"m": model},
        "batch_transform": {
            "model": "m",
            "instance_type": "ml.c5.xlarge",
            "startup_time": det(300),
            **job,
        },
    }


def run_once(document: dict[str, Any]) -> dict[str, Any]:
    scenario = load_scenario_dict(document)
    job = scenario.batch_transform
    assert job is not None
    return simulate_transform(job, scenario.models[job.model], scenario_catalog(scenario), 0)


def test_multi_record_duration_and_cost_match_closed_form() -> None:
    """10,001 records on 2 instances (5,001 + 5,000), 100 per invocation, 4 transforms on 4 vCPUs.

    Instance 0: 51 invocations (50 full + 1 of one record) on 4 loops: 13 rounds, the last loop ends with
    the 1-record one. Full invocation = 5 ms + 100 x 1 kB / 100 MB/s + 100 x 10 ms = 1.006 s.
    """
    document = transform_doc(
        {"service_time": det(0.010)},
        instance_count=2,
        dataset={"records": 10_001, "record_size": 1000},
        max_concurrent_transforms=4,
        max_payload="100KB",
        invocation_overhead="5ms",
        data_bandwidth=100e6,
    )
    result = run_once(document)
    full = 0.005 + 100 * 1000 / 100e6 + 100 * 0.010
    # instance 0: loops take invocations round-robin in time order; 51 = 4 x 12 + 3, the 13th round
    # has three loops busy, one of them with the 1-record invocation: makespan 13 full invocations.
    instance0 = 300 + 13 * full
    instance1 = 300 + math.ceil(50 / 4) * full
    duration = max(instance0, instance1)
    assert result["records_per_invocation"] == 100
    assert result["invocations"] == 51 + 50
    assert result["instances"]["instance-0"]["finished_at_s"] == pytest.approx(instance0, abs=1e-9)
    assert result["instances"]["instance-1"]["finished_at_s"] == pytest.approx(instance1, abs=1e-9)
    assert result["duration_s"] == pytest.approx(duration, abs=1e-9)
    assert result["cost_usd"] == pytest.approx(2 * 0.204 * duration / 3600, rel=1e-12)
    assert result["throughput_records_per_s"] == pytest.approx(10_001 / duration)
    busy0 = 50 * 100 * 0.010 + 1 * 0.010
    assert result["instances"]["instance-0"]["utilisation"] == pytest.approx(busy0 / (4 * duration))
    processing1 = result["instances"]["instance-1"]["processing_utilisation"]
    assert processing1 == pytest.approx(50 * 100 * 0.010 / (4 * 13 * full))


def test_single_record_and_oversubscribed_transforms_stretch_compute() -> None:
    """SingleRecord, 8 transforms on 4 vCPUs: compute at half speed; 80 records on 8 loops: 10 rounds."""
    document = transform_doc(
        {"service_time": det(0.020)},
        dataset={"size": "80KB", "record_size": "1KB"},
        max_concurrent_transforms=8,
        batch_strategy="SingleRecord",
        invocation_overhead=0,
        data_bandwidth=1e300,
    )
    result = run_once(document)
    assert result["records"] == 80 and result["invocations"] == 80
    assert result["duration_s"] == pytest.approx(300 + 10 * 0.020 * 2, abs=1e-9)


def test_batching_model_uses_batch_time_on_gpu() -> None:
    """A GPU batching model: 64 records per invocation = 2 batches of 32, (6 ms + 32 x 1 ms) / 0.52 each."""
    model = {"batching": {"max_batch_size": 32, "base": "6ms", "per_request": "1ms"}}
    document = transform_doc(
        model,
        instance_type="ml.g4dn.xlarge",
        dataset={"records": 128, "record_size": 1000},
        max_payload="64KB",
        invocation_overhead=0,
        data_bandwidth=1e300,
    )
    result = run_once(document)
    assert result["records_per_invocation"] == 64
    assert result["duration_s"] == pytest.approx(300 + 2 * 2 * 0.038 / 0.52, abs=1e-9)


def test_pipeline_model_adds_every_container_and_hop() -> None:
    model = {
        "containers": [
            {"name": "a", "service_time": det(0.001), "output_size": 10},
            {"name": "b", "service_time": det(0.002)},
        ],
        "hop": {"latency": "1ms", "bandwidth": 1e300},
    }
    document = transform_doc(
        model,
        dataset={"records": 10, "record_size": 100},
        max_payload=1000,
        max_concurrent_transforms=1,
        invocation_overhead=0,
        data_bandwidth=1e300,
    )
    result = run_once(document)
    assert result["duration_s"] == pytest.approx(300 + 10 * 0.003 + 0.001, abs=1e-9)


def test_replications_give_confidence_intervals() -> None:
    document = transform_doc(
        {"service_time": {"distribution": "exponential", "mean": 0.01}},
        dataset={"records": 5000, "record_size": 1000},
        startup_time={"distribution": "lognormal", "median": 240, "p99": 480},
    )
    document["seed"] = 4
    summary = transform_replications(load_scenario_dict(document), 4)
    assert summary.replications is not None and summary.replications.n == 4
    interval = summary.replications.duration_s
    assert interval.ci95_low < summary.batch_transform.duration_s < interval.ci95_high
    assert transform_replications(load_scenario_dict(document), 4, LocalPoolExecutor(2)) == summary
    data = summary.as_dict()
    assert list(data) == ["batch_transform", "replications"]
    assert list(data["batch_transform"]) == ["instance_type", "instance_count", *FIGURES, "instances"]
    assert list(data["replications"]) == ["n", *FIGURES, "instances"]
    spread = data["replications"]["instances"]["instance-0"]["utilisation"]
    assert list(spread) == ["mean", "ci95_low", "ci95_high"]


def test_one_run_is_written_as_is_without_replications() -> None:
    document = transform_doc({"service_time": det(0.01)}, dataset={"records": 1000, "record_size": 1000})
    scenario = load_scenario_dict(document)
    data = transform_replications(scenario, 1).as_dict()
    assert list(data) == ["batch_transform"]
    job = data["batch_transform"]
    assert job["records"] == 1000 and isinstance(job["records"], int)  # not a mean, so not a float
    run = simulate_transform(
        scenario.batch_transform,
        scenario.models[scenario.batch_transform.model],
        scenario_catalog(scenario),
        replication_seed(scenario.seed, 0),
    )
    assert job == {"instance_type": "ml.c5.xlarge", "instance_count": 1, **run}


def test_cli_runs_a_batch_transform(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]], write_scenario: Callable[[Any], Path]
) -> None:
    document = transform_doc({"service_time": det(0.01)}, dataset={"records": 1000, "record_size": 1000})
    code, stdout, _ = cli("run", write_scenario(document), "--out", tmp_path / "out")
    assert code == 0
    assert "job duration s" in stdout
    assert (tmp_path / "out" / "report.html").exists() and (tmp_path / "out" / "summary.json").exists()
