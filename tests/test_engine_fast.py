"""The fast engine gives the SimPy engine's per-request records, bit for bit, on generated scenarios."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.core.records import Status
from simulator.engine import simulate
from simulator.errors import ScenarioError
from simulator.scenario import load_scenario_dict

CPU_TYPES = ["ml.c5.large", "ml.c5.xlarge", "ml.c5.2xlarge", "ml.m5.large"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COLUMNS = ("arrival", "start", "end", "work", "overhead", "variant", "instance", "status")


def _service(draw: st.DrawFn) -> dict[str, Any]:
    mean = draw(st.floats(0.005, 0.5))
    kind = draw(st.sampled_from(["exponential", "gamma", "lognormal", "deterministic"]))
    if kind == "exponential":
        return {"distribution": "exponential", "mean": mean}
    if kind == "gamma":
        return {"distribution": "gamma", "mean": mean, "cv": draw(st.floats(0.2, 3.0))}
    if kind == "lognormal":
        return {"distribution": "lognormal", "mean": mean, "cv": draw(st.floats(0.2, 3.0))}
    return {"distribution": "deterministic", "value": mean}


@st.composite
def static_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Static endpoints the fast path takes, from idle to overloaded: rates, workers up to the vCPUs,
    instance counts and speeds, routing, timeouts, queue bounds, 1-2 variants, warmup, target shares."""
    n_variants = draw(st.integers(1, 2))
    duration = draw(st.floats(20, 200))
    variants = []
    for index in range(n_variants):
        variant: dict[str, Any] = {
            "name": f"v{index}",
            "model": "m",
            "instance_type": draw(st.sampled_from(CPU_TYPES)),
            "instance_count": draw(st.integers(1, 4)),
            "workers": draw(st.integers(1, 2)),
            "weight": draw(st.sampled_from([0.0, 1.0, 3.0, 9.0])),
            "max_queue": draw(st.integers(0, 40)),
        }
        if draw(st.booleans()):
            variant["routing"] = draw(st.sampled_from(["RANDOM", "LEAST_OUTSTANDING_REQUESTS"]))
        if draw(st.booleans()):
            variant["instance_speeds"] = draw(
                st.lists(st.sampled_from([0.5, 1.0, 1.7]), min_size=1, max_size=3)
            )
        variants.append(variant)
    if sum(v["weight"] for v in variants) == 0:
        variants[0]["weight"] = 1.0
    rate = draw(st.floats(0.5, 150))
    arrivals = draw(
        st.sampled_from(
            [
                {"process": "poisson", "rate": rate},
                {
                    "process": "schedule",
                    "steps": [{"at": 0, "rate": rate / 4}, {"at": duration / 3, "rate": rate}],
                },
                {"process": "diurnal", "mean_rate": rate / 2, "amplitude": 0.8, "period": duration / 2},
            ]
        )
    )
    traffic: dict[str, Any] = {"arrivals": arrivals}
    if n_variants == 2 and draw(st.booleans()):
        traffic["target_variants"] = [{"variant": "v1", "share": draw(st.floats(0.05, 0.5))}]
    if draw(st.booleans()):
        traffic["payload_cv"] = 1.0
    return {
        "name": "generated",
        "seed": draw(st.integers(0, 2**32)),
        "duration": duration,
        "warmup": draw(st.floats(0, duration * 0.5)),
        "models": {"m": {"service_time": _service(draw)}},
        "endpoint": {
            "name": "ep",
            "routing": draw(st.sampled_from(["RANDOM", "LEAST_OUTSTANDING_REQUESTS"])),
            "invocation_timeout": draw(st.floats(0.2, 30)),
            "overhead": {"distribution": "exponential", "mean": 0.002},
            "variants": variants,
        },
        "traffic": traffic,
    }


def _both(document: dict[str, Any]) -> tuple[Any, Any]:
    simpy = simulate(load_scenario_dict({**document, "engine": "simpy"}))
    fast = simulate(load_scenario_dict({**document, "engine": "fast"}))
    return simpy, fast


def assert_same_records(simpy: Any, fast: Any) -> None:
    for name in COLUMNS:
        expected, actual = simpy.log.column(name), fast.log.column(name)
        assert np.array_equal(expected, actual, equal_nan=expected.dtype.kind == "f"), name


