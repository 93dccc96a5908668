"""A small rollout scenario with deterministic service and start-up times, to mutate in each test."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from simulator.scenario import load_scenario_dict
from simulator.scenario.kinds import Scenario

ROLLOUT_BASE: dict[str, Any] = {
    "name": "rollout-base",
    "seed": 3,
    "duration": "12m",
    "models": {
        "v1": {"service_time": {"distribution": "deterministic", "value": "10ms"}},
        "v2": {"service_time": {"distribution": "deterministic", "value": "400ms"}},
    },
    "endpoint": {
        "name": "ep",
        "overhead": {"distribution": "deterministic", "value": 0},
        "variants": [
            {
                "name": "blue",
                "model": "v1",
                "instance_type": "ml.c5.xlarge",
                "instance_count": 2,
                "weight": 1,
            },
            {
                "name": "green",
                "model": "v2",
                "instance_type": "ml.c5.xlarge",
                "instance_count": 2,
                "weight": 0,
                "startup_time": {"distribution": "deterministic", "value": "1m"},
            },
        ],
    },
    "traffic": {"arrivals": {"process": "poisson", "rate": "50/s"}},
    "rollout": {
        "blue": "blue",
        "green": "green",
        "start": "2m",
        "traffic_routing": {
            "type": "CANARY",
            "wait_interval": "5m",
            "canary_size": {"type": "CAPACITY_PERCENT", "value": 10},
        },
        "maximum_execution_timeout": "1h",
        "slo_latency": "300ms",
        "alarms": [
            {
                "name": "p99",
                "metric": "ModelLatency",
                "statistic": "p99",
                "threshold": "200ms",
                "evaluation_periods": 3,
                "datapoints_to_alarm": 3,
            }
        ],
    },
}


@pytest.fixture
def rollout_document() -> dict[str, Any]:
    """A fresh copy: green (400 ms, deterministic) InService at 180 s, canary 10%, p99 > 200 ms alarm."""
    return copy.deepcopy(ROLLOUT_BASE)


@pytest.fixture
def make_scenario() -> Callable[[dict[str, Any]], Scenario]:
    return lambda document: load_scenario_dict(document)
