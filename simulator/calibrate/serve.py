"""Calibrate a serving image: readiness time, a closed-loop sweep, and a fitted service profile.

Fitting uses closed-loop levels only (1 user, then a few saturating levels); open-loop rates and
other user counts are left for validation. With one user there is no queue, so each request's
latency is overhead + service: the service time of a request is its model CPU time (reported by the
server) plus the framework's CPU share, measured as container CPU per request at saturation, where
the instance is busy as it is under the loads that matter; what remains of the latency at one user is
overhead (client, loopback, connection set-up).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.calibrate import _docker
from simulator.calibrate.fitting import fit_distribution
from simulator.calibrate.loadgen import Load
from simulator.calibrate.measure import Level, measure, write_records
from simulator.calibrate.payloads import PayloadPool, digits_pool, file_pool
from simulator.calibrate.profiles import ServeProfile, write_profile
from simulator.calibrate.runner import place, serving
from simulator.errors import ScenarioError


@dataclass(frozen=True)
class ServePlan:
    """How much to measure; every level is bounded in requests and seconds."""

    readiness_runs: int = 3
    single_requests: int = 4000
    single_seconds: float = 15.0
    fit_users: tuple[int, ...] = (2, 4)
    level_requests: int = 5000
    level_seconds: float = 10.0
    warmup_s: float = 1.0


def payload_pool(payload: Path | None, content_type: str) -> PayloadPool:
    return digits_pool() if payload is None else file_pool(payload, content_type)


def calibrate_serve(image: str, *, out: Path, vcpus: int = 1, memory: str | None = None,
                    workers: int | None = None, payload: Path | None = None, content_type: str = "text/csv",
                    plan: ServePlan | None = None, seed: int = 0) -> Path:
    """Measure `image` pinned to `vcpus` cores and write out/profile.yaml (returned) and out/requests.csv."""
    plan = plan or ServePlan()
    workers = workers or vcpus
    placement = place(vcpus)
    pool = payload_pool(payload, content_type)
    readiness: list[float] = []
    for _ in range(max(0, plan.readiness_runs - 1)):
        with serving(image, placement, workers=workers, memory=memory) as server:
            readiness.append(server.ready_s)
    levels: list[tuple[str, Level]] = []
    with serving(image, placement, workers=workers, memory=memory) as server:
        readiness.append(server.ready_s)
        image_id = server.container.image.id if server.container.image else ""
        measure(server, placement, Load("closed", 1, 500, 2.0, 0.0), pool, seed)  # warm caches
        single = Load("closed", 1, plan.single_requests, plan.single_seconds, plan.warmup_s)
        levels.append(("fit", measure(server, placement, single, pool, seed + 1)))
        for i, users in enumerate(plan.fit_users):
            load = Load("closed", users, plan.level_requests, plan.level_seconds, plan.warmup_s)
            levels.append(("fit", measure(server, placement, load, pool, seed + 2 + i)))
    profile = fit_profile(levels[0][1], [lv for _, lv in levels[1:]], vcpus=vcpus, workers=workers)
    fitted = {
        "image": image, "image_id": image_id,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpuset": placement.cpuset, "memory": memory,
        "model_setup_time": {"samples": readiness, "mean": float(np.mean(readiness))},
        **profile.fitted,
    }
    out.mkdir(parents=True, exist_ok=True)
    write_records(levels, out / "requests.csv")
    return write_profile(ServeProfile(profile.service_time, profile.overhead, vcpus, workers, fitted),
                         out / "profile.yaml")


def fit_profile(single: Level, saturated: list[Level], *, vcpus: int, workers: int) -> ServeProfile:
    """Service and overhead distributions from a one-user level and saturating levels."""
    window = [r for r in single.result.window() if r.ok]
    if len(window) < 50:
        raise ScenarioError("calibrate", f"only {len(window)} successful one-user requests; need >= 50")
    latency = np.array([r.latency for r in window])
    own = np.array([r.cpu_time if math.isfinite(r.cpu_time) else r.model_time for r in window])
    busy = min(vcpus, workers)
    sat_cost = _saturated_cost(saturated, busy)
    single_cost = single.cpu_per_request()
    if np.all(np.isfinite(own)) and math.isfinite(single_cost):
        service_single = own + (single_cost - own.mean())
        service = own + (sat_cost - own.mean())
        source = "model cpu time + framework share from container cpu"
    else:  # image without timing headers: shape from the latency itself
        ovh = max(latency.mean() - (single_cost if math.isfinite(single_cost) else sat_cost), 0.0)
        service_single = np.maximum(latency - ovh, 1e-6)
        service = service_single * (sat_cost / service_single.mean())
        source = "latency minus mean overhead (image reports no model time)"
    overhead = np.maximum(latency - service_single, 1e-6)
    service_fit, overhead_fit = fit_distribution(service), fit_distribution(overhead)
    fitted = {
        "method": source,
        "samples": {"single_user": len(window), "saturated": sum(len(lv.result.window()) for lv in saturated)},
        "service": {"mean": float(service.mean()), "cv": float(service.std() / service.mean()),
                    **service_fit.summary()},
        "overhead": {"mean": float(overhead.mean()), "cv": float(overhead.std() / overhead.mean()),
                     **overhead_fit.summary()},
        "cpu_per_request": {"single_user": single_cost, "saturated": sat_cost},
        "levels": {lv.load.label(): lv.summary() for lv in [single, *saturated]},
    }
    return ServeProfile(service_fit.distribution, overhead_fit.distribution, vcpus, workers, fitted)


def _saturated_cost(levels: list[Level], busy: int) -> float:
    """Instance cost of a request when busy: container CPU per request, or busy cores / throughput."""
    costs = [lv.cpu_per_request() for lv in levels if math.isfinite(lv.cpu_per_request())]
    if costs:
        return float(np.mean(costs))
    rates = [lv.result.throughput() for lv in levels]
    if not rates:
        raise ScenarioError("calibrate", "no saturating level measured; give fit_users")
    return busy / float(np.mean(rates))


def ensure_image(image: str) -> None:
    """Fail early, in one line, if the image is missing."""
    _docker.require_image(_docker.client(), image)
