"""Per-period CloudWatch-style series per variant (Invocations, ModelLatency in microseconds, ...)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.catalog.model import ServerlessTiers
from simulator.core.records import ERROR_5XX, RequestLog, Status
from simulator.hosting.serverless import ServerlessVariant
from simulator.hosting.variant import Variant
from simulator.metrics.bins import per_bin_mean, per_bin_quantiles, spread_over_bins
from simulator.metrics.elastic import GIB, desired_per_period
from simulator.metrics.fleet import in_service_spans
from simulator.metrics.serving import add_container_series
from simulator.metrics.streaming import StreamingCollector
from simulator.scenario.kinds import EndpointScenario


@dataclass(frozen=True)
class PeriodRequests:
    """What the requests of one variant contribute to each period (latencies in microseconds)."""

    invocations: np.ndarray
    columns: dict[str, np.ndarray]
    """The CloudWatch latency and error columns, in metrics.csv's order, for every kind of variant."""
    busy: np.ndarray  # device-seconds of work


def period_requests_from_log(
    log: RequestLog, mine: np.ndarray, bins: np.ndarray, duration: float, period: float, n_bins: int
) -> PeriodRequests:
    """Exact per-period figures from full request records (`mine`: a mask over the log's requests)."""
    mine = np.asarray(mine, dtype=bool)  # a mask selects copies, so the in-place steps leave the log alone
    stat = log.column("status")[mine]
    ok = stat == Status.OK
    model_latency = log.column("end")[mine]
    model_latency -= log.column("arrival")[mine]
    model_latency = model_latency[ok]
    model_latency *= 1e6  # in place, step by step: a long run's columns are hundreds of MB each
    completed_bins = bins[ok]
    p50, p99 = per_bin_quantiles(completed_bins, model_latency, n_bins, (0.5, 0.99))
    overhead = log.column("overhead")[mine][ok]
    overhead *= 1e6
    return PeriodRequests(
        invocations=np.bincount(bins, minlength=n_bins)[:n_bins],
        columns={
            "ModelLatency": per_bin_mean(completed_bins, model_latency, n_bins),
            "ModelLatency_p50": p50,
            "ModelLatency_p99": p99,
            "OverheadLatency": per_bin_mean(completed_bins, overhead, n_bins),
            "Invocation4XXErrors": np.bincount(bins[stat == Status.THROTTLED], minlength=n_bins)[:n_bins],
            "Invocation5XXErrors": np.bincount(bins[np.isin(stat, ERROR_5XX)], minlength=n_bins)[:n_bins],
        },
        busy=busy_per_period(log, mine, duration, period, n_bins),
    )


def busy_per_period(
    log: RequestLog, mine: np.ndarray, duration: float, period: float, n_bins: int
) -> np.ndarray:
    """Device-seconds of work per period of the requests `mine` (in service until the end at most)."""
    served = ~np.isnan(log.column("start"))
    served &= mine  # one mask over the log: each column is copied once, not twice
    return spread_over_bins(
        log.column("start")[served],
        np.nan_to_num(log.column("end")[served], nan=duration, copy=False),
        log.column("work")[served],
        period,
        n_bins,
    )


