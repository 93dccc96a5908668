"""Inputs that are valid in form but would make the work endless: refused up front with one line.

Each runs as a whole process with a time bound, because the regression these tests guard against is a
command that runs for hours or until memory is gone, not one that fails.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from simulator.engine.backlog import arrivals_by, refuse_ring_overflow, ring_estimate
from simulator.engine.simulate import ring_capacity, simulate
from simulator.errors import ScenarioError
from simulator.scenario import load_scenario_dict
from simulator.scenario.crossref import scenario_catalog
from tests.conftest import ROOT


def _sagesim(*arguments: str, timeout: float = 120) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "simulator.cli", *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line, done.stderr[-2000:]
    return done.returncode, line


LINEAR = [
    "--set",
    "rollout.traffic_routing.type=LINEAR",
    "--set",
    "rollout.traffic_routing.canary_size=null",
    "--set",
    "rollout.traffic_routing.linear_step_size={type: CAPACITY_PERCENT, value: 1.0e-9}",
]


@pytest.mark.parametrize(
    ("arguments", "where", "fragment"),
    [
        (
            ["rollout", "scenarios/canary-rollback.yaml", *LINEAR],
            "rollout.traffic_routing.linear_step_size.value",
            "must be 10-50%",
        ),
        (
            ["crossover", "scenarios/serverless-vs-realtime.yaml", "--slo-p99", "-1s"],
            "--slo-p99",
            "",
        ),
        (
            ["crossover", "scenarios/serverless-vs-realtime.yaml", "--rates", "1e9"],
            "--rates",
            "requests a point; the limit is 5,000,000",
        ),
        (
            ["ab-test", "scenarios/ab-rollout.yaml", "--difference", "0.000000001ms", "--check", "2"],
            "--check",
            "checks are bounded to 5,000,000",
        ),
        (
            ["run", "scenarios/spot-training.yaml", "--set", "training_job.checkpoint.interval=1e-9"],
            "training_job.checkpoint.interval",
            "checkpoints in one job; at most 1,000,000",
        ),
        (
            ["run", "scenarios/spot-training.yaml", "--set", "training_job.spot.interruption_rate=1e9/s"],
            "training_job.spot.interruption_rate",
            "interruptions in the job's work alone; at most 1,000,000",
        ),
    ],
    ids=["linear-step", "negative-slo", "crossover-rate", "ab-check", "checkpoint-interval", "spot-rate"],
)
@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_endless_work_is_refused(tmp_path: Path, arguments: list[str], where: str, fragment: str) -> None:
    code, line = (
        _sagesim(*arguments, "--out", str(tmp_path / "out"))
        if arguments[0] != "ab-test"
        else (_sagesim(*arguments))
    )
    assert code == 2 and line.startswith(f"error: {where}: ") and fragment in line, line
    assert not (tmp_path / "out").exists()


def _write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_weights_that_overflow_are_refused(tmp_path: Path, base_scenario: dict[str, Any]) -> None:
    for variant in base_scenario["endpoint"]["variants"]:
        variant["weight"] = 1e308
    code, line = _sagesim("check", str(_write(tmp_path, base_scenario)))
    assert (
        code == 2
        and line == "error: endpoint.variants: the variant weights add up to more than a number holds"
    )


def test_a_profile_and_the_models_own_service_time_conflict(
    tmp_path: Path, base_scenario: dict[str, Any]
) -> None:
    (tmp_path / "profile.yaml").write_text(
        yaml.safe_dump({"service_time": {"distribution": "exponential", "mean": 0.02}})
    )
    base_scenario["models"]["m1"]["profile"] = "profile.yaml"
    code, line = _sagesim("check", str(_write(tmp_path, base_scenario)))
    assert code == 2 and line.startswith("error: models.m1") and "give service_time or a profile" in line, (
        line
    )


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_a_backlog_past_the_record_ring_is_one_line(tmp_path: Path, base_scenario: dict[str, Any]) -> None:
    base_scenario["endpoint"]["variants"] = base_scenario["endpoint"]["variants"][:1]
    base_scenario["traffic"]["arrivals"]["rate"] = "5000/s"  # 60 s of timeouts hold 300,000 in flight
    base_scenario["metrics"] = {"per_request_records": False, "ring_capacity": 2**17}
    code, line = _sagesim("run", str(_write(tmp_path, base_scenario)), "--out", str(tmp_path / "out"))
    assert code == 2 and line.startswith("error: metrics.ring_capacity: ") and "overloaded" in line, line
    assert not (tmp_path / "out").exists()


def _overloaded_stream(base_scenario: dict[str, Any], rate: str = "5000/s") -> dict[str, Any]:
    """One ml.c5.xlarge (4 workers x 50 ms: 80/s at most) fed `rate` with nothing that caps the backlog:
    an hour's timeout and a queue no run fills."""
    base_scenario["endpoint"]["variants"] = base_scenario["endpoint"]["variants"][:1]
    base_scenario["endpoint"]["variants"][0]["max_queue"] = 10**8
    base_scenario["endpoint"]["invocation_timeout"] = "1h"
    base_scenario["duration"] = "1h"
    base_scenario["traffic"]["arrivals"]["rate"] = rate
    base_scenario["metrics"] = {"per_request_records": False}
    return base_scenario