@SETTINGS
@given(static_scenarios())
def test_fast_records_are_simpys(document: dict[str, Any]) -> None:
    simpy, fast = _both(document)
    assert (simpy.summary.engine, fast.summary.engine) == ("simpy", "fast")
    assert_same_records(simpy, fast)
    as_fast = {**simpy.summary.as_dict(), "engine": "fast"}
    assert json.dumps(as_fast, sort_keys=True) == json.dumps(fast.summary.as_dict(), sort_keys=True)
    assert simpy.metrics.equals(fast.metrics)


@st.composite
def serverless_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A lone serverless variant from idle to throttling: concurrency, provisioned environments, cold
    starts (deterministic ones too), keep-warm expiry within the run, timeouts, warmup."""
    duration = draw(st.floats(20, 200))
    setup = draw(
        st.sampled_from(
            [
                None,
                {"distribution": "deterministic", "value": 0.5},
                {"distribution": "exponential", "mean": 2.0},
            ]
        )
    )
    concurrency = draw(st.integers(1, 12))
    serverless: dict[str, Any] = {
        "memory_mb": draw(st.sampled_from([1024, 2048, 3072, 6144])),
        "max_concurrency": concurrency,
        "provisioned_concurrency": draw(st.integers(0, min(3, concurrency))),
        "keep_warm": draw(st.sampled_from([0.0, 0.3, 5.0, 600.0])),
    }
    if setup is not None:
        serverless["model_setup_time"] = setup
    rate = draw(st.floats(0.5, 150))
    arrivals = draw(
        st.sampled_from(
            [
                {"process": "poisson", "rate": rate},
                {"process": "diurnal", "mean_rate": rate / 2, "amplitude": 0.8, "period": duration / 2},
            ]
        )
    )
    return {
        "name": "generated-serverless",
        "seed": draw(st.integers(0, 2**32)),
        "duration": duration,
        "warmup": draw(st.floats(0, duration * 0.5)),
        "models": {"m": {"service_time": _service(draw)}},
        "endpoint": {
            "name": "ep",
            "invocation_timeout": draw(st.floats(0.2, 30)),
            "variants": [{"name": "v", "model": "m", "serverless": serverless}],
        },
        "traffic": {"arrivals": arrivals, "payload_cv": draw(st.sampled_from([0.0, 1.0]))},
    }


@SETTINGS
@given(serverless_scenarios())
def test_fast_serverless_records_are_simpys(document: dict[str, Any]) -> None:
    simpy, fast = _both(document)
    assert (simpy.summary.engine, fast.summary.engine) == ("simpy", "fast")
    assert_same_records(simpy, fast)
    assert json.dumps({**simpy.summary.as_dict(), "engine": "fast"}, sort_keys=True) == json.dumps(
        fast.summary.as_dict(), sort_keys=True
    )
    assert simpy.metrics.equals(fast.metrics)
    assert simpy.cold_starts.equals(fast.cold_starts)
    assert simpy.billing.equals(fast.billing)


@st.composite
def staged_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A lone pipeline (2-3 containers, their workers and hops) or Elastic Inference variant: instance
    counts and speeds, routing, queue bounds, timeouts, warmup, from idle to overloaded."""
    duration = draw(st.floats(20, 150))
    model: dict[str, Any]
    variant: dict[str, Any] = {
        "name": "v",
        "model": "m",
        "instance_type": draw(st.sampled_from(CPU_TYPES)),
        "instance_count": draw(st.integers(1, 3)),
        "max_queue": draw(st.integers(0, 40)),
    }
    if draw(st.booleans()):
        model = {
            "containers": [
                {
                    "name": f"c{k}",
                    "service_time": _service(draw),
                    "workers": draw(st.integers(1, 3)),
                    "output_size": draw(st.sampled_from([0, 4000, 600000])),
                }
                for k in range(draw(st.integers(2, 3)))
            ],
            "hop": {"latency": draw(st.sampled_from([0.0, 0.0005, 0.01]))},
        }
    else:
        model = {
            "service_time": _service(draw),
            "elastic_inference": {"gflops": draw(st.floats(0.5, 40)), "cpu_time": _service(draw)},
        }
        variant["accelerator_type"] = draw(st.sampled_from(["ml.eia2.medium", "ml.eia2.large"]))
        variant["instance_type"] = draw(st.sampled_from(["ml.c5.large", "ml.c5.xlarge"]))
        if draw(st.booleans()):
            variant["workers"] = draw(st.integers(1, 4))
    if draw(st.booleans()):
        variant["routing"] = draw(st.sampled_from(["RANDOM", "LEAST_OUTSTANDING_REQUESTS"]))
    if draw(st.booleans()):
        variant["instance_speeds"] = draw(st.lists(st.sampled_from([0.5, 1.0, 1.7]), min_size=1, max_size=3))
    rate = draw(st.floats(0.5, 120))
    arrivals = draw(
        st.sampled_from(
            [
                {"process": "poisson", "rate": rate},
                {"process": "diurnal", "mean_rate": rate / 2, "amplitude": 0.8, "period": duration / 2},
            ]
        )
    )
    return {
        "name": "generated-staged",
        "seed": draw(st.integers(0, 2**32)),
        "duration": duration,
        "warmup": draw(st.floats(0, duration * 0.5)),
        "models": {"m": model},
        "endpoint": {
            "name": "ep",
            "routing": draw(st.sampled_from(["RANDOM", "LEAST_OUTSTANDING_REQUESTS"])),
            "invocation_timeout": draw(st.floats(0.2, 30)),
            "variants": [variant],
        },
        "traffic": {"arrivals": arrivals, "payload_size": draw(st.sampled_from([0, 1024, 150000]))},
    }


