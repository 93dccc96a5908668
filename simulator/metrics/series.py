"""Per-period CloudWatch-style series per variant (Invocations, ModelLatency in microseconds, ...)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.hosting.serverless import ServerlessVariant
from simulator.hosting.variant import Variant
from simulator.metrics.bins import spread_over_bins
from simulator.metrics.elastic import desired_per_period
from simulator.metrics.records import ERROR_5XX, RequestLog, Status
from simulator.scenario.schema import Scenario


def _per_bin_mean(bins: np.ndarray, values: np.ndarray, n_bins: int) -> np.ndarray:
    sums = np.bincount(bins, weights=values, minlength=n_bins)[:n_bins]
    counts = np.bincount(bins, minlength=n_bins)[:n_bins]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _per_bin_quantile(bins: np.ndarray, values: np.ndarray, n_bins: int, q: float) -> np.ndarray:
    result = np.full(n_bins, np.nan)
    if len(values):
        grouped = pd.Series(values).groupby(bins).quantile(q)
        index = grouped.index.to_numpy()
        keep = index < n_bins
        result[index[keep]] = grouped.to_numpy()[keep]
    return result


def cloudwatch_series(
    scenario: Scenario,
    log: RequestLog,
    variants: list[Variant],
    timeline: pd.DataFrame,
    capacity: pd.DataFrame | None = None,
    cold_starts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per (period, variant); requests are attributed to the period they arrived in."""
    assert scenario.duration is not None
    period = scenario.metrics.period
    n_bins = int(np.ceil(scenario.duration / period))
    arrival = log.column("arrival")
    bins_all = (arrival // period).astype(np.int64)
    status = log.column("status")
    variant_of = log.column("variant")
    frames = []
    for variant in variants:
        mine = variant_of == variant.index
        bins = bins_all[mine]
        stat = status[mine]
        ok = stat == Status.OK
        model_latency = (log.column("end")[mine] - arrival[mine])[ok]
        if isinstance(variant, ServerlessVariant):
            frames.append(
                serverless_series(log, variant, mine, bins, stat, model_latency, cold_starts, period, n_bins)
            )
            continue
        fleet = timeline[timeline["variant"] == variant.name].dropna(subset=["in_service_at"])
        instance_seconds = spread_over_bins(
            fleet["in_service_at"].to_numpy(),
            fleet["terminated_at"].to_numpy(),
            (fleet["terminated_at"] - fleet["in_service_at"]).clip(lower=0).to_numpy(),
            period,
            n_bins,
        )
        instances = instance_seconds / period
        served = ~np.isnan(log.column("start")[mine])
        busy = spread_over_bins(
            log.column("start")[mine][served],
            np.nan_to_num(log.column("end")[mine][served], nan=scenario.duration),
            log.column("work")[mine][served],
            period,
            n_bins,
        )
        invocations = np.bincount(bins, minlength=n_bins)[:n_bins]
        with np.errstate(invalid="ignore", divide="ignore"):
            per_instance = np.where(instances > 0, invocations / instances, np.nan)
            utilisation = np.where(instance_seconds > 0, busy / instance_seconds * 100.0, np.nan)
        memory = (
            variant.workers * _model_memory(scenario, variant) / (variant.instance_type.memory_gib * 1024**3)
        )
        billable = spread_over_bins(
            timeline.loc[timeline["variant"] == variant.name, "launched_at"].to_numpy(),
            timeline.loc[timeline["variant"] == variant.name, "terminated_at"].to_numpy(),
            (
                timeline.loc[timeline["variant"] == variant.name, "terminated_at"]
                - timeline.loc[timeline["variant"] == variant.name, "launched_at"]
            )
            .clip(lower=0)
            .to_numpy(),
            period,
            n_bins,
        )
        frame = pd.DataFrame(
            {
                "time_s": np.arange(n_bins) * period,
                "variant": variant.name,
                "Invocations": invocations,
                "InvocationsPerInstance": per_instance,
                "ModelLatency": _per_bin_mean(bins[ok], model_latency * 1e6, n_bins),
                "ModelLatency_p50": _per_bin_quantile(bins[ok], model_latency * 1e6, n_bins, 0.5),
                "ModelLatency_p99": _per_bin_quantile(bins[ok], model_latency * 1e6, n_bins, 0.99),
                "OverheadLatency": _per_bin_mean(bins[ok], log.column("overhead")[mine][ok] * 1e6, n_bins),
                "Invocation4XXErrors": np.bincount(bins[stat == Status.THROTTLED], minlength=n_bins)[:n_bins],
                "Invocation5XXErrors": np.bincount(bins[np.isin(stat, ERROR_5XX)], minlength=n_bins)[:n_bins],
                ("GPUUtilization" if variant.plan.device == "gpu" else "CPUUtilization"): utilisation,
                "MemoryUtilization": np.where(instances > 0, min(memory, 1.0) * 100.0, np.nan),
                "InServiceInstances": instances,
                "cost_usd": billable * variant.instance_type.price_per_hour / 3600.0,
            }
        )
        if variant.spec.autoscaling is not None and capacity is not None:
            frame["DesiredInstances"] = desired_per_period(capacity, variant.name, period, n_bins)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def serverless_series(
    log: RequestLog,
    variant: ServerlessVariant,
    mine: np.ndarray,
    bins: np.ndarray,
    stat: np.ndarray,
    model_latency: np.ndarray,
    cold_starts: pd.DataFrame | None,
    period: float,
    n_bins: int,
) -> pd.DataFrame:
    """Invocations, latency, throttles (4XX), ModelSetupTime and cold starts per period."""
    ok = stat == Status.OK
    setups = (
        cold_starts[cold_starts["variant"] == variant.name]
        if cold_starts is not None
        else pd.DataFrame(columns=["time_s", "model_setup_time_s"])
    )
    setup_bins = (setups["time_s"].to_numpy() // period).astype(np.int64)
    setup_us = setups["model_setup_time_s"].to_numpy(dtype=float) * 1e6
    return pd.DataFrame(
        {
            "time_s": np.arange(n_bins) * period,
            "variant": variant.name,
            "Invocations": np.bincount(bins, minlength=n_bins)[:n_bins],
            "ModelLatency": _per_bin_mean(bins[ok], model_latency * 1e6, n_bins),
            "ModelLatency_p50": _per_bin_quantile(bins[ok], model_latency * 1e6, n_bins, 0.5),
            "ModelLatency_p99": _per_bin_quantile(bins[ok], model_latency * 1e6, n_bins, 0.99),
            "OverheadLatency": _per_bin_mean(bins[ok], log.column("overhead")[mine][ok] * 1e6, n_bins),
            "Invocation4XXErrors": np.bincount(bins[stat == Status.THROTTLED], minlength=n_bins)[:n_bins],
            "Invocation5XXErrors": np.bincount(bins[np.isin(stat, ERROR_5XX)], minlength=n_bins)[:n_bins],
            "InServiceInstances": np.zeros(n_bins),
            "ModelSetupTime": _per_bin_mean(setup_bins, setup_us, n_bins),
            "ColdStarts": np.bincount(setup_bins, minlength=n_bins)[:n_bins],
            "cost_usd": np.zeros(n_bins),
        }
    )


def _model_memory(scenario: Scenario, variant: Variant) -> float:
    return scenario.models[variant.spec.model].memory
