"""Build and wire phase: turn a validated Scenario into live SimPy objects sharing one clock."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy

from simulator.catalog import Catalog
from simulator.engine.rng import BlockSampler, RandomStreams, uniform_sampler
from simulator.hosting.endpoint import Endpoint
from simulator.hosting.instance import Wiring
from simulator.hosting.service import service_plan
from simulator.hosting.variant import Variant
from simulator.metrics.records import RequestLog
from simulator.scenario.distributions import Deterministic
from simulator.scenario.schema import Scenario
from simulator.scenario.traffic import ClosedLoopArrivals
from simulator.workload.drivers import ClosedLoopDriver, TimetableDriver
from simulator.workload.open_loop import open_loop_arrivals


@dataclass
class Model:
    """Everything a run needs at run time."""

    env: simpy.Environment
    log: RequestLog
    endpoint: Endpoint
    variants: list[Variant]
    start: Callable[[], None]
    startup_samplers: list[Callable[[], float]]


def _payload_sampler(scenario: Scenario, streams: RandomStreams) -> BlockSampler | None:
    traffic = scenario.traffic
    assert traffic is not None
    if traffic.payload_cv <= 0:
        return None
    sigma2 = np.log1p(traffic.payload_cv**2)
    mu = np.log(max(traffic.payload_size, 1.0)) - sigma2 / 2
    return BlockSampler(lambda rng, n: rng.lognormal(mu, np.sqrt(sigma2), n), streams.generator("payload"))


def build(scenario: Scenario, catalog: Catalog, streams: RandomStreams) -> Model:
    """Create the environment, request log, variants with their initial fleets, and the traffic driver."""
    endpoint_spec, traffic = scenario.endpoint, scenario.traffic
    assert endpoint_spec is not None and traffic is not None and scenario.duration is not None
    env = simpy.Environment()
    closed_loop = isinstance(traffic.arrivals, ClosedLoopArrivals)
    if closed_loop:
        log = RequestLog(capacity=4096)
    else:
        times = open_loop_arrivals(traffic.arrivals, scenario.duration, streams.generator("arrivals"))  # type: ignore[arg-type]
        log = RequestLog.with_arrivals(times)
    wiring = Wiring(env=env, log=log, timeout=endpoint_spec.invocation_timeout, on_done=lambda request: None)
    instance_ids = itertools.count()
    variants: list[Variant] = []
    overheads: list[BlockSampler] = []
    startups: list[Callable[[], float]] = []
    for index, spec in enumerate(endpoint_spec.variants):
        model = scenario.models[spec.model]
        instance_type = catalog.instance(spec.instance_type)
        plan = service_plan(model, instance_type, catalog)
        variant = Variant(
            index=index,
            spec=spec,
            instance_type=instance_type,
            plan=plan,
            routing=spec.routing or endpoint_spec.routing,
            service_sampler=BlockSampler(
                plan.distribution.sample, streams.generator("service", index), plan.scale
            ),
            choice_sampler=uniform_sampler(streams.generator("instance_choice", index)),
            wiring=wiring,
            new_instance_id=lambda: next(instance_ids),
        )
        for _ in range(spec.instance_count):
            variant.launch(0.0, ready_after=0.0)
        variant.desired = spec.instance_count
        variants.append(variant)
        overhead = model.overhead or endpoint_spec.overhead
        overheads.append(BlockSampler(overhead.sample, streams.generator("overhead", index)))
        startup = spec.startup_time or Deterministic(distribution="deterministic", value=0.0)
        startups.append(BlockSampler(startup.sample, streams.generator("startup", index)).next)
    names = {variant.name: variant.index for variant in variants}
    endpoint = Endpoint(
        variants=variants,
        weights=[spec.weight for spec in endpoint_spec.variants],
        target_shares=[(names[t.variant], t.share) for t in traffic.target_variants],
        routing_sampler=uniform_sampler(streams.generator("routing")),
        overhead_samplers=overheads,
        payload_sampler=_payload_sampler(scenario, streams),
        payload_size=traffic.payload_size,
        bandwidth=endpoint_spec.network_bandwidth,
        log=log,
    )
    if isinstance(traffic.arrivals, ClosedLoopArrivals):
        think = traffic.arrivals.think_time
        driver: ClosedLoopDriver | TimetableDriver = ClosedLoopDriver(
            env,
            log,
            traffic.arrivals,
            scenario.duration,
            endpoint.dispatch,
            BlockSampler(think.sample, streams.generator("think")) if think else None,
        )
        wiring.on_done = driver.on_done
        endpoint.on_done = driver.on_done
    else:
        driver = TimetableDriver(env, log, endpoint.dispatch)
    return Model(
        env=env, log=log, endpoint=endpoint, variants=variants, start=driver.start, startup_samplers=startups
    )
