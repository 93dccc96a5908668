"""Batch transform: a SimPy job of instances, each running MaxConcurrentTransforms invocation loops.

Pure and reproducible: `simulate_transform(spec, model, catalog, seed)` draws from its own named
stream. The model's service time is per record; an invocation of k records takes the invocation
overhead + k x record_size / data_bandwidth + the model's time for k records (a batching model:
its batch time; a pipeline: every container's time plus the hops). Concurrent transforms beyond the
instance's devices share them, so their model time stretches by transforms / devices.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from simulator.catalog import Catalog
from simulator.core.rng import RandomStreams
from simulator.hosting.plans import batching_plan, hop_times
from simulator.hosting.service import device_speed, service_plan
from simulator.scenario.distributions import Distribution
from simulator.scenario.models import ModelSpec
from simulator.scenario.transform_spec import BatchTransformSpec

EXACT_SUM_UP_TO = 64
"""Sums of more per-record draws use the normal approximation (CLT) instead of drawing each one."""


def _sum_of(distribution: Distribution, count: int, rng: np.random.Generator) -> float:
    if distribution.variance() == 0:
        return distribution.mean() * count
    if count <= EXACT_SUM_UP_TO:
        return float(distribution.sample(rng, count).sum())
    spread = float(np.sqrt(count * distribution.variance()))
    return max(0.0, distribution.mean() * count + spread * float(rng.standard_normal()))


def _model_time(
    model: ModelSpec, spec: BatchTransformSpec, catalog: Catalog, records: int, rng: np.random.Generator
) -> float:
    """Seconds of model time for `records` records on one device of the job's instance type."""
    instance = catalog.instance(spec.instance_type)
    plan = batching_plan(model, instance, catalog)
    if plan is not None:
        full, rest = divmod(records, plan.spec.max_batch_size)
        total = full * plan.batch_time(plan.spec.max_batch_size)
        return total + (plan.batch_time(rest) if rest else 0.0)
    if model.containers is not None:
        size = records * spec.dataset.record_size
        work = sum(_sum_of(c.service_time, records, rng) for c in model.containers) / instance.cpu_speed
        return work + sum(hop_times(model, size))
    single = service_plan(model, instance, catalog)
    return _sum_of(single.distribution, records, rng) * single.scale


def simulate_transform(
    spec: BatchTransformSpec, model: ModelSpec, catalog: Catalog, seed: int | np.random.SeedSequence
) -> dict[str, Any]:
    """One replication: job duration, throughput, cost and per-instance utilisation.

    `utilisation` is busy device-seconds over the billed time (job start to end, start-up included);
    `processing_utilisation` over the instance's own processing time (start-up done to last record).
    """
    streams = RandomStreams(seed)
    devices = device_speed(catalog.instance(spec.instance_type), catalog)[1]
    transforms = spec.max_concurrent_transforms or devices
    stretch = max(1.0, transforms / devices)
    per_invocation = spec.records_per_invocation()
    env = simpy.Environment()
    busy = [0.0] * spec.instance_count
    finished = [0.0] * spec.instance_count
    ready = [0.0] * spec.instance_count
    invocations = 0

    def instance(index: int, records: int, rng: np.random.Generator) -> Generator[Any, Any, None]:
        nonlocal invocations
        yield env.timeout(float(spec.startup_time.sample(rng, 1)[0]))
        ready[index] = finished[index] = env.now
        batches = [per_invocation] * (records // per_invocation)
        if records % per_invocation:
            batches.append(records % per_invocation)
        invocations += len(batches)
        queue = iter(batches)

        def worker() -> Generator[Any, Any, None]:
            for size in queue:
                compute = _model_time(model, spec, catalog, size, rng)
                transfer = size * spec.dataset.record_size / spec.data_bandwidth
                busy[index] += compute
                yield env.timeout(spec.invocation_overhead + transfer + compute * stretch)
            finished[index] = max(finished[index], env.now)

        yield simpy.AllOf(env, [env.process(worker()) for _ in range(transforms)])

    base, extra = divmod(spec.dataset.record_count, spec.instance_count)  # the first `extra` get one more
    for index in range(spec.instance_count):
        rng = streams.generator("batch_transform", index)
        env.process(instance(index, base + (1 if index < extra else 0), rng))
    env.run()
    duration = max(finished)
    price = catalog.price_per_hour(spec.instance_type)
    records = spec.dataset.record_count
    return {
        "records": records,
        "records_per_invocation": per_invocation,
        "invocations": invocations,
        "duration_s": duration,
        "throughput_records_per_s": records / duration,
        "cost_usd": spec.instance_count * price * duration / 3600.0,
        "usd_per_million_records": spec.instance_count * price * duration / 3600.0 / records * 1e6,
        "instances": {
            f"instance-{i}": {
                "ready_at_s": ready[i],
                "finished_at_s": finished[i],
                "utilisation": busy[i] / (devices * duration),
                "processing_utilisation": busy[i] / (devices * (finished[i] - ready[i]))
                if finished[i] > ready[i]
                else 0.0,
            }
            for i in range(spec.instance_count)
        },
    }
