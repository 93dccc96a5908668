"""`simulate(scenario, seed) -> Result`: build -> wire -> run -> collect, as a pure function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from simulator.catalog import Catalog
from simulator.core.records import RingLog, RingOverflow
from simulator.core.rng import RandomStreams
from simulator.engine.backlog import refuse_ring_overflow
from simulator.engine.build import Model, build
from simulator.engine.choice import choose_engine
from simulator.engine.fast.run import run_fast
from simulator.engine.fast.static_queue import Tie
from simulator.engine.result import Result
from simulator.engine.ring import STREAMING_ABOVE, expected_requests, refuse_endless_records, ring_capacity
from simulator.errors import ScenarioError
from simulator.hosting.autoscaler import ScalingRecords, start_autoscaling
from simulator.hosting.rollout_controller import RolloutLog, attach_rollout
from simulator.hosting.serverless import ServerlessVariant
from simulator.hosting.updates import schedule_updates
from simulator.metrics.elastic import autoscaling_figures, serverless_bill, serverless_figures
from simulator.metrics.fleet import billing, instance_timeline
from simulator.metrics.oscillation import oscillation_figures
from simulator.metrics.series import cloudwatch_series
from simulator.metrics.serving import serving_extras
from simulator.metrics.streaming import StreamingCollector
from simulator.metrics.summary import compose, window_figures
from simulator.metrics.summary_types import Extras
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.kinds import EndpointScenario, OptionsScenario

ProgressCallback = Callable[[float], None]
PROGRESS_STEPS = 50
__all__ = ["STREAMING_ABOVE", "Result", "expected_requests", "ring_capacity", "simulate"]


SCALING_COLUMNS = ("time_s", "variant", "from", "to", "kind", "cause")
CAPACITY_COLUMNS = ("time_s", "variant", "desired")
ALARM_COLUMNS = ("time_s", "variant", "alarm", "value", "history")
DATAPOINT_COLUMNS = ("time_s", "variant", "policy", "value")
COLD_START_COLUMNS = ("time_s", "variant", "model_setup_time_s")
UPDATE_COLUMNS = ("time_s", "variant", "change", "from", "to")
_EMPTY_TABLES = {
    columns: pd.DataFrame(np.empty((0, len(columns)), dtype=object), columns=list(columns))
    for columns in (
        SCALING_COLUMNS,
        CAPACITY_COLUMNS,
        ALARM_COLUMNS,
        DATAPOINT_COLUMNS,
        COLD_START_COLUMNS,
        UPDATE_COLUMNS,
    )
}
"""Never handed out, only copied (see _table)."""


@dataclass
class Run:
    """A model after its run, with what changed its fleet and the engine that ran it."""

    scenario: EndpointScenario
    catalog: Catalog
    model: Model
    engine: str
    activity: list[dict[str, Any]]
    scaling: ScalingRecords
    rollout: RolloutLog | None
    collector: StreamingCollector | None


def simulate(
    scenario: EndpointScenario,
    seed: int | np.random.SeedSequence | None = None,
    progress: ProgressCallback | None = None,
) -> Result:
    """Run one replication. Same scenario and seed -> identical Result; nothing global is touched.

    `seed` defaults to the scenario's seed; `progress`, if given, is called with the simulated
    fraction done (the run advances in PROGRESS_STEPS chunks).
    """
    run = execute(scenario, seed, progress)
    model, collector, duration = run.model, run.collector, scenario.duration
    timeline = instance_timeline(model.variants, duration)
    names = [variant.name for variant in model.variants]
    window = scenario.measured_window()
    elastic = _elastic(run)
    bill = billing(timeline, *window)
    changes = run.activity + (run.rollout.updates if run.rollout else [])  # the rollout's fleet changes
    if collector is not None and isinstance(model.log, RingLog):
        collector.fold(model.log, model.log.tail, model.log.head)  # the rest, in flight included
        summary = collector.summary(timeline, bill, names, run.engine, elastic.extras)
    else:  # requests arriving inside the window, of the endpoint and of each variant
        figures, per_variant = window_figures(model.log, len(names), window[0])
        summary = compose(figures, per_variant, timeline, bill, names, window, run.engine, elastic.extras)
    if elastic.serverless_bills:
        bill = pd.concat([bill, pd.DataFrame(elastic.serverless_bills)], ignore_index=True)
    return Result(
        scenario=scenario,
        summary=summary,
        metrics=cloudwatch_series(
            scenario,
            model.log,
            model.variants,
            timeline,
            elastic.capacity,
            elastic.cold_starts,
            collector,
            run.catalog.serverless,
        ),
        instances=timeline,
        billing=bill,
        updates=_table(sorted(changes, key=lambda row: row["time_s"]), UPDATE_COLUMNS),
        log=None if collector else model.log,
        variant_names=tuple(names),
        scaling=elastic.scaling,
        capacity=elastic.capacity,
        alarms=elastic.alarms,
        datapoints=_table(run.scaling.datapoints, DATAPOINT_COLUMNS),
        cold_starts=elastic.cold_starts,
        rollout=run.rollout,
    )


def execute(
    scenario: EndpointScenario,
    seed: int | np.random.SeedSequence | None = None,
    progress: ProgressCallback | None = None,
) -> Run:
    """Build the model and run it on the engine the scenario allows (see simulate); what a run
    produces is computed from the Run by its caller."""
    if not isinstance(scenario, EndpointScenario):
        raise ValueError("simulate() needs a scenario with an endpoint and a duration")
    if isinstance(
        scenario, OptionsScenario
    ):  # simulated as one endpoint, its options would split the traffic
        raise ValueError(
            "simulate() runs one deployment, and an options scenario's variants are alternatives: compare"
            " them with simulator.options.compare_options (as `sagesim run` does), or simulate one with"
            " simulate(simulator.options.option_scenario(scenario, NAME))"
        )
    catalog = scenario_catalog(scenario)
    streams = RandomStreams(scenario.seed if seed is None else seed)
    capacity = ring_capacity(scenario)
    collector = None
    if not capacity:
        refuse_endless_records(scenario)
    else:
        refuse_ring_overflow(scenario, catalog, capacity)
        collector = StreamingCollector(
            len(scenario.endpoint.variants),
            scenario.metrics.period,
            scenario.duration,
            scenario.measured_window(),
        )
    engine = choose_engine(scenario, catalog, streaming=bool(capacity))
    model, activity, scaling, rollout = _assemble(scenario, catalog, streams, capacity, collector)
    duration = scenario.duration
    if engine == "fast":
        try:
            # the fleet's own events first (autoscaling on arrivals, see fast/elastic.py), then requests
            model.env.run(until=duration)
            run_fast(model.log, model.variants, streams, scenario.endpoint.invocation_timeout, duration)
        except Tie:  # a request at the very instant the fleet changes: only SimPy orders that
            engine = "simpy"
            model, activity, scaling, rollout = _assemble(scenario, catalog, streams, capacity, collector)
        else:
            if progress is not None:
                progress(1.0)
    if engine == "simpy":
        _run_simpy(model, duration, progress)
    return Run(scenario, catalog, model, engine, activity, scaling, rollout, collector)


def _table(rows: list[Any], columns: tuple[str, ...]) -> pd.DataFrame:
    """`pd.DataFrame(rows, columns=columns)`; an empty one (most runs' scaling, alarms, updates ...)
    as a copy of a prebuilt empty table, the cheapest way for a recommender trial's hundreds of runs."""
    if rows:
        return pd.DataFrame(rows, columns=list(columns))
    return _EMPTY_TABLES[columns].copy()


def _assemble(
    scenario: EndpointScenario,
    catalog: Catalog,
    streams: RandomStreams,
    capacity: int,
    collector: StreamingCollector | None,
) -> tuple[Model, list[dict[str, Any]], ScalingRecords, RolloutLog | None]:
    """Build the model and attach what changes its fleet (updates, autoscaling, a rollout)."""
    model = build(scenario, catalog, streams, capacity, collector.fold if collector else None)
    activity = schedule_updates(model.env, model.endpoint, scenario.endpoint.updates, model.startup_samplers)
    scaling = start_autoscaling(model.env, model.variants, model.startup_samplers, model.log)
    return model, activity, scaling, attach_rollout(scenario, model)


def _run_simpy(model: Model, duration: float, progress: ProgressCallback | None) -> None:
    """Start the traffic and run the event loop to the end, in PROGRESS_STEPS chunks when reporting."""
    model.start()
    try:
        if progress is None:
            model.env.run(until=duration)
        else:
            for step in range(1, PROGRESS_STEPS + 1):
                model.env.run(until=duration * step / PROGRESS_STEPS)
                progress(step / PROGRESS_STEPS)
    except RingOverflow as overflow:
        raise ScenarioError(
            "metrics.ring_capacity",
            f"at t={model.env.now:,.0f} s over {overflow.capacity:,} requests were in flight at once: the"
            " endpoint is overloaded and its backlog keeps growing; add capacity, a timeout or a bounded"
            " queue, raise metrics.ring_capacity, or keep every record (metrics.per_request_records: true)",
        ) from None


@dataclass(frozen=True)
class Elastic:
    """What the fleet's changes and serverless pools add to a run: tables, bills and summary Extras."""

    extras: dict[str, Extras]
    scaling: pd.DataFrame
    capacity: pd.DataFrame
    alarms: pd.DataFrame
    cold_starts: pd.DataFrame
    serverless_bills: list[dict[str, Any]]


def _elastic(run: Run) -> Elastic:
    """Scaling and serverless tables, and every variant's summary Extras (with every record kept:
    pipeline figures too)."""
    scenario, log, window = run.scenario, run.model.log, run.scenario.measured_window()
    scaling = _table(run.scaling.activities, SCALING_COLUMNS)
    capacity = _table(run.scaling.capacity, CAPACITY_COLUMNS)
    alarms = _table(run.scaling.alarms, ALARM_COLUMNS)
    cold: list[tuple[float, str, float]] = []
    bills = []
    extras: dict[str, Extras] = {}
    for variant in run.model.variants:
        if isinstance(variant, ServerlessVariant):
            cold += [(time, variant.name, setup) for time, setup in variant.pool.cold_starts]
            bill = serverless_bill(scenario, run.catalog, log, variant, window)
            extras[variant.name] = Extras(serverless=serverless_figures(log, variant, window, bill))
            bills.append(
                {
                    "instance": -1,
                    "variant": variant.name,
                    "instance_type": f"serverless-{variant.pool.spec.memory_mb}MB",
                    "price_per_hour": np.nan,
                    "billable_seconds": bill.compute_gb_seconds / (variant.pool.spec.memory_mb / 1024),
                    "cost_usd": bill.total_cost_usd,
                }
            )
            continue
        extras[variant.name] = serving_extras(log, variant, window) if run.collector is None else Extras()
        if variant.spec.autoscaling is not None:
            oscillation = oscillation_figures(scaling, variant.name, window)
            autoscaling = autoscaling_figures(scaling, capacity, variant.name, oscillation)
            extras[variant.name] = replace(extras[variant.name], autoscaling=autoscaling)
    return Elastic(extras, scaling, capacity, alarms, _table(cold, COLD_START_COLUMNS), bills)