def test_an_overloaded_stream_is_refused_before_the_engine_is_built(
    base_scenario: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before this check the run simulated 851 s (12 s of work here) before the ring overflowed."""

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the engine was built for a run the estimate refuses")

    monkeypatch.setattr(importlib.import_module("simulator.engine.simulate"), "build", never)
    scenario = load_scenario_dict(_overloaded_stream(base_scenario))
    with pytest.raises(ScenarioError) as caught:
        simulate(scenario)
    assert caught.value.path == "metrics.ring_capacity"
    # (5000 - 80)/s for an hour; the timeout caps the span at the last hour's arrivals, 18,000,000
    assert caught.value.reason.startswith("a fluid estimate holds 17,712,000 requests in flight at once")
    assert "at most 80/s of service" in caught.value.reason and "4,194,304 records" in caught.value.reason


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_the_refusal_is_one_line_and_writes_nothing(tmp_path: Path, base_scenario: dict[str, Any]) -> None:
    path = _write(tmp_path, _overloaded_stream(base_scenario))
    code, line = _sagesim("run", str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and line.startswith("error: metrics.ring_capacity: a fluid estimate holds"), line
    assert not (tmp_path / "out").exists()


def test_a_heavily_loaded_stream_that_keeps_up_still_runs(base_scenario: dict[str, Any]) -> None:
    """76/s against 80/s (95% busy) for 40 minutes: 182,000 requests wrap the 131,072-record ring."""
    document = _overloaded_stream(base_scenario, rate="76/s")
    document["duration"] = "40m"
    document["metrics"]["ring_capacity"] = 2**17
    scenario = load_scenario_dict(document)
    assert ring_capacity(scenario) == 2**17
    estimate = ring_estimate(scenario, scenario_catalog(scenario))
    assert estimate is not None and estimate[0] == 0.0  # the fluid fleet keeps up
    result = simulate(scenario)
    requests = result.summary.requests
    assert requests.arrived > 2**17 and requests.failed == 0 and requests.throttled == 0


def test_a_capped_overload_is_left_to_the_run(base_scenario: dict[str, Any]) -> None:
    """The default 60 s timeout and 1,000-request queue cap the span at 5000/s x 12.55 s of queue drain:
    far below twice the ring, so the estimate does not refuse (the mid-run check still may)."""
    document = _overloaded_stream(base_scenario)
    del document["endpoint"]["variants"][0]["max_queue"]
    del document["endpoint"]["invocation_timeout"]
    scenario = load_scenario_dict(document)
    estimate = ring_estimate(scenario, scenario_catalog(scenario))
    assert estimate is not None and estimate[0] == pytest.approx(5000 * 1004 / 80, rel=1e-3)
    refuse_ring_overflow(scenario, scenario_catalog(scenario), 2**22)  # does not raise


def test_fluid_backlog_of_a_schedule_matches_hand_computation(base_scenario: dict[str, Any]) -> None:
    """200/s for 10 minutes against 80/s builds 120 x 600 = 72,000; then 10/s drains it at 70/s."""
    document = _overloaded_stream(base_scenario)
    document["traffic"]["arrivals"] = {
        "process": "schedule",
        "steps": [{"at": 0, "rate": "200/s"}, {"at": "10m", "rate": "10/s"}],
    }
    scenario = load_scenario_dict(document)
    span, peak, service = ring_estimate(scenario, scenario_catalog(scenario)) or (0.0, 0.0, 0.0)
    assert span == pytest.approx(72_000, rel=1e-3) and peak == pytest.approx(200) and service == 80
    document["endpoint"]["invocation_timeout"] = "2m"  # now no request is held past 2 minutes
    capped = load_scenario_dict(document)
    assert ring_estimate(capped, scenario_catalog(capped))[0] == pytest.approx(200 * 120, rel=1e-3)  # type: ignore[index]


def test_diurnal_arrivals_integrate_the_rate_exactly(base_scenario: dict[str, Any]) -> None:
    base_scenario["traffic"]["arrivals"] = {
        "process": "diurnal",
        "mean_rate": "12/s",
        "amplitude": 0.7,
        "peak_at": "14h",
    }
    base_scenario["duration"] = "1d"
    scenario = load_scenario_dict(base_scenario)
    times = np.linspace(0.0, 86400.0, 86401)
    rate = 12 * (1 + 0.7 * np.cos(2 * np.pi * (times - 14 * 3600) / 86400))
    numeric = np.concatenate([[0.0], np.cumsum((rate[1:] + rate[:-1]) / 2)])
    exact = arrivals_by(scenario, times)
    assert exact is not None and np.allclose(exact, numeric, rtol=1e-6, atol=1e-3)
    assert exact[-1] == pytest.approx(12 * 86400)


def test_a_zero_service_time_is_refused_before_any_estimate(base_scenario: dict[str, Any]) -> None:
    """Zero-length service has no rate to divide by (the recommender's capacity estimate once did):
    the schema refuses it, naming the model's key."""
    document = _overloaded_stream(base_scenario)
    document["models"]["m1"]["service_time"] = {"distribution": "deterministic", "value": 0}
    with pytest.raises(ScenarioError) as refused:
        load_scenario_dict(document)
    assert refused.value.path == "models.m1.service_time"
    assert refused.value.reason == "a service time must take some time: its mean is 0"
