"""The traffic steps of a blue/green deployment: which share of blue's traffic green takes, step by step.

Traffic follows capacity: a canary of k of the green fleet's n instances takes k/n of the traffic.
The last step always moves the remainder, so green ends at 100%.
"""

from __future__ import annotations

import math

from simulator.scenario.rollout_spec import RoutingType, TrafficRouting


def traffic_steps(routing: TrafficRouting, green_instances: int) -> list[float]:
    """Green's share (0-1] after each step, increasing, ending at 1.0."""
    if routing.type is RoutingType.ALL_AT_ONCE:
        return [1.0]
    if routing.type is RoutingType.CANARY:
        assert routing.canary_size is not None
        canary = min(routing.canary_size.fraction_of(green_instances), 1.0)
        return [canary, 1.0] if canary < 1.0 else [1.0]
    assert routing.linear_step_size is not None
    step = routing.linear_step_size.fraction_of(green_instances)
    count = math.ceil(1.0 / step - 1e-9)
    return [min(step * number, 1.0) for number in range(1, count)] + [1.0]


def split_weights(blue_weight: float, green_share: float) -> tuple[float, float]:
    """Blue's original weight split between blue and green: the two always add up to it."""
    green = blue_weight * green_share
    return blue_weight - green, green