@SETTINGS
@given(staged_scenarios())
def test_fast_staged_records_are_simpys(document: dict[str, Any]) -> None:
    """Records, per-container times, summary and metrics of pipeline and Elastic Inference variants."""
    simpy, fast = _both(document)
    assert (simpy.summary.engine, fast.summary.engine) == ("simpy", "fast")
    assert_same_records(simpy, fast)
    assert json.dumps({**simpy.summary.as_dict(), "engine": "fast"}, sort_keys=True) == json.dumps(
        fast.summary.as_dict(), sort_keys=True
    )
    assert simpy.metrics.equals(fast.metrics)


@st.composite
def autoscaled_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A lone variant autoscaled on arrivals (target tracking on InvocationsPerInstance, step scaling on
    Invocations, scheduled actions) under traffic that rises and falls: launches, InService times,
    retirements, draining and kills, with routing, speeds, queue bounds and timeouts."""
    duration = draw(st.floats(200, 600))
    rate = draw(st.floats(2, 60))
    period = draw(st.sampled_from([10.0, 30.0, 60.0]))
    minimum, maximum = draw(st.integers(0, 2)), draw(st.integers(2, 6))
    autoscaling: dict[str, Any] = {
        "min_capacity": minimum,
        "max_capacity": maximum,
        "startup_time": draw(
            st.sampled_from(
                [
                    {"distribution": "deterministic", "value": 7.5},
                    {"distribution": "exponential", "mean": 20.0},
                    {"distribution": "lognormal", "median": 15.0, "p99": 40.0},
                ]
            )
        ),
    }
    if draw(st.booleans()):
        autoscaling["target_tracking"] = {
            "metric": "SageMakerVariantInvocationsPerInstance",
            "target_value": draw(st.floats(30, 1500)),
            "period": period,
            "scale_out_cooldown": draw(st.sampled_from([0.0, 30.0, 300.0])),
            "scale_in_cooldown": draw(st.sampled_from([0.0, 30.0, 300.0])),
            "scale_out_alarm": {"evaluation_periods": draw(st.integers(1, 3))},
            "scale_in_alarm": {"evaluation_periods": draw(st.integers(1, 4))},
        }
    # a fleet allowed down to 0 needs the step policy on Invocations to come back from zero
    if draw(st.booleans()) or "target_tracking" not in autoscaling or minimum == 0:
        threshold = rate * period * draw(st.floats(0.3, 1.0))
        autoscaling["step_scaling"] = [
            {
                "name": "out",
                "metric": "Invocations",
                "period": period,
                "threshold": threshold,
                "step_adjustments": [{"lower_bound": 0, "adjustment": draw(st.integers(1, 2))}],
                "cooldown": draw(st.sampled_from([0.0, 60.0])),
            },
            {
                "name": "in",
                "metric": "Invocations",
                "period": period,
                "threshold": threshold / 2,
                "comparison": "LessThanThreshold",
                "step_adjustments": [{"upper_bound": 0, "adjustment": -1}],
                "cooldown": 0.0,
            },
        ]
    if draw(st.booleans()):
        autoscaling["scheduled_actions"] = [
            {
                "at": duration / 2,
                "min_capacity": draw(st.integers(int("step_scaling" not in autoscaling), maximum)),
            }
        ]
    slow = draw(st.booleans())  # long services and queues: retired instances drain past the kill grace
    variant: dict[str, Any] = {
        "name": "v",
        "model": "m",
        "instance_type": draw(st.sampled_from(CPU_TYPES)),
        "instance_count": draw(st.integers(max(1, minimum), min(3, maximum))),
        "max_queue": draw(st.integers(0, 200 if slow else 40)),
        "autoscaling": autoscaling,
    }
    if draw(st.booleans()):
        variant["workers"] = 1
    if draw(st.booleans()):
        variant["instance_speeds"] = draw(st.lists(st.sampled_from([0.5, 1.0, 1.7]), min_size=1, max_size=3))
    service = {"distribution": "exponential", "mean": draw(st.floats(1.0, 4.0))} if slow else _service(draw)
    return {
        "name": "generated-autoscaled",
        "seed": draw(st.integers(0, 2**32)),
        "duration": duration,
        "warmup": draw(st.floats(0, duration * 0.3)),
        "models": {"m": {"service_time": service}},
        "endpoint": {
            "name": "ep",
            "routing": draw(st.sampled_from(["RANDOM", "LEAST_OUTSTANDING_REQUESTS"])),
            "invocation_timeout": draw(st.floats(0.5, 120)),
            "variants": [variant],
        },
        "traffic": {
            "arrivals": {
                "process": "schedule",
                "steps": [
                    {"at": 0, "rate": rate / 5},
                    {"at": duration / 4, "rate": rate},
                    {"at": duration * 0.6, "rate": rate / 10},
                ],
            }
        },
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(autoscaled_scenarios())
def test_fast_autoscaled_records_are_simpys(document: dict[str, Any]) -> None:
    """Records, instance timeline, scaling activity, summary and metrics of a fleet scaled on arrivals."""
    simpy, fast = _both(document)
    assert (simpy.summary.engine, fast.summary.engine) == ("simpy", "fast")
    assert_same_records(simpy, fast)
    assert simpy.instances.equals(fast.instances)
    assert simpy.scaling.equals(fast.scaling)
    assert json.dumps({**simpy.summary.as_dict(), "engine": "fast"}, sort_keys=True) == json.dumps(
        fast.summary.as_dict(), sort_keys=True
    )
    assert simpy.metrics.equals(fast.metrics)


def _draining_document() -> dict[str, Any]:
    """Traffic far above what four slow one-worker instances serve for two and a half minutes, then
    almost none: the retired instances still hold long queues when the kill grace ends."""
    return {
        "name": "draining",
        "seed": 3,
        "duration": 420,
        "models": {"m": {"service_time": {"distribution": "exponential", "mean": 3.0}}},
        "endpoint": {
            "name": "ep",
            "invocation_timeout": 300,
            "variants": [
                {
                    "name": "v",
                    "model": "m",
                    "instance_type": "ml.c5.large",
                    "instance_count": 1,
                    "workers": 1,
                    "max_queue": 200,
                    "autoscaling": {
                        "min_capacity": 1,
                        "max_capacity": 4,
                        "startup_time": {"distribution": "exponential", "mean": 10.0},
                        "target_tracking": {
                            "target_value": 60,
                            "period": 10,
                            "scale_out_cooldown": 0,
                            "scale_in_cooldown": 0,
                            "scale_out_alarm": {"evaluation_periods": 1},
                            "scale_in_alarm": {"evaluation_periods": 1},
                        },
                    },
                }
            ],
        },
        "traffic": {
            "arrivals": {"process": "schedule", "steps": [{"at": 0, "rate": 6}, {"at": 150, "rate": 0.05}]}
        },
    }


def test_fast_autoscaled_kills_what_a_retired_instance_still_holds_as_simpy_does() -> None:
    simpy, fast = _both(_draining_document())
    assert fast.summary.engine == "fast"
    assert np.count_nonzero(simpy.log.column("status") == Status.KILLED) > 0
    assert_same_records(simpy, fast)
    assert simpy.instances.equals(fast.instances)


def test_a_request_at_the_instant_the_fleet_changes_runs_the_whole_scenario_on_simpy(tmp_path: Path) -> None:
    """Fleet events at whole seconds (deterministic start-up, 10 s periods) meet trace arrivals there."""
    document = _draining_document()
    document["endpoint"]["variants"][0]["autoscaling"]["startup_time"] = {
        "distribution": "deterministic",
        "value": 5,
    }
    trace = tmp_path / "trace.csv"
    trace.write_text("t\n" + "\n".join(str(0.25 * k) for k in range(1200)) + "\n")
    document["traffic"] = {"arrivals": {"process": "trace", "file": str(trace)}}
    simpy, auto = (simulate(load_scenario_dict({**document, "engine": e})) for e in ("simpy", "auto"))
    assert auto.summary.engine == "simpy"
    assert_same_records(simpy, auto)


def _trace_document(tmp_path: Path, arrivals: list[float], service: float, **variant: Any) -> dict[str, Any]:
    trace = tmp_path / "trace.csv"
    trace.write_text("t\n" + "\n".join(str(a) for a in arrivals) + "\n")
    return {
        "name": "ties",
        "duration": variant.pop("duration", 50),
        "models": {"m": {"service_time": {"distribution": "deterministic", "value": service}}},
        "endpoint": {
            "name": "ep",
            "invocation_timeout": variant.pop("timeout", 60),
            "variants": [{"name": "v", "model": "m", "instance_type": "ml.c5.xlarge", **variant}],
        },
        "traffic": {"arrivals": {"process": "trace", "file": str(trace)}, "payload_size": 0},
    }


@pytest.mark.parametrize(
    ("arrivals", "variant"),
    [
        ([0, 0, 0, 1, 1, 2, 2, 2, 3], {"workers": 1, "max_queue": 2}),
        ([0, 0.5, 1, 1, 1.5, 2, 2, 3, 3.5, 4], {"workers": 2, "instance_count": 3, "max_queue": 1}),
        (
            [0, 0.5, 1, 1, 1.5, 2, 2, 3, 3.5, 4],
            {"workers": 2, "instance_count": 3, "routing": "LEAST_OUTSTANDING_REQUESTS", "max_queue": 1},
        ),
        ([0, 0, 0, 0, 2, 2, 2.5, 3.5, 4, 6], {"workers": 1, "instance_count": 2, "timeout": 1.5}),
        ([0, 1, 2, 3, 4, 5], {"workers": 1, "duration": 4}),  # a completion exactly at the end is not run
    ],
)
def test_exact_ties_follow_simpys_event_order(
    tmp_path: Path, arrivals: list[float], variant: dict[str, Any]
) -> None:
    """Arrivals and completions at the same instant (deterministic times) resolve as in SimPy."""
    simpy, fast = _both(_trace_document(tmp_path, arrivals, 1.0, **variant))
    assert_same_records(simpy, fast)


@pytest.mark.parametrize(
    ("arrivals", "serverless", "service"),
    [
        ([0, 0, 0, 1, 1, 2, 2, 2, 3], {"max_concurrency": 2, "keep_warm": 1.0}, 1.0),
        ([0, 0.5, 1, 1, 1.5, 2, 4, 4.5], {"max_concurrency": 3, "keep_warm": 0.5}, 0.5),
        ([0, 1, 2, 3, 4, 5], {"max_concurrency": 1, "provisioned_concurrency": 1, "keep_warm": 0}, 1.0),
    ],
)
def test_serverless_ties_follow_simpys_event_order(
    tmp_path: Path, arrivals: list[float], serverless: dict[str, Any], service: float
) -> None:
    """Arrivals, cold starts, completions and keep-warm expiries at one instant resolve as in SimPy."""
    document = _trace_document(tmp_path, arrivals, service, duration=8)
    setup = {"distribution": "deterministic", "value": 0.5}
    document["endpoint"]["variants"] = [
        {
            "name": "v",
            "model": "m",
            "serverless": {"memory_mb": 6144, "model_setup_time": setup, **serverless},
        }
    ]
    simpy, fast = _both(document)
    assert_same_records(simpy, fast)
    assert simpy.cold_starts.equals(fast.cold_starts)


@pytest.mark.parametrize("hop", [0.0, 0.5])
@pytest.mark.parametrize("count", [1, 2])
def test_pipeline_ties_follow_simpys_event_order(tmp_path: Path, hop: float, count: int) -> None:
    """Arrivals, stage completions and hops at one instant (deterministic times) resolve as in SimPy."""
    document = _trace_document(
        tmp_path,
        [0, 0, 0, 0.5, 1, 1, 1.5, 2, 2, 2, 3, 3.5],
        1.0,
        instance_count=count,
        max_queue=2,
        timeout=3,
    )
    document["models"]["m"] = {
        "containers": [
            {"name": "a", "service_time": {"distribution": "deterministic", "value": 0.5}, "workers": 1},
            {"name": "b", "service_time": {"distribution": "deterministic", "value": 1.0}, "workers": 1},
        ],
        "hop": {"latency": hop},
    }
    simpy, fast = _both(document)
    assert_same_records(simpy, fast)
    as_fast = {**simpy.summary.as_dict(), "engine": "fast"}
    assert json.dumps(as_fast, sort_keys=True) == json.dumps(fast.summary.as_dict(), sort_keys=True)


def test_auto_picks_fast_for_a_static_fleet_and_simpy_otherwise() -> None:
    document = {
        "name": "auto",
        "duration": 30,
        "models": {"m": {"service_time": {"distribution": "exponential", "mean": 0.05}}},
        "endpoint": {"name": "ep", "variants": [{"name": "v", "model": "m", "instance_type": "ml.c5.large"}]},
        "traffic": {"arrivals": {"process": "poisson", "rate": 20}},
    }
    assert simulate(load_scenario_dict(document)).summary.engine == "fast"
    closed = {**document, "traffic": {"arrivals": {"process": "closed_loop", "users": 2}}}
    assert simulate(load_scenario_dict(closed)).summary.engine == "simpy"
    with pytest.raises(ScenarioError, match="engine: the fast engine cannot run this scenario: traffic"):
        simulate(load_scenario_dict({**closed, "engine": "fast"}))


def test_cli_engine_fast_on_a_scenario_that_needs_simpy_is_one_line(tmp_path: Path, capsys: Any) -> None:
    from simulator.cli import main

    code = main(
        ["run", "scenarios/closed-loop-phases.yaml", "--engine", "fast", "--out", str(tmp_path / "o")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        "error: engine: the fast engine cannot run this scenario: traffic.arrivals: closed-loop users"
        " (use simpy or auto)"
    ]
    assert not (tmp_path / "o").exists()


def test_cli_engine_option_reaches_the_summary(tmp_path: Path) -> None:
    from simulator.cli import main

    for engine, replications in (("simpy", "1"), ("fast", "2")):  # replicated: kept from the first run
        out = tmp_path / engine
        arguments = [
            "run",
            "scenarios/mmc-check.yaml",
            "--set",
            "duration=120",
            "--set",
            "warmup=10",
            "--replications",
            replications,
        ]
        assert (
            main([*arguments, "--engine", engine, "--executor", "serial", "--quiet", "--out", str(out)]) == 0
        )
        assert json.loads((out / "summary.json").read_text())["engine"] == engine


REDUCED_JOB = [
    "recommend.candidates.families=[c5]",
    "recommend.candidates.accelerators=[]",
    "recommend.candidates.serverless_memory_mb=[2048]",
    "recommend.search.requests_per_trial=2000",
    "recommend.search.replications=2",
    "recommend.fleet_sizing.duration=20m",
    "recommend.fleet_sizing.arrivals={process: diurnal, mean_rate: 20/s, amplitude: 0.6, period: 20m}",
    "recommend.fleet_sizing.top=2",
    "recommend.fleet_sizing.replications=2",
]


@pytest.mark.slow
def test_recommendations_are_the_same_with_either_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default job, reduced (fewer families, shorter trials and day): the same answers, fleet
    sizing included, whether static trials run on the fast engine (auto), all on SimPy, or forced fast."""
    from simulator.execution.executors import SerialExecutor
    from simulator.recommend.engine_check import check_job_engine
    from simulator.recommend.job import run_job
    from simulator.scenario import load_scenario
    from tests.recommend.jobs import job_summary

    module = sys.modules["simulator.engine.simulate"]
    fast_runs: list[int] = []
    run_fast = module.run_fast

    def counted(*arguments: Any) -> None:
        fast_runs.append(1)
        run_fast(*arguments)

    monkeypatch.setattr(module, "run_fast", counted)
    path = Path(__file__).resolve().parent.parent / "scenarios" / "recommend-default.yaml"
    jobs = [load_scenario(path, [*REDUCED_JOB, f"engine={engine}"]) for engine in ("simpy", "auto", "fast")]
    check_job_engine(jobs[2])  # forced: accepted up front (no Elastic Inference candidate to autoscale)
    summaries = [job_summary(run_job(job, SerialExecutor())) for job in jobs]
    assert summaries[0]["recommendations"] and summaries[0]["fleet"] and fast_runs
    assert json.dumps(summaries[0], sort_keys=True) == json.dumps(summaries[1], sort_keys=True)
    assert json.dumps(summaries[0], sort_keys=True) == json.dumps(summaries[2], sort_keys=True)


