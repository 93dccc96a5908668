"""A/B detection time: textbook sample sizes, and a simulated A/B test that detects at the stated power."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from simulator.rollout.abtest import (
    detect,
    latency_detection_seconds,
    proportion_detection_seconds,
    simulated_power,
)
from simulator.scenario import load_scenario_dict
from simulator.scenario.crossref import scenario_catalog

AB: dict[str, Any] = {
    "name": "ab",
    "seed": 5,
    "duration": "1h",
    "models": {
        "a": {"service_time": {"distribution": "exponential", "mean": "20ms"}},
        "b": {"service_time": {"distribution": "exponential", "mean": "25ms"}},
    },
    "endpoint": {
        "name": "ep",
        "overhead": {"distribution": "deterministic", "value": 0},
        "variants": [  # 16 workers per instance at ~2.5 busy: requests (almost) never queue
            {
                "name": "control",
                "model": "a",
                "instance_type": "ml.c5.4xlarge",
                "instance_count": 1,
                "weight": 1,
            },
            {
                "name": "treatment",
                "model": "b",
                "instance_type": "ml.c5.4xlarge",
                "instance_count": 1,
                "weight": 1,
            },
        ],
    },
    "traffic": {"arrivals": {"process": "poisson", "rate": "200/s"}},
}


def test_proportions_match_the_textbook_sample_size() -> None:
    """Fleiss, no continuity correction: 10% vs 15%, alpha 0.05 two-sided, power 80% -> 686 per group."""
    seconds = proportion_detection_seconds(0.10, 0.15, rate=2.0, weight=0.5, alpha=0.05, power=0.8)
    assert seconds * 2.0 * 0.5 == pytest.approx(685.6, abs=0.1)


def test_means_match_the_textbook_sample_size() -> None:
    """n = 2 (z_0.975 + z_0.8)^2 sigma^2 / delta^2 = 62.79 per group for delta = sigma / 2."""
    assert latency_detection_seconds(
        0.5, 1.0, 1.0, rate=2.0, weight=0.5, alpha=0.05, power=0.8
    ) == pytest.approx(62.79, abs=0.01)


def test_a_small_weight_needs_longer() -> None:
    """At weight w the time scales with var_A / (1 - w) + var_B / w: 10% needs ~2.8x the time of 50%."""
    half = latency_detection_seconds(0.005, 4e-4, 4e-4, 100.0, 0.5, 0.05, 0.8)
    tenth = latency_detection_seconds(0.005, 4e-4, 4e-4, 100.0, 0.1, 0.05, 0.8)
    assert tenth / half == pytest.approx((1 / 0.9 + 1 / 0.1) / 4)


def test_detection_uses_the_models_service_times() -> None:
    scenario = load_scenario_dict(copy.deepcopy(AB))
    found = detect(scenario, scenario_catalog(scenario), "latency", "control", "treatment", 0.5, 0.05, 0.8)
    assert found.difference == pytest.approx(0.005)
    expected = (1.959964 + 0.841621) ** 2 * (0.02**2 / 0.5 + 0.025**2 / 0.5) / (200 * 0.005**2)
    assert found.seconds == pytest.approx(expected, rel=1e-5)
    assert found.treatment_requests == pytest.approx(200 * 0.5 * expected)


@pytest.mark.slow
def test_simulated_ab_tests_detect_at_the_stated_power() -> None:
    """Welch tests on simulated requests after the computed time reject H0 in ~80% of replications,
    and after a quarter of it (power ~29% by the same formula) far less often."""
    scenario = load_scenario_dict(copy.deepcopy(AB))
    found = detect(scenario, scenario_catalog(scenario), "latency", "control", "treatment", 0.5, 0.05, 0.8)
    power, low, high = simulated_power(scenario, found, 120)
    assert low <= 0.8 <= high, (power, low, high)
    early, _, early_high = simulated_power(scenario, found, 120, seconds=found.seconds / 4)
    assert early_high < 0.5, early


@pytest.mark.slow
def test_simulated_error_rate_test_detects_at_the_stated_power() -> None:
    document = copy.deepcopy(AB)
    document["models"]["b"]["error_rate"] = 0.02
    document["models"]["a"]["error_rate"] = 0.005
    scenario = load_scenario_dict(document)
    found = detect(scenario, scenario_catalog(scenario), "error_rate", "control", "treatment", 0.5, 0.05, 0.8)
    assert found.control_value == 0.005 and found.treatment_value == 0.02
    power, low, high = simulated_power(scenario, found, 120)
    assert low <= 0.8 <= high, (power, low, high)


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_a_given_difference_is_checked_on_the_shifted_control() -> None:
    """--difference 4ms: the hypothetical treatment is the control plus 4 ms (same variance)."""
    scenario = load_scenario_dict(copy.deepcopy(AB))
    found = detect(
        scenario, scenario_catalog(scenario), "latency", "control", "treatment", 0.3, 0.05, 0.8, 0.004
    )
    assert found.hypothetical and found.treatment_value == pytest.approx(found.control_value + 0.004)
    expected = (1.959964 + 0.841621) ** 2 * (0.02**2 / 0.7 + 0.02**2 / 0.3) / (200 * 0.004**2)
    assert found.seconds == pytest.approx(expected, rel=1e-5)
    power, low, high = simulated_power(scenario, found, 120)
    assert low <= 0.8 <= high, (power, low, high)


def test_variants_that_do_not_differ_are_never_detected_in_words() -> None:
    """A new user's trial: identical models printed "never (no difference), inf requests on green"."""
    import math

    from simulator.cli_rollout import detection_line
    from simulator.rollout.abtest import Detection

    same = Detection(
        "latency", "v1", "v2", 0.1, 100.0, 0.05, 0.8, 0.03, 0.03, 0.0, math.inf, math.inf, math.inf
    )
    line = detection_line(same)
    assert line.endswith(": never: v2 and v1 do not differ in latency") and "inf" not in line
