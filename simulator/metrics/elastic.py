"""Figures of elastic capacity: scaling activities, desired capacity, serverless cold starts and billing.

Serverless billing (documented defaults; prices are catalog data):
- compute: each served request's duration (service start to end, cold start excluded) rounded up to
  `billing_granularity` (default 1 ms) x memory GB (memory_mb / 1024) x `price_per_gb_second`;
- data processed: (payload_size in + response_size out) per admitted request x `price_per_gb_processed`
  (GB = 1024^3 bytes);
- provisioned concurrency: provisioned_concurrency x memory GB x window seconds x
  `provisioned_price_per_gb_second` (the compute of requests served on provisioned environments is
  charged at the on-demand compute price, a simplification).
Requests are attributed to the measured window by arrival time, like everything else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.catalog import Catalog
from simulator.core.records import RequestLog, Status
from simulator.hosting.serverless import ServerlessVariant
from simulator.metrics.summary_types import (
    Autoscaling,
    Desired,
    Oscillation,
    Serverless,
    ServerlessBill,
    SetupTime,
)
from simulator.scenario.kinds import EndpointScenario

GIB = 1024.0**3


def serverless_bill(
    scenario: EndpointScenario,
    catalog: Catalog,
    log: RequestLog,
    variant: ServerlessVariant,
    window: tuple[float, float],
) -> ServerlessBill:
    """Compute GB-seconds, data processed and provisioned concurrency, with their costs, in the window."""
    assert variant.serverless is not None
    config, prices = variant.serverless, catalog.serverless
    start, end = window
    mine = (log.column("variant") == variant.index) & (log.column("arrival") >= start)
    status = log.column("status")[mine]
    work = log.column("work")[mine]
    served = ~np.isnan(log.column("start")[mine])
    granularity = config.billing_granularity
    billed_seconds = float((np.ceil(work[served] / granularity - 1e-9) * granularity).sum())
    memory_gb = config.memory_mb / 1024.0
    admitted = int(np.count_nonzero(status != Status.THROTTLED))
    data_gb = admitted * (scenario.traffic.payload_size + config.response_size) / GIB
    provisioned_gb_s = config.provisioned_concurrency * memory_gb * (end - start)
    compute_cost = billed_seconds * memory_gb * prices.price_per_gb_second
    data_cost = data_gb * prices.price_per_gb_processed
    provisioned_cost = provisioned_gb_s * prices.provisioned_price_per_gb_second
    return ServerlessBill(
        compute_gb_seconds=billed_seconds * memory_gb,
        compute_cost_usd=compute_cost,
        data_processed_gb=data_gb,
        data_cost_usd=data_cost,
        provisioned_gb_seconds=provisioned_gb_s,
        provisioned_cost_usd=provisioned_cost,
        total_cost_usd=compute_cost + data_cost + provisioned_cost,
    )


def serverless_figures(
    log: RequestLog, variant: ServerlessVariant, window: tuple[float, float], bill: ServerlessBill
) -> Serverless:
    pool = variant.pool
    start, _ = window
    setups = np.array([setup for time, setup in pool.cold_starts if time >= start])
    mine = (log.column("variant") == variant.index) & (log.column("arrival") >= start)
    status = log.column("status")[mine]
    admitted = int(np.count_nonzero(status != Status.THROTTLED))
    return Serverless(
        memory_mb=variant.serverless.memory_mb if variant.serverless else None,
        cold_starts=len(setups),
        cold_start_fraction=len(setups) / admitted if admitted else 0.0,
        model_setup_time_ms=SetupTime(
            mean=float(setups.mean() * 1000) if len(setups) else None,
            p95=float(np.percentile(setups, 95) * 1000) if len(setups) else None,
            max=float(setups.max() * 1000) if len(setups) else None,
        ),
        throttled=int(np.count_nonzero(status == Status.THROTTLED)),
        max_in_flight=pool.max_in_flight,
        max_environments=pool.max_alive,
        billing=bill,
    )


def autoscaling_figures(
    activities: pd.DataFrame, capacity: pd.DataFrame, name: str, oscillation: Oscillation
) -> Autoscaling:
    mine = activities[activities["variant"] == name]  # the run's tables have their columns even when empty
    desired = capacity.loc[capacity["variant"] == name, "desired"]
    return Autoscaling(
        scaling_activities=len(mine),
        scale_outs=int((mine["to"] > mine["from"]).sum()),
        scale_ins=int((mine["to"] < mine["from"]).sum()),
        desired=Desired(int(desired.min()), int(desired.max())) if len(desired) else Desired(None, None),
        oscillation=oscillation,
    )


def desired_per_period(capacity: pd.DataFrame, name: str, period: float, n_bins: int) -> np.ndarray:
    """Desired instance count in effect at the end of each period (step function of the capacity log).
    A change at the very end of a period is made by the alarm evaluated there and takes effect in the
    next period, so it is labelled with that one (its start time, as CloudWatch labels datapoints)."""
    rows = capacity[capacity["variant"] == name]
    ends = (np.arange(n_bins) + 1) * period
    position = np.searchsorted(rows["time_s"].to_numpy(), ends, side="left") - 1
    values = rows["desired"].to_numpy()
    return np.where(position >= 0, values[np.maximum(position, 0)], np.nan)