@pytest.mark.parametrize(
    ("command", "line"),
    [
        (
            ["recommend", "scenarios/recommend-default.yaml"],
            "error: engine: the fast engine cannot run fleet sizing of candidate ml.c5.large+ml.eia2.medium:"
            " endpoint.variants[0].autoscaling: an autoscaled pipeline or Elastic Inference variant"
            " (use simpy or auto)",
        ),
        (
            [
                "recommend",
                "scenarios/recommend-default.yaml",
                "--set",
                "recommend.fleet_sizing=null",
                "--set",
                "models.resnet.error_rate=0.01",
            ],
            "error: engine: the fast engine cannot run candidate ml.c5.18xlarge:"
            " models.resnet.error_rate: model errors (use simpy or auto)",
        ),
        (
            ["compare", "scenarios/quickstart.yaml", "scenarios/closed-loop-phases.yaml"],
            "error: scenarios/closed-loop-phases.yaml: engine: the fast engine cannot run this scenario:"
            " traffic.arrivals: closed-loop users (use simpy or auto)",  # which of the scenarios, named
        ),
    ],
    ids=["fleet-sizing", "candidate", "compare"],
)
def test_engine_fast_where_simpy_is_needed_stops_before_any_work(
    tmp_path: Path, capsys: Any, command: list[str], line: str
) -> None:
    from simulator.cli import main

    assert main([*command, "--engine", "fast", "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [line]
    assert not (tmp_path / "o").exists()


def _static() -> dict[str, Any]:
    return {
        "name": "static",
        "duration": 120,
        "models": {"m": {"service_time": {"distribution": "exponential", "mean": 0.05}}},
        "endpoint": {"name": "ep", "variants": [{"name": "v", "model": "m", "instance_type": "ml.c5.large"}]},
        "traffic": {"arrivals": {"process": "poisson", "rate": 20}},
    }


def _with(path: str, value: Any) -> dict[str, Any]:
    document = _static()
    *parents, last = path.split(".")
    node: Any = document
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value
    return document


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (_with("metrics", {"per_request_records": False}), "metrics.per_request_records: the run streams"),
        (_with("traffic.arrivals", {"process": "closed_loop", "users": 3}), "traffic.arrivals: closed-loop"),
        (
            _with("endpoint.updates", [{"at": 60, "instance_counts": {"v": 2}}]),
            "endpoint.updates: weights or instance counts change",
        ),
        (
            _with(
                "endpoint.variants.0.autoscaling",
                {
                    "min_capacity": 1,
                    "max_capacity": 3,
                    "target_tracking": {"metric": "CPUUtilization", "target_value": 60},
                },
            ),
            "endpoint.variants[0].autoscaling: a policy scales on a metric of the requests' service",
        ),
        (
            _with(
                "endpoint.variants",
                [
                    _static()["endpoint"]["variants"][0],
                    {"name": "s", "model": "m", "serverless": {"memory_mb": 2048, "max_concurrency": 5}},
                ],
            ),
            "endpoint.variants[1].serverless: a serverless variant beside other variants",
        ),
        (
            _with(
                "models.m",
                {
                    "service_time": {"distribution": "exponential", "mean": 0.05},
                    "elastic_inference": {
                        "gflops": 8,
                        "cpu_time": {"distribution": "exponential", "mean": 0.01},
                    },
                },
            )
            | {
                "endpoint": {
                    "name": "ep",
                    "variants": [
                        {**_static()["endpoint"]["variants"][0], "accelerator_type": "ml.eia2.medium"},
                        {**_static()["endpoint"]["variants"][0], "name": "plain"},
                    ],
                }
            },
            "endpoint.variants[0]: a pipeline or Elastic Inference variant beside other variants",
        ),
        (_with("models.m.error_rate", 0.01), "models.m.error_rate: model errors"),
        (_with("endpoint.variants.0.workers", 4), "endpoint.variants[0].workers: more workers than vCPUs"),
    ],
    ids=["streaming", "closed-loop", "updates", "autoscaling", "serverless", "eia", "errors", "shared-cpu"],
)
def test_every_obstacle_keeps_auto_on_simpy_and_fast_names_it(document: dict[str, Any], reason: str) -> None:
    """Each feature the fast loop does not model keeps the run on SimPy, and `fast` names it."""
    from simulator.engine.choice import choose_engine
    from simulator.engine.ring import ring_capacity
    from simulator.scenario.crossref import scenario_catalog

    scenario = load_scenario_dict(document)
    streaming = bool(ring_capacity(scenario))
    assert choose_engine(scenario, scenario_catalog(scenario), streaming) == "simpy"
    forced = load_scenario_dict({**document, "engine": "fast"})
    with pytest.raises(ScenarioError, match="the fast engine cannot run this scenario") as raised:
        choose_engine(forced, scenario_catalog(forced), streaming)
    assert reason in raised.value.reason
    assert choose_engine(load_scenario_dict(_static()), scenario_catalog(scenario), False) == "fast"


