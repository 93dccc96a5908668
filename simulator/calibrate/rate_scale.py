"""The rate table calibration fits (`fitted.rate_scale`), read back: how fast the instance works at an
arrival rate, as a factor on the profile's service time, and a profile with its service time scaled."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from simulator.calibrate.loads import Load
from simulator.calibrate.profiles import ServeProfile


def scaled_service(profile: ServeProfile, factor: float) -> ServeProfile:
    """The profile's instance with its service time times factor, as one fixed model to predict
    with (no rate table: the factor is already chosen)."""
    return replace(profile, service_time=scale_distribution(profile.service_time, factor), fitted={})


def scale_distribution(dist: dict[str, Any], factor: float) -> dict[str, Any]:
    """A service-time distribution dict with every duration multiplied by factor."""
    out = dict(dist)
    if out["distribution"] == "empirical":
        out["samples"] = [float(f"{x * factor:.6g}") for x in out["samples"]]
    elif out["distribution"] == "deterministic":
        out["value"] = out["value"] * factor
    else:
        out["mean"] = out["mean"] * factor
    return out


def cpu_at(profile: ServeProfile, rate: float) -> float:
    """The container CPU per request calibration measured around an arrival rate (nan if unknown)."""
    table = profile.fitted.get("rate_scale")
    if not table or "cpu_per_request" not in table:
        return math.nan
    return float(np.interp(rate, table["rates"], table["cpu_per_request"]))


def saturated_cpu(profile: ServeProfile) -> float:
    """The container CPU per request calibration measured in its saturating closed loops (nan if
    unknown): the rate table's point at the measured maximum throughput, or the separate key that
    profiles written before that point existed kept."""
    table = profile.fitted.get("rate_scale")
    if not table:
        return math.nan
    if "saturated_cpu_per_request" in table:
        return float(table["saturated_cpu_per_request"])
    costs = table.get("cpu_per_request", [])
    return float(costs[-1]) if costs and len(costs) == len(table["rates"]) else math.nan


def scale_at(profile: ServeProfile, rate: float) -> float:
    """The factor on the profile's service time under open-loop traffic at a rate (1.0 without a table)."""
    table = profile.fitted.get("rate_scale")
    if not table or not table["rates"]:
        return 1.0
    return float(np.interp(rate, table["rates"], table["factors"]))


def saturation_scale(profile: ServeProfile) -> float:
    """The factor on the profile's service time back to back (closed loop; 1.0 without a table)."""
    table = profile.fitted.get("rate_scale")
    return float(table["saturation_factor"]) if table else 1.0


def service_factor(profile: ServeProfile, load: Load) -> float:
    """The factor on the profile's service time under a load: at the open-loop rate, or back to back
    for a closed loop."""
    return scale_at(profile, load.level) if load.kind == "open" else saturation_scale(profile)
