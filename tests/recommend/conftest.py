"""A small, fast recommender scenario to mutate (three CPU candidates, short trials)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

SMALL_JOB: dict[str, Any] = {
    "name": "small-recommend",
    "seed": 3,
    "models": {"m": {"service_time": {"distribution": "gamma", "mean": "40ms", "cv": 0.5}}},
    "recommend": {
        "latency_threshold": {"percentile": "P99", "value": "200ms"},
        "candidates": {
            "instance_types": ["ml.c5.large", "ml.c5.xlarge", "ml.m5.large", "ml.c4.large"],
            "serverless_memory_mb": [],
        },
        "search": {"requests_per_trial": 2000, "replications": 2},
    },
}


@pytest.fixture
def small_job() -> dict[str, Any]:
    return copy.deepcopy(SMALL_JOB)