@pytest.mark.parametrize(
    ("stem", "reason"),
    [
        ("canary-rollback", "rollout: a deployment changes the fleet during the run"),
        ("gpu-vs-eia-vs-cpu", "models.resnet50.batching: batched serving"),
        ("quickstart", None),
    ],
)
def test_example_scenarios_name_what_keeps_them_on_simpy(stem: str, reason: str | None) -> None:
    from simulator.engine.fast.eligibility import fast_path_obstacle
    from simulator.engine.ring import ring_capacity
    from simulator.scenario import load_scenario
    from simulator.scenario.crossref import scenario_catalog

    scenario = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / f"{stem}.yaml")
    assert fast_path_obstacle(scenario, scenario_catalog(scenario), bool(ring_capacity(scenario))) == reason


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40))
def test_simpy_clock_is_the_timetable_drivers_arithmetic(times: list[float]) -> None:
    """c[i+1] = c[i] + (t[i+1] - c[i]), even where that is an ulp off t[i+1]."""
    from simulator.engine.fast.clock import simpy_clock

    timetable = np.sort(np.array(times))
    expected = [float(timetable[0])]
    for value in timetable[1:].tolist():
        expected.append(expected[-1] + (value - expected[-1]))
    assert simpy_clock(timetable).tolist() == expected


def test_simpy_clock_follows_a_chain_off_the_timetable() -> None:
    from simulator.engine.fast.clock import simpy_clock

    timetable = np.array([0.001, 0.001, 0.009, 0.017])
    clock = simpy_clock(timetable)
    assert clock[2] != 0.009 and clock[2] == 0.001 + (0.009 - 0.001)  # an ulp off the timetable
    assert clock[3] == clock[2] + (0.017 - clock[2])
