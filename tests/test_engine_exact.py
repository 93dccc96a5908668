"""Exact event logs for small cases checked by hand: deterministic arrivals (a trace) and service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simulator.engine import simulate
from simulator.scenario import load_scenario_dict


def exact(tmp_path: Path, arrivals: list[float], service: float, **variant: Any) -> dict[str, Any]:
    trace = tmp_path / "trace.csv"
    trace.write_text("t\n" + "\n".join(str(a) for a in arrivals) + "\n")
    return {
        "name": "exact",
        "duration": variant.pop("duration", 100),
        "models": {"m": {"service_time": {"distribution": "deterministic", "value": service}}},
        "endpoint": {
            "name": "ep",
            "overhead": {"distribution": "deterministic", "value": 0},
            "invocation_timeout": variant.pop("timeout", 60),
            "variants": [{"name": "v", "model": "m", "instance_type": "ml.c5.large", **variant}],
            "updates": variant.pop("updates", []) if "updates" in variant else [],
        },
        "traffic": {"arrivals": {"process": "trace", "file": str(trace)}, "payload_size": 0},
    }


def run(document: dict[str, Any]) -> Any:
    return simulate(load_scenario_dict(document)).requests


def test_single_worker_fifo_queue(tmp_path: Path) -> None:
    requests = run(exact(tmp_path, [0, 0.5, 1.0, 1.2], 1.0, workers=1))
    assert requests["start"].tolist() == [0, 1, 2, 3]
    assert requests["end"].tolist() == [1, 2, 3, 4]
    assert requests["queue_wait"].tolist() == [0, 0.5, 1.0, 1.8]
    assert (requests["status"] == "OK").all()


def test_two_workers_serve_in_parallel(tmp_path: Path) -> None:
    requests = run(exact(tmp_path, [0, 0, 0, 0.5], 1.0, workers=2))
    assert requests["start"].tolist() == [0, 0, 1, 1]
    assert requests["end"].tolist() == [1, 1, 2, 2]


def test_full_queue_rejects(tmp_path: Path) -> None:
    requests = run(exact(tmp_path, [0, 0.1, 0.2, 0.3], 1.0, workers=1, max_queue=1))
    assert requests["status"].tolist() == ["OK", "OK", "THROTTLED", "THROTTLED"]
    assert requests["end"].tolist()[2:] == [0.2, 0.3]


def test_queue_wait_past_timeout_is_dropped_as_5xx(tmp_path: Path) -> None:
    requests = run(exact(tmp_path, [0, 0, 0], 5.0, workers=1, timeout=7))
    # the second finishes at 10 s, past its 7 s timeout (5XX, but served); the third would start at
    # 10 s, after its timeout: dropped unserved, the client saw the 5XX at 7 s
    assert requests["status"].tolist() == ["OK", "TIMEOUT", "TIMEOUT"]
    assert requests["end"].tolist() == [5, 10, 7]
    assert np.isnan(requests["start"].iloc[2])


def test_completion_past_timeout_is_5xx(tmp_path: Path) -> None:
    requests = run(exact(tmp_path, [0, 0], 4.0, workers=1, timeout=6))
    assert requests["status"].tolist() == ["OK", "TIMEOUT"]  # second finishes at 8 s > 6 s


def test_processor_sharing_beyond_vcpus(tmp_path: Path) -> None:
    # ml.c5.large has 2 vCPUs; 4 workers: four 1 s requests at t=0 each get half a core -> all end at 2 s
    requests = run(exact(tmp_path, [0, 0, 0, 0], 1.0, workers=4))
    assert requests["end"].tolist() == pytest.approx([2, 2, 2, 2])
    # a fifth request at 1 s: the four have 0.5 s left; five share 2 cores (0.4 each) until ...
    requests = run(exact(tmp_path, [0, 0, 0, 0, 1.0], 1.0, workers=5))
    # t in [1, 2.25]: 5 busy at rate 0.4 -> the first four finish after 0.5/0.4 = 1.25 s, at 2.25 s;
    # the fifth then has 1 - 0.5 = 0.5 s left alone at rate 1 -> ends at 2.75 s
    assert requests["end"].tolist() == pytest.approx([2.25, 2.25, 2.25, 2.25, 2.75])


def test_slower_instance_speed(tmp_path: Path) -> None:
    document = exact(tmp_path, [0, 0], 1.0, workers=1, instance_count=2, instance_speeds=[1.0, 0.5])
    document["endpoint"]["routing"] = "LEAST_OUTSTANDING_REQUESTS"
    requests = run(document)
    assert sorted(requests["end"].tolist()) == [1.0, 2.0]


def test_scale_in_drains_then_kills_after_30_s(tmp_path: Path) -> None:
    document = exact(tmp_path, [0, 0], 50.0, workers=1, instance_count=2, duration=200)
    document["endpoint"]["routing"] = "LEAST_OUTSTANDING_REQUESTS"
    document["endpoint"]["invocation_timeout"] = 120
    document["endpoint"]["updates"] = [{"at": 10, "instance_counts": {"v": 1}}]
    result = simulate(load_scenario_dict(document))
    requests = result.requests
    # the newest instance (id 1) is retired at 10 s; its 50 s request is killed at 40 s
    assert requests.set_index("instance").loc[1, "status"] == "KILLED"
    assert requests.set_index("instance").loc[1, "end"] == 40
    timeline = result.instances.set_index("instance")
    assert timeline.loc[1, "terminated_at"] == 40
    assert timeline.loc[0, "terminated_at"] == 200


def test_scheduled_weight_update_moves_traffic(tmp_path: Path) -> None:
    arrivals = [i * 0.5 for i in range(40)]
    document = exact(tmp_path, arrivals, 0.1, workers=1)
    document["endpoint"]["variants"] = [
        {"name": "old", "model": "m", "instance_type": "ml.c5.large", "weight": 1},
        {"name": "new", "model": "m", "instance_type": "ml.c5.large", "weight": 0},
    ]
    document["endpoint"]["updates"] = [{"at": 10, "weights": {"old": 0, "new": 1}}]
    requests = run(document)
    before = requests[requests["arrival"] < 10]
    after = requests[requests["arrival"] >= 10]
    assert (before["variant"] == "old").all() and (after["variant"] == "new").all()


def test_new_instances_join_after_startup_time(tmp_path: Path) -> None:
    arrivals = [i * 1.0 for i in range(100)]
    document = exact(
        tmp_path,
        arrivals,
        0.1,
        workers=1,
        duration=100,
        startup_time={"distribution": "deterministic", "value": 30},
    )
    document["endpoint"]["updates"] = [{"at": 20, "instance_counts": {"v": 3}}]
    result = simulate(load_scenario_dict(document))
    timeline = result.instances
    assert timeline["launched_at"].tolist() == [0, 20, 20]
    assert timeline["in_service_at"].tolist() == [0, 50, 50]
    used = result.requests.groupby("instance")["arrival"].min()
    assert used.loc[1] >= 50 and used.loc[2] >= 50
    # billing runs from the launch request: 100 + 80 + 80 instance-seconds
    assert result.billing["billable_seconds"].sum() == pytest.approx(260)


def test_expired_queued_requests_free_their_places(tmp_path: Path) -> None:
    # 100 s requests, queue of 2, timeout 5 s: the requests queued at 1 and 2 s expire at 6 and 7 s, so
    # the one arriving at 10 s finds room in the queue instead of being throttled
    requests = run(exact(tmp_path, [0, 1, 2, 10], 100.0, workers=1, max_queue=2, timeout=5, duration=20))
    assert requests["status"].tolist() == ["IN_FLIGHT", "TIMEOUT", "TIMEOUT", "IN_FLIGHT"]
    assert requests["end"].tolist()[1:3] == [6, 7]


def test_closed_loop_users_give_up_at_the_timeout(tmp_path: Path) -> None:
    # 3 users, one worker, 5 s service, 7 s timeout, no overhead or think time
    document = exact(tmp_path, [0], 5.0, workers=1, timeout=7, duration=30)
    document["traffic"]["arrivals"] = {"process": "closed_loop", "users": 3}
    requests = run(document)
    first = requests.head(6)
    # requests 0-2 sent at 0: #0 served 0-5; #1 served 5-10 (past 7 s: 5XX); #2 would start at 10: dropped.
    # Users 1 and 2 get their 5XX at 7 s and send again then, not when the server catches up.
    assert first["arrival"].tolist() == [0, 0, 0, 5, 7, 7]
    assert first["status"].tolist()[:3] == ["OK", "TIMEOUT", "TIMEOUT"]


def test_a_calibration_profile_supplies_service_time_and_overhead(tmp_path: Path) -> None:
    (tmp_path / "profile.yaml").write_text(
        "service_time: {distribution: deterministic, value: 0.5}\n"
        "overhead: {distribution: deterministic, value: 0.1}\n"
        "fitted: {image: example}\n"
    )
    document = exact(tmp_path, [0, 0], 99.0, workers=1)
    document["models"]["m"] = {"profile": "profile.yaml"}
    scenario = load_scenario_dict(document, base_dir=tmp_path)
    assert scenario.models["m"].profile == str((tmp_path / "profile.yaml").resolve())
    requests = simulate(scenario).requests
    assert requests["end"].tolist() == [0.5, 1.0]
    assert requests["latency"].tolist() == pytest.approx([0.6, 1.1])


def test_simulate_refuses_an_options_scenario() -> None:
    """A new user's trial: simulate() ran the four alternatives of gpu-vs-eia-vs-cpu as one endpoint
    splitting the traffic, so eia-medium's p99 read 82 ms against 379 ms alone."""
    from simulator.options import option_scenario
    from simulator.scenario import load_scenario

    scenario = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "gpu-vs-eia-vs-cpu.yaml")
    with pytest.raises(ValueError, match="an options scenario's variants are alternatives"):
        simulate(scenario)
    alone = option_scenario(scenario, "eia-medium")  # type: ignore[arg-type]
    assert [variant.name for variant in alone.endpoint.variants] == ["eia-medium"]
