"""Scheduled UpdateEndpointWeightsAndCapacities calls (e.g. a 10% -> 50% -> 100% rollout)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy

from simulator.hosting.endpoint import Endpoint
from simulator.hosting.variant import Variant
from simulator.scenario.endpoint import EndpointUpdate


def set_count(variant: Variant, count: int, now: float, startup: Callable[[], float]) -> dict[str, Any]:
    """Change a variant's instance count now; the UpdateEndpointWeightsAndCapacities row that says so."""
    before = variant.desired
    variant.set_desired(count, now, startup)
    return {"time_s": now, "variant": variant.name, "change": "instance_count", "from": before, "to": count}


def schedule_updates(
    env: simpy.Environment, endpoint: Endpoint, updates: list[EndpointUpdate], startups: list[Any]
) -> list[dict[str, Any]]:
    """Register each update at its time; returns the activity log, filled in as updates happen."""
    activity: list[dict[str, Any]] = []
    by_name = {variant.name: variant for variant in endpoint.variants}

    def apply(update: EndpointUpdate) -> None:
        now = env.now
        before = list(endpoint.weights)
        if update.weights:
            weights = list(endpoint.weights)
            for name, weight in update.weights.items():
                weights[by_name[name].index] = weight
            endpoint.set_weights(weights)
        for name, count in update.instance_counts.items():
            activity.append(set_count(by_name[name], count, now, startups[by_name[name].index]))
        for name, weight in update.weights.items():
            old = before[by_name[name].index]
            activity.append({"time_s": now, "variant": name, "change": "weight", "from": old, "to": weight})

    for update in updates:
        event = env.timeout(update.at)
        event.callbacks.append(lambda _event, update=update: apply(update))
    return activity
