"""Serverless variants: exact cold-start/throttle logs, billing arithmetic, MaxConcurrency (hypothesis)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.engine import simulate
from simulator.scenario import load_scenario_dict


def serverless_document(tmp_path: Path, arrivals: list[float], **serverless: Any) -> dict[str, Any]:
    trace = tmp_path / "trace.csv"
    trace.write_text("t\n" + "\n".join(str(a) for a in arrivals) + "\n")
    config = {
        "memory_mb": 2048,
        "max_concurrency": 2,
        "model_setup_time": {"distribution": "deterministic", "value": 5},
        "keep_warm": 3,
        **serverless,
    }
    return {
        "name": "serverless",
        "duration": 60,
        "models": {"m": {"service_time": {"distribution": "deterministic", "value": 1.0}}},
        "endpoint": {
            "name": "ep",
            "overhead": {"distribution": "deterministic", "value": 0},
            "variants": [{"name": "sl", "model": "m", "serverless": config}],
        },
        "traffic": {"arrivals": {"process": "trace", "file": str(trace)}, "payload_size": 0},
    }


def test_cold_starts_throttles_and_keep_warm(tmp_path: Path) -> None:
    # 0 and 0.1: two cold starts (5 s), served 5-6 and 5.1-6.1; 0.2: 2 in flight = MaxConcurrency ->
    # throttled; both environments retire at 9 and 9.1 (3 s keep-warm); 10 and 10.5: two new cold
    # starts; 17: the most recently used warm environment (idle since 16.5) serves it at once.
    result = simulate(load_scenario_dict(serverless_document(tmp_path, [0, 0.1, 0.2, 10, 10.5, 17])))
    requests = result.requests
    assert requests["status"].tolist() == ["OK", "OK", "THROTTLED", "OK", "OK", "OK"]
    assert requests["start"].tolist()[:2] == [5.0, 5.1] and np.isnan(requests["start"][2])
    assert requests["end"].tolist() == pytest.approx([6.0, 6.1, 0.2, 16.0, 16.5, 18.0])
    assert requests["start"].tolist()[3:] == [15.0, 15.5, 17.0]
    assert requests["instance"][5] == requests["instance"][4]  # warm reuse, no cold start
    figures = result.summary.variants["sl"].serverless
    assert figures.cold_starts == 4
    assert figures.cold_start_fraction == pytest.approx(4 / 5)
    assert figures.throttled == 1 and figures.max_in_flight == 2
    assert figures.model_setup_time_ms.mean == pytest.approx(5000)
    assert result.summary.requests.throttled == 1
    assert result.summary.variants["sl"].instances.as_dict() == {"mean": 0.0, "max": 0}
    assert result.cold_starts["time_s"].tolist() == [0, 0.1, 10, 10.5]


def test_provisioned_concurrency_is_warm_and_memory_sets_speed(tmp_path: Path) -> None:
    document = serverless_document(tmp_path, [0, 0], memory_mb=1024, provisioned_concurrency=1)
    requests = simulate(load_scenario_dict(document)).requests
    # 1024 MB = half a reference vCPU (mb_per_vcpu 2048): the 1 s request takes 2 s; one warm, one cold
    assert requests["start"].tolist() == [0.0, 5.0]
    assert requests["end"].tolist() == [2.0, 7.0]


def test_serverless_billing(tmp_path: Path) -> None:
    document = serverless_document(
        tmp_path, [0, 0.1, 20, 30], provisioned_concurrency=1, response_size="1MiB"
    )
    document["traffic"]["payload_size"] = "1MiB"
    result = simulate(load_scenario_dict(document))
    bill = result.summary.variants["sl"].serverless.billing
    # 4 requests x 1 s x 2 GB; data 4 x 2 MiB; provisioned 1 x 2 GB x 60 s
    assert bill.compute_gb_seconds == pytest.approx(8.0)
    assert bill.compute_cost_usd == pytest.approx(8.0 * 0.00002)
    assert bill.data_processed_gb == pytest.approx(8 / 1024)
    assert bill.data_cost_usd == pytest.approx(8 / 1024 * 0.016)
    assert bill.provisioned_cost_usd == pytest.approx(120 * 0.0000048)
    assert result.summary.cost_usd.total == pytest.approx(bill.total_cost_usd)


def test_billing_rounds_up_to_the_granularity(tmp_path: Path) -> None:
    document = serverless_document(tmp_path, [0], billing_granularity="1s")
    document["models"]["m"]["service_time"]["value"] = 0.2
    bill = simulate(load_scenario_dict(document)).summary.variants["sl"].serverless.billing
    assert bill.compute_gb_seconds == pytest.approx(2.0)  # 0.2 s rounds up to 1 s, x 2 GB


@st.composite
def serverless_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    maximum = draw(st.integers(1, 30))
    return {
        "name": "generated",
        "seed": draw(st.integers(0, 2**32)),
        "duration": draw(st.floats(30, 600)),
        "models": {"m": {"service_time": {"distribution": "exponential", "mean": draw(st.floats(0.01, 2))}}},
        "endpoint": {
            "name": "ep",
            "variants": [
                {
                    "name": "sl",
                    "model": "m",
                    "serverless": {
                        "memory_mb": draw(st.sampled_from([1024, 2048, 3072, 4096, 5120, 6144])),
                        "max_concurrency": maximum,
                        "provisioned_concurrency": draw(st.integers(0, maximum)),
                        "keep_warm": draw(st.floats(0, 300)),
                        "model_setup_time": {
                            "distribution": "gamma",
                            "mean": draw(st.floats(0.1, 20)),
                            "cv": 1.0,
                        },
                    },
                }
            ],
        },
        "traffic": {"arrivals": {"process": "poisson", "rate": draw(st.floats(0.1, 100))}},
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(serverless_scenarios())
def test_in_flight_never_exceeds_max_concurrency(document: dict[str, Any]) -> None:
    result = simulate(load_scenario_dict(document))
    maximum = document["endpoint"]["variants"][0]["serverless"]["max_concurrency"]
    requests = result.requests
    admitted = requests[requests["status"] != "THROTTLED"]
    ends = admitted["end"].fillna(np.inf).to_numpy()
    times = np.concatenate([admitted["arrival"].to_numpy(), ends])
    steps = np.concatenate([np.ones(len(admitted)), -np.ones(len(admitted))])
    order = np.lexsort((steps, times))  # at equal times, departures first
    assert (np.cumsum(steps[order]).max(initial=0)) <= maximum
    figures = result.summary.variants["sl"].serverless
    assert figures.max_in_flight <= maximum
    counts = result.summary.requests
    assert counts.arrived == counts.completed + counts.failed + counts.throttled + counts.in_flight


def test_account_concurrency_limit_spans_serverless_variants(tmp_path: Path) -> None:
    # two serverless variants of MaxConcurrency 4; four requests at once: none throttled under the default
    # account limit (1000), exactly one under an account limit of 3 over both variants together
    document = serverless_document(tmp_path, [0, 0, 0, 0], max_concurrency=4)
    document["endpoint"]["variants"].append({**document["endpoint"]["variants"][0], "name": "sl2"})
    assert simulate(load_scenario_dict(document)).summary.requests.throttled == 0
    document["catalog"] = {"serverless": {"account_concurrency_limit": 3}}
    summary = simulate(load_scenario_dict(document)).summary
    assert summary.requests.throttled == 1
    assert sum(summary.variants[name].requests.completed for name in ("sl", "sl2")) == 3
