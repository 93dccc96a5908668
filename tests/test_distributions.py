"""Distributions know their mean and variance, and their samples agree (Ciw's habit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from simulator.scenario.distributions import Distribution

ADAPTER: TypeAdapter[Any] = TypeAdapter(Distribution)

CASES = [
    {"distribution": "exponential", "mean": "200ms"},
    {"distribution": "deterministic", "value": "35ms"},
    {"distribution": "gamma", "mean": "1s", "cv": 0.5},
    {"distribution": "gamma", "mean": 2.0, "cv": 2.0},
    {"distribution": "lognormal", "median": "40ms", "p99": "120ms"},
    {"distribution": "lognormal", "mean": "50ms", "cv": 1.2},
    {"distribution": "empirical", "samples": [0.01, 0.02, 0.02, 0.05, 0.3]},
]


@pytest.mark.parametrize("spec", CASES, ids=[c["distribution"] + str(i) for i, c in enumerate(CASES)])
def test_sample_moments_match_declared_moments(spec: dict[str, Any]) -> None:
    distribution = ADAPTER.validate_python(spec)
    n = 400_000
    samples = distribution.sample(np.random.default_rng(5), n)
    assert (samples >= 0).all()
    mean, variance = distribution.mean(), distribution.variance()
    if variance == 0:
        assert np.all(samples == mean)
        return
    # the sample mean is within 4 standard errors of the declared mean
    assert abs(samples.mean() - mean) < 4 * np.sqrt(variance / n)
    # the sample variance agrees within 4 standard errors (via the fourth central moment)
    fourth = np.mean((samples - samples.mean()) ** 4)
    assert abs(samples.var() - variance) < 4 * np.sqrt((fourth - variance**2) / n)


def test_lognormal_hits_its_quantiles() -> None:
    distribution = ADAPTER.validate_python({"distribution": "lognormal", "median": "40ms", "p99": "120ms"})
    samples = distribution.sample(np.random.default_rng(1), 200_000)
    assert np.median(samples) == pytest.approx(0.040, rel=0.01)
    assert np.percentile(samples, 99) == pytest.approx(0.120, rel=0.03)


def test_exponential_samples_pass_a_ks_test() -> None:
    distribution = ADAPTER.validate_python({"distribution": "exponential", "mean": 1})
    samples = distribution.sample(np.random.default_rng(2), 20_000)
    assert stats.kstest(samples, "expon").pvalue > 0.05


def test_empirical_from_file(tmp_path: Path) -> None:
    path = tmp_path / "samples.csv"
    path.write_text("# seconds\n0.1\n0.2\n0.3\n")
    distribution = ADAPTER.validate_python(
        {"distribution": "empirical", "file": "samples.csv"}, context={"base_dir": str(tmp_path)}
    )
    assert distribution.mean() == pytest.approx(0.2)
    assert set(distribution.sample(np.random.default_rng(0), 100)) <= {0.1, 0.2, 0.3}


@pytest.mark.parametrize(
    "spec",
    [
        {"distribution": "exponential", "mean": 0},
        {"distribution": "gamma", "mean": 1, "cv": 0},
        {"distribution": "lognormal", "median": 1, "p99": 0.5},
        {"distribution": "lognormal", "median": 1, "mean": 1, "cv": 1, "p99": 2},
        {"distribution": "lognormal", "median": 1},
        {"distribution": "empirical", "samples": []},
        {"distribution": "empirical", "samples": [-1, 2]},
        {"distribution": "deterministic", "value": -1},
        {"distribution": "weibull", "mean": 1},
    ],
)
def test_invalid_parameters_are_rejected(spec: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(spec)
