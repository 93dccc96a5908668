"""Build and wire phase: turn a validated EndpointScenario into live SimPy objects sharing one clock."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import simpy

from simulator.catalog import Catalog, InstanceType
from simulator.core.records import RequestLog, RingLog
from simulator.core.rng import BlockSampler, RandomStreams, uniform_sampler
from simulator.hosting.endpoint import Endpoint
from simulator.hosting.instance import Wiring
from simulator.hosting.pipeline import Stage
from simulator.hosting.plans import base_plan, batching_plan, stage_plans
from simulator.hosting.preassign import Preassigner
from simulator.hosting.routing import TrafficSplitter
from simulator.hosting.serverless import AccountLimit, ServerlessPool, ServerlessVariant
from simulator.hosting.variant import Variant
from simulator.scenario.distributions import Deterministic, LogNormal
from simulator.scenario.endpoint import VariantSpec
from simulator.scenario.kinds import EndpointScenario
from simulator.scenario.traffic import ClosedLoopArrivals, TrafficSpec
from simulator.workload.drivers import ClosedLoopDriver, StreamingTimetableDriver, TimetableDriver
from simulator.workload.open_loop import ArrivalStream, open_loop_arrivals


@dataclass
class Model:
    """Everything a run needs at run time."""

    env: simpy.Environment
    log: RequestLog
    endpoint: Endpoint
    variants: list[Variant]  # serverless variants are ServerlessVariant (same index/name/spec/pick)
    start: Callable[[], None]
    startup_samplers: list[Callable[[], float]]
    splitter: TrafficSplitter | None = None  # blue -> green traffic of a rollout (simulator/rollout/)


def _payload_draws(traffic: TrafficSpec) -> Callable[[np.random.Generator, int], np.ndarray] | None:
    """Log-normal payload sizes with the configured mean and cv (None: every payload is the mean)."""
    if traffic.payload_cv <= 0:
        return None
    sigma = float(np.sqrt(np.log1p(traffic.payload_cv**2)))
    mu = float(np.log(max(traffic.payload_size, 1.0)) - sigma**2 / 2)
    return lambda rng, count: rng.lognormal(mu, sigma, count)


def default_startup(instance_type: InstanceType) -> LogNormal:
    """Launch request -> InService when the scenario gives none: median 4 min (CPU), 6 min (GPU); p99 2x."""
    median = 360.0 if instance_type.gpu is not None else 240.0
    return LogNormal(distribution="lognormal", median=median, p99=2 * median)


DEFAULT_MODEL_SETUP = LogNormal(distribution="lognormal", median=8.0, p99=20.0)


def _serverless(
    index: int,
    spec: VariantSpec,
    scenario: EndpointScenario,
    catalog: Catalog,
    streams: RandomStreams,
    wiring: Wiring,
    account: AccountLimit,
    ids: Iterator[int],
) -> ServerlessVariant:
    """A serverless variant: one request per environment at min(1, memory / mb_per_vcpu) reference vCPUs."""
    config = spec.serverless
    assert config is not None
    model = scenario.models[spec.model]
    assert model.service_time is not None
    speed = min(1.0, config.memory_mb / catalog.serverless.mb_per_vcpu)
    setup = config.model_setup_time or DEFAULT_MODEL_SETUP
    pool = ServerlessPool(
        config,
        BlockSampler(model.service_time.sample, streams.stream("service", index), 1.0 / speed),
        BlockSampler(setup.sample, streams.stream("model_setup", index)).next,
        wiring,
        account,
        lambda: next(ids),
    )
    return ServerlessVariant(index, spec, pool)


def _stages(
    index: int, spec: VariantSpec, scenario: EndpointScenario, catalog: Catalog, streams: RandomStreams
) -> list[Stage] | None:
    """Pipeline (or Elastic Inference) stages of a variant, each container drawing from its own stream."""
    assert spec.instance_type is not None
    plans = stage_plans(
        scenario.models[spec.model],
        spec,
        catalog.instance(spec.instance_type),
        catalog,
        scenario.traffic.payload_size,
    )
    if plans is None:
        return None
    return [
        Stage(
            plan.name,
            BlockSampler(
                plan.distribution.sample, streams.stream("stage_service", index * 16 + k), plan.scale
            ),
            plan.workers,
            plan.hop,
        )
        for k, plan in enumerate(plans)
    ]


def build(
    scenario: EndpointScenario,
    catalog: Catalog,
    streams: RandomStreams,
    ring_capacity: int = 0,
    on_fold: Callable[[RingLog, int, int], None] | None = None,
) -> Model:
    """Create the environment, request log, variants with their initial fleets, and the traffic driver.

    With `ring_capacity` (open loop only) requests live in a fixed ring of records, arrivals are
    generated block by block, and finished requests are handed to `on_fold` (log, start, stop) in
    global-index order before their slots are reused.
    """
    endpoint_spec, traffic, rollout = scenario.endpoint, scenario.traffic, scenario.deployment()
    env = simpy.Environment()
    arrival_stream = None
    if isinstance(traffic.arrivals, ClosedLoopArrivals):
        log: RequestLog = RequestLog(capacity=4096)
    elif ring_capacity:
        log = RingLog(ring_capacity)
        arrival_stream = ArrivalStream(traffic.arrivals, scenario.duration, streams.generator("arrivals"))  # type: ignore[arg-type]
    else:
        times = open_loop_arrivals(traffic.arrivals, scenario.duration, streams.generator("arrivals"))  # type: ignore[arg-type]
        log = RequestLog.with_arrivals(times)
    wiring = Wiring(env=env, log=log, timeout=endpoint_spec.invocation_timeout, on_done=lambda request: None)
    instance_ids = itertools.count()
    variants: list[Variant] = []
    startups: list[Callable[[], float]] = []
    account = AccountLimit(catalog.serverless.account_concurrency_limit)
    overhead_of = [
        scenario.models[v.model].overhead or endpoint_spec.overhead for v in endpoint_spec.variants
    ]
    overheads = [BlockSampler(o.sample, streams.stream("overhead", i)) for i, o in enumerate(overhead_of)]
    for index, spec in enumerate(endpoint_spec.variants):
        model = scenario.models[spec.model]
        if spec.serverless is not None:
            serverless = _serverless(index, spec, scenario, catalog, streams, wiring, account, instance_ids)
            variants.append(serverless)  # type: ignore[arg-type]
            startups.append(lambda: 0.0)
            continue
        assert spec.instance_type is not None
        instance_type = catalog.instance(spec.instance_type)
        plan = base_plan(model, instance_type, catalog)
        stages = _stages(index, spec, scenario, catalog, streams)
        variant = Variant(
            index=index,
            spec=spec,
            instance_type=instance_type,
            plan=plan,
            routing=spec.routing or endpoint_spec.routing,
            service_sampler=BlockSampler(
                plan.distribution.sample, streams.stream("service", index), plan.scale
            ),
            choice_sampler=uniform_sampler(streams.stream("instance_choice", index)),
            wiring=wiring,
            new_instance_id=lambda: next(instance_ids),
            price_per_hour=catalog.price_per_hour(spec.instance_type, spec.accelerator_type),
            stages=stages,
            batching=batching_plan(model, instance_type, catalog),
        )
        if model.error_rate > 0:
            variant.error_rate = model.error_rate
            variant.error_draws = uniform_sampler(streams.stream("model_error", index))
        variant.wakeup_slice = model.wakeup_slice
        green = rollout is not None and spec.name == rollout.green
        initial = 0 if green else spec.instance_count  # a rollout launches green at its start
        for _ in range(initial):
            variant.launch(0.0, ready_after=0.0)
        variant.desired = initial
        variants.append(variant)
        startup = spec.startup_time or Deterministic(distribution="deterministic", value=0.0)
        if green:
            startup = spec.startup_time or default_startup(instance_type)
        if spec.autoscaling is not None:
            startup = spec.autoscaling.startup_time or spec.startup_time or default_startup(instance_type)
        startups.append(BlockSampler(startup.sample, streams.stream("startup", index)).next)
    payload_draws = _payload_draws(traffic)
    names = {variant.name: variant.index for variant in variants}
    target_shares = [(names[t.variant], t.share) for t in traffic.target_variants]
    endpoint = Endpoint(
        variants=variants,
        weights=[spec.weight for spec in endpoint_spec.variants],
        target_shares=target_shares,
        routing_sampler=uniform_sampler(streams.stream("routing")),
        overhead_samplers=overheads,
        payload_sampler=BlockSampler(payload_draws, streams.stream("payload")) if payload_draws else None,
        payload_size=traffic.payload_size,
        bandwidth=endpoint_spec.network_bandwidth,
        log=log,
    )
    splitter = None
    if isinstance(traffic.arrivals, ClosedLoopArrivals):
        think = traffic.arrivals.think_time
        driver: ClosedLoopDriver | TimetableDriver | StreamingTimetableDriver = ClosedLoopDriver(
            env,
            log,
            traffic.arrivals,
            scenario.duration,
            endpoint.dispatch,
            BlockSampler(think.sample, streams.stream("think")) if think else None,
            endpoint_spec.invocation_timeout,
        )
        wiring.on_done = driver.on_done
        endpoint.on_done = driver.on_done
    else:  # open loop: every request's variant, overhead and payload transfer time decided up front
        if rollout is not None:
            blue, green = names[rollout.blue], names[rollout.green]
            splitter = TrafficSplitter(log, blue, green, uniform_sampler(streams.stream("rollout")))
        assigner = Preassigner(
            endpoint_spec, overhead_of, target_shares, payload_draws, traffic.payload_size, streams
        )
        dispatch = splitter.wrap(endpoint.dispatch_preassigned) if splitter else endpoint.dispatch_preassigned
        if isinstance(log, RingLog):
            driver = StreamingTimetableDriver(env, log, dispatch, arrival_stream, assigner, on_fold)
        else:
            variant_of, overhead = assigner.assign(log.column("arrival"))
            log.variant[: log.size] = variant_of
            log.overhead[: log.size] = overhead
            driver = TimetableDriver(env, log, dispatch)
    return Model(
        env=env,
        log=log,
        endpoint=endpoint,
        variants=variants,
        start=driver.start,
        startup_samplers=startups,
        splitter=splitter,
    )
