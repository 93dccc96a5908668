"""`simulate(scenario, seed) -> Result`: build -> wire -> run -> collect, as a pure function."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from simulator.engine.build import build
from simulator.engine.result import Result
from simulator.engine.rng import RandomStreams
from simulator.hosting.updates import schedule_updates
from simulator.metrics.fleet import billing, instance_timeline
from simulator.metrics.series import cloudwatch_series
from simulator.metrics.summary import summarize
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.schema import Scenario

ProgressCallback = Callable[[float], None]


def simulate(
    scenario: Scenario,
    seed: int | np.random.SeedSequence | None = None,
    progress: ProgressCallback | None = None,
    progress_steps: int = 50,
) -> Result:
    """Run one replication. Same scenario and seed -> identical Result; nothing global is touched.

    `seed` defaults to the scenario's seed; `progress`, if given, is called with the simulated
    fraction done (the run advances in `progress_steps` chunks).
    """
    if scenario.endpoint is None or scenario.duration is None:
        raise ValueError("simulate() needs a scenario with an endpoint and a duration")
    catalog = scenario_catalog(scenario)
    streams = RandomStreams(scenario.seed if seed is None else seed)
    model = build(scenario, catalog, streams)
    activity = schedule_updates(model.env, model.endpoint, scenario.endpoint.updates, model.startup_samplers)
    model.start()
    duration = scenario.duration
    if progress is None:
        model.env.run(until=duration)
    else:
        for step in range(1, progress_steps + 1):
            model.env.run(until=duration * step / progress_steps)
            progress(step / progress_steps)
    timeline = instance_timeline(model.variants, duration)
    names = [variant.name for variant in model.variants]
    window = scenario.measured_window()
    summary = summarize(model.log, timeline, names, window)
    return Result(
        scenario=scenario,
        summary=summary,
        metrics=cloudwatch_series(scenario, model.log, model.variants, timeline),
        instances=timeline,
        billing=billing(timeline, *window),
        updates=pd.DataFrame(activity, columns=["time_s", "variant", "change", "from", "to"]),
        log=model.log,
        variant_names=tuple(names),
    )