def period_requests_from_collector(collector: StreamingCollector, index: int) -> PeriodRequests:
    """Per-period figures from streaming aggregates (p50/p99 from coarse histograms)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        completed = collector.completed[index]
        mean = np.where(completed > 0, collector.model_latency_sum[index] / np.maximum(completed, 1), np.nan)
        overhead = np.where(completed > 0, collector.overhead_sum[index] / np.maximum(completed, 1), np.nan)
    return PeriodRequests(
        invocations=collector.invocations[index],
        columns={
            "ModelLatency": mean * 1e6,
            "ModelLatency_p50": collector.period_quantile(index, 0.5) * 1e6,
            "ModelLatency_p99": collector.period_quantile(index, 0.99) * 1e6,
            "OverheadLatency": overhead * 1e6,
            "Invocation4XXErrors": collector.throttled[index],
            "Invocation5XXErrors": collector.errors_5xx[index],
        },
        busy=collector.busy[index],
    )


def cloudwatch_series(
    scenario: EndpointScenario,
    log: RequestLog | None,
    variants: list[Variant],
    timeline: pd.DataFrame,
    capacity: pd.DataFrame,
    cold_starts: pd.DataFrame,
    collector: StreamingCollector | None,
    serverless_prices: ServerlessTiers,
) -> pd.DataFrame:
    """One row per (period, variant); requests are attributed to the period they arrived in.

    Request figures come from the full records (`log`) or, for long runs, from `collector`.
    """
    period = scenario.metrics.period
    n_bins = int(np.ceil(scenario.duration / period))
    frames = []
    for variant in variants:
        if collector is not None:
            requests = period_requests_from_collector(collector, variant.index)
        else:
            assert log is not None
            mine = log.column("variant") == variant.index
            bins = (log.column("arrival")[mine] // period).astype(np.int64)
            requests = period_requests_from_log(log, mine, bins, scenario.duration, period, n_bins)
            if isinstance(variant, ServerlessVariant):
                frames.append(
                    serverless_series(
                        scenario, serverless_prices, log, variant, mine, bins, requests, cold_starts
                    )
                )
                continue
        frame = _instance_frame(scenario, variant, requests, timeline, capacity, period, n_bins)
        if log is not None and collector is None and variant.stage_record is not None:
            add_container_series(frame, log, variant, period, n_bins)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _instance_frame(
    scenario: EndpointScenario,
    variant: Variant,
    requests: PeriodRequests,
    timeline: pd.DataFrame,
    capacity: pd.DataFrame,
    period: float,
    n_bins: int,
) -> pd.DataFrame:
    """CloudWatch columns of an instance-based variant: request figures plus its fleet."""
    mine = timeline[timeline["variant"] == variant.name]
    spans = in_service_spans(mine)
    instances, utilisation, memory = utilisation_per_period(
        scenario, variant, requests.busy, spans, period, n_bins
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        per_instance = np.where(instances > 0, requests.invocations / instances, np.nan)
    billable = spread_over_bins(
        mine["launched_at"].to_numpy(),
        mine["terminated_at"].to_numpy(),
        (mine["terminated_at"] - mine["launched_at"]).clip(lower=0).to_numpy(),
        period,
        n_bins,
    )
    frame = pd.DataFrame(
        {
            "time_s": np.arange(n_bins) * period,
            "variant": variant.name,
            "Invocations": requests.invocations,
            "InvocationsPerInstance": per_instance,
            **requests.columns,
            utilisation_column(variant): utilisation,
            "MemoryUtilization": memory,
            "InServiceInstances": instances,
            "cost_usd": billable * variant.price_per_hour / 3600.0,
        }
    )
    if variant.spec.autoscaling is not None:
        frame["DesiredInstances"] = desired_per_period(capacity, variant.name, period, n_bins)
    return frame


def utilisation_column(variant: Variant) -> str:
    return "GPUUtilization" if variant.plan.device == "gpu" else "CPUUtilization"


def utilisation_per_period(
    scenario: EndpointScenario,
    variant: Variant,
    busy: np.ndarray,
    spans: tuple[np.ndarray, np.ndarray],
    period: float,
    n_bins: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(InService instances, CPU or GPU utilisation, memory utilisation) per period of a variant whose
    instances were InService over `spans` (from, until) and whose requests kept its devices `busy`."""
    in_service, ended = spans
    instance_seconds = spread_over_bins(
        in_service, ended, np.maximum(ended - in_service, 0.0), period, n_bins
    )
    instances = instance_seconds / period
    with np.errstate(invalid="ignore", divide="ignore"):
        utilisation = np.where(instance_seconds > 0, busy / instance_seconds * 100.0, np.nan)
    model = scenario.models[variant.spec.model]
    memory = variant.workers * model.memory / (variant.instance_type.memory_gib * 1024**3)
    return instances, utilisation, np.where(instances > 0, min(memory, 1.0) * 100.0, np.nan)


def serverless_series(
    scenario: EndpointScenario,
    prices: ServerlessTiers,
    log: RequestLog,
    variant: ServerlessVariant,
    mine: np.ndarray,
    bins: np.ndarray,
    requests: PeriodRequests,
    cold_starts: pd.DataFrame,
) -> pd.DataFrame:
    """Invocations, latency, throttles (4XX), ModelSetupTime, cold starts and cost per period."""
    period = scenario.metrics.period
    n_bins = int(np.ceil(scenario.duration / period))
    stat = log.column("status")[mine]
    setups = cold_starts[cold_starts["variant"] == variant.name]
    setup_bins = (setups["time_s"].to_numpy() // period).astype(np.int64)
    setup_us = setups["model_setup_time_s"].to_numpy(dtype=float) * 1e6
    # the bill per period, by the rules of `serverless_bill`: billed compute of the requests that arrived
    # in the period, their data processed, and provisioned concurrency held through it
    config = variant.serverless
    assert config is not None
    memory_gb = config.memory_mb / 1024.0
    work = log.column("work")[mine]
    served = ~np.isnan(log.column("start")[mine])
    billed = np.ceil(work[served] / config.billing_granularity - 1e-9) * config.billing_granularity
    compute = np.bincount(bins[served], weights=billed, minlength=n_bins)[:n_bins]
    admitted = np.bincount(bins[stat != Status.THROTTLED], minlength=n_bins)[:n_bins]
    held = np.minimum(period, scenario.duration - np.arange(n_bins) * period)
    cost = (
        compute * memory_gb * prices.price_per_gb_second
        + admitted
        * (scenario.traffic.payload_size + config.response_size)
        / GIB
        * prices.price_per_gb_processed
        + config.provisioned_concurrency * memory_gb * held * prices.provisioned_price_per_gb_second
    )
    return pd.DataFrame(
        {
            "time_s": np.arange(n_bins) * period,
            "variant": variant.name,
            "Invocations": requests.invocations,
            **requests.columns,
            "InServiceInstances": np.zeros(n_bins),
            "ModelSetupTime": per_bin_mean(setup_bins, setup_us, n_bins),
            "ColdStarts": np.bincount(setup_bins, minlength=n_bins)[:n_bins],
            "cost_usd": cost,
        }
    )
