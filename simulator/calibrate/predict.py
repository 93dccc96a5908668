"""Predict latency percentiles and throughput of a load level from a fitted profile.

Two backends: `internal` (queue_sim, a direct model of one instance) and `engine` (the full sagesim
engine through a scenario dict that references the profile file). Validation compares the
container against these predictions, never against the fitting data.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Literal

import numpy as np

from simulator.calibrate.loads import Load, summarise
from simulator.calibrate.profiles import ServeProfile, sample, write_profile
from simulator.calibrate.queue_sim import simulate_station
from simulator.calibrate.rate_scale import saturation_scale, scaled_service, service_factor
from simulator.calibrate.speed_trace import NO_TRACE, SpeedTrace
from simulator.engine import simulate
from simulator.scenario import load_scenario_dict

Backend = Literal["internal", "engine", "auto"]


def predict(
    profile: ServeProfile,
    load: Load,
    *,
    requests: int = 200_000,
    seed: int = 1,
    backend: Backend = "internal",
    profile_path: Path | None = None,
    arrivals: np.ndarray | None = None,
    replications: int = 8,
    speed: SpeedTrace = NO_TRACE,
) -> dict[str, float]:
    """p50/p99/p95/mean latency (ms) and throughput (/s) the profile predicts for `load`, with the
    service time the instance has under it: at the open-loop rate (`serve.scale_at`), or back to
    back for a closed loop (`serve.saturation_scale`); a profile without a rate table as stored.

    With `arrivals` (an open-loop level's measured send times, seconds from its start) the model replays
    exactly the arrivals the container saw, the way a scenario replays a trace: the comparison is then
    not blurred by how bursty one Poisson sample happened to be, which at 80% utilisation moves a
    48-second window's p95 by ~8% (one standard deviation). Service times are drawn afresh in each of
    `replications` runs and the figures averaged, so the prediction is the expectation given those
    arrivals. `speed` (internal backend, replayed arrivals) runs the cores at the machine's speed window
    by window, as the level measured it.
    """
    if arrivals is not None and load.kind != "open":
        raise ValueError("arrivals replay an open-loop level")
    with tempfile.TemporaryDirectory(prefix="sagesim-profile-") as tmp:
        if "rate_scale" in profile.fitted:  # one fixed model at this load (no rate table), for the engine too
            profile = scaled_service(profile, service_factor(profile, load))
            if profile_path is not None:
                profile_path = write_profile(profile, Path(tmp) / "profile.yaml")
        if backend == "engine" or (backend == "auto" and profile_path is not None):
            if profile_path is None:
                raise ValueError("the engine backend reads the profile from its file: give profile_path")
            if arrivals is None:
                return _predict_engine(profile, profile_path, load, seed, None, 0.0)
            trace, last = Path(tmp) / "arrivals.csv", float(np.max(arrivals))  # a scenario replays a file
            np.savetxt(trace, np.sort(arrivals), fmt="%.6f", header="t", comments="")
            seeds = range(seed, seed + replications)
            return _average([_predict_engine(profile, profile_path, load, s, trace, last) for s in seeds])
    if arrivals is not None:
        runs = []
        for stream in np.random.SeedSequence(seed).spawn(replications):
            rng = np.random.default_rng(stream)
            replay = simulate_station(
                sample(profile.service_time, rng, len(arrivals)),
                sample(profile.overhead, rng, len(arrivals)),
                vcpus=profile.vcpus,
                workers=profile.workers,
                arrival_times=arrivals,
                warmup_s=load.warmup_s,
                wakeup_slice=profile.wakeup_slice,
                speed=speed,
            )
            runs.append(summarise(replay.latency, replay.throughput))
        return _average(runs)
    service_seed, overhead_seed, arrival_seed = np.random.SeedSequence(seed).spawn(3)
    service = sample(profile.service_time, np.random.default_rng(service_seed), requests)
    overhead = sample(profile.overhead, np.random.default_rng(overhead_seed), requests)
    kwargs: dict[str, Any] = {"rate": load.level} if load.kind == "open" else {"users": int(load.level)}
    run = simulate_station(
        service,
        overhead,
        vcpus=profile.vcpus,
        workers=profile.workers,
        seed=arrival_seed,
        wakeup_slice=profile.wakeup_slice,
        **kwargs,
    )
    return summarise(run.latency, run.throughput)


def _average(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: float(np.mean([run[key] for run in runs])) for key in runs[0]}


def max_throughput(profile: ServeProfile) -> float:
    """Saturation throughput: busy cores over mean service time."""

    mean = float(sample(profile.service_time, np.random.default_rng(0), 200_000).mean())
    return min(profile.vcpus, profile.workers) / (mean * saturation_scale(profile))


CALIBRATED_INSTANCE = "ml.sagesim.calibrated"


def scenario_dict(
    profile: ServeProfile,
    profile_path: Path,
    load: Load,
    seed: int,
    trace: Path | None = None,
    span: float = 0.0,
) -> dict[str, Any]:
    """The sagesim scenario equivalent to one validation load level.

    The emulated instance (profile.vcpus pinned cores) joins the catalog as its own instance type at
    cpu_speed 1.0, so the profile's service time is used as measured. Payloads are given size 0: the
    measured overhead already includes moving them over loopback.
    """
    duration, warmup = "10m", "1m"
    if trace is not None:  # replay measured send times; run past the last one so every request completes
        arrivals: dict[str, Any] = {"process": "trace", "file": str(trace), "column": "t"}
        duration, warmup = f"{span + 10.0:.3f}s", f"{load.warmup_s:.3f}s"
    elif load.kind == "open":
        arrivals = {"process": "poisson", "rate": load.level}
    else:
        arrivals = {"process": "closed_loop", "users": int(load.level)}  # no think time
    return {
        "name": "validate",
        "seed": seed,
        "duration": duration,
        "warmup": warmup,
        "catalog": {
            CALIBRATED_INSTANCE: {
                "vcpus": profile.vcpus,
                "memory_gib": 4,
                "price_per_hour": 0.0,
                "cpu_speed": 1.0,
                "price_source": "calibration: the emulated instance",
            }
        },
        "models": {"m": {"profile": str(profile_path.resolve())}},
        "endpoint": {
            "name": "ep",
            "variants": [
                {
                    "name": "a",
                    "model": "m",
                    "instance_type": CALIBRATED_INSTANCE,
                    "instance_count": 1,
                    "workers": profile.workers,
                }
            ],
        },
        "traffic": {"arrivals": arrivals, "payload_size": 0},
    }


def _predict_engine(
    profile: ServeProfile, profile_path: Path, load: Load, seed: int, trace: Path | None, last: float
) -> dict[str, float]:
    spec = scenario_dict(profile, profile_path, load, seed, trace, last)
    scenario = load_scenario_dict(spec, profile_path.parent)
    result = simulate(scenario, seed)
    lat = result.summary.latency_ms
    completed = result.summary.requests.completed
    span = (last - load.warmup_s) if trace is not None else scenario.duration - scenario.warmup
    return {
        "p50_ms": float(lat.p50),
        "p95_ms": float(lat.p95),
        "p99_ms": float(lat.p99),
        "mean_ms": float(lat.mean),
        "throughput": float(completed) / float(span),
    }


def simulated_completions(
    profile: ServeProfile,
    load: Load,
    *,
    requests: int = 0,
    arrivals: np.ndarray | None = None,
    seed: int = 1,
    speed: SpeedTrace = NO_TRACE,
) -> tuple[np.ndarray, np.ndarray]:
    """When each request the profile's instance serves under `load` left the client and completed
    (s, every request: the caller drops its warm-up the way it drops the measured one's), the
    profile taken as one fixed model (`scaled_service`): the model's side of a comparison that
    takes both through the same estimator (`in_flight`). `arrivals` replays an open-loop level's
    send times; without them, `requests` requests at the load's rate or users. `speed`: the cores'
    pace window by window, as in `predict`."""
    count = len(arrivals) if arrivals is not None else requests
    if arrivals is not None:
        kwargs: dict[str, Any] = {"arrival_times": arrivals}
    else:
        kwargs = {"rate": load.level} if load.kind == "open" else {"users": int(load.level)}
    service_seed, overhead_seed, arrival_seed = np.random.SeedSequence(seed).spawn(3)
    run = simulate_station(
        sample(profile.service_time, np.random.default_rng(service_seed), count),
        sample(profile.overhead, np.random.default_rng(overhead_seed), count),
        vcpus=profile.vcpus,
        workers=profile.workers,
        seed=arrival_seed,
        warmup_s=0.0,
        wakeup_slice=profile.wakeup_slice,
        speed=speed,
        **kwargs,
    )
    return run.sent, run.sent + run.latency
