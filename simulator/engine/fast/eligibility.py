"""Whether a run needs events beyond arrivals and completions, i.e. whether the fast path is exact."""

from __future__ import annotations

from simulator.catalog import Catalog
from simulator.engine.fast.elastic import scales_on_arrivals
from simulator.hosting.plans import base_plan, stage_plans, uses_batching
from simulator.scenario.kinds import EndpointScenario
from simulator.scenario.traffic import ClosedLoopArrivals


def fast_path_obstacle(scenario: EndpointScenario, catalog: Catalog, streaming: bool) -> str | None:
    """Why this run needs the SimPy engine (one phrase naming the YAML path), or None when the fast
    path applies: open-loop traffic into a fixed fleet of FCFS workers (at most one per vCPU), or into
    a lone serverless, pipeline or Elastic Inference variant (its stages in tandem), or a lone variant
    autoscaled on arrivals."""
    endpoint, traffic = scenario.endpoint, scenario.traffic
    if streaming:
        return "metrics.per_request_records: the run streams its records (the fast path keeps them all)"
    if isinstance(traffic.arrivals, ClosedLoopArrivals):
        return "traffic.arrivals: closed-loop users"
    if scenario.deployment() is not None:
        return "rollout: a deployment changes the fleet during the run"
    if endpoint.updates:
        return "endpoint.updates: weights or instance counts change during the run"
    for index, variant in enumerate(endpoint.variants):
        where = f"endpoint.variants[{index}]"
        model = scenario.models[variant.model]
        if variant.serverless is not None:
            if len(endpoint.variants) > 1:
                return f"{where}.serverless: a serverless variant beside other variants"
            continue
        if variant.autoscaling is not None:
            if len(endpoint.variants) > 1:
                return f"{where}.autoscaling: an autoscaled variant beside other variants"
            if not scales_on_arrivals(variant.autoscaling):
                return f"{where}.autoscaling: a policy scales on a metric of the requests' service"
        assert variant.instance_type is not None
        instance = catalog.instance(variant.instance_type)
        if stage_plans(model, variant, instance, catalog, scenario.traffic.payload_size) is not None:
            if len(endpoint.variants) > 1:
                return f"{where}: a pipeline or Elastic Inference variant beside other variants"
            if variant.autoscaling is not None:
                return f"{where}.autoscaling: an autoscaled pipeline or Elastic Inference variant"
            continue  # its instances run the stages whatever the error rate, batching or workers
        if model.error_rate > 0:
            return f"models.{variant.model}.error_rate: model errors"
        if uses_batching(model, instance):
            return f"models.{variant.model}.batching: batched serving"
        plan = base_plan(model, instance, catalog)
        workers = variant.workers if variant.workers is not None else plan.devices
        if plan.device == "cpu" and workers > plan.devices:
            return f"{where}.workers: more workers than vCPUs share the cores"
    return None
