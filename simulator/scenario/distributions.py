"""Service-time and delay distributions, as scenario data that knows its own moments.

Each distribution validates its parameters, samples in vectorised blocks from a numpy Generator,
and reports its exact mean and variance, so analytic tests (Pollaczek-Khinchine needs E[S^2]) and
the recommender's first guesses never have to estimate them.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from simulator.scenario.files import load_column
from simulator.scenario.units import Duration

_Z99 = 2.3263478740408408  # standard normal quantile at 0.99


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)  # `mean` is `mean_`

    def mean(self) -> float:
        raise NotImplementedError

    def variance(self) -> float:
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        raise NotImplementedError


class Exponential(_Base):
    distribution: Literal["exponential"]
    mean_: Duration = Field(alias="mean", gt=0)

    def mean(self) -> float:
        return self.mean_

    def variance(self) -> float:
        return self.mean_**2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean_, size)


class Deterministic(_Base):
    distribution: Literal["deterministic"]
    value: Duration = Field(ge=0)

    def mean(self) -> float:
        return self.value

    def variance(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, self.value)


class Gamma(_Base):
    """Gamma by mean and coefficient of variation: cv < 1 is more regular than exponential."""

    distribution: Literal["gamma"]
    mean_: Duration = Field(alias="mean", gt=0)
    cv: float = Field(strict=True, gt=0, le=10)

    def mean(self) -> float:
        return self.mean_

    def variance(self) -> float:
        return (self.cv * self.mean_) ** 2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean_ / shape, size)


LOGNORMAL_WIDEST = math.exp(math.sqrt(math.log1p(10.0**2)) * _Z99)
"""The widest p99 / median a log-normal may have: the one of cv 10, the bound on the mean-and-cv form
(about 148). Wider ones have means past any float (median 1e-300 s, p99 1e10 s crashed `check`)."""


class LogNormal(_Base):
    """Log-normal given either (median, p99), as latency SLOs are quoted, or (mean, cv)."""

    distribution: Literal["lognormal"]
    median: Duration | None = Field(default=None, gt=0)
    p99: Duration | None = Field(default=None, gt=0)
    mean_: Duration | None = Field(default=None, alias="mean", gt=0)
    cv: float | None = Field(strict=True, default=None, gt=0, le=10)

    @model_validator(mode="after")
    def _one_parameterisation(self) -> LogNormal:
        by_quantiles = self.median is not None or self.p99 is not None
        by_moments = self.mean_ is not None or self.cv is not None
        if by_quantiles == by_moments:
            raise ValueError("give either median and p99, or mean and cv")
        if by_quantiles:
            if self.median is None or self.p99 is None:
                raise ValueError("give both median and p99")
            if self.p99 <= self.median:
                raise ValueError("p99 must be greater than median")
            if self.p99 / self.median > LOGNORMAL_WIDEST:
                raise ValueError(
                    f"p99 is over {LOGNORMAL_WIDEST:.0f} x the median: a cv over 10, the most a mean and"
                    " cv may give"
                )
        elif self.mean_ is None or self.cv is None:
            raise ValueError("give both mean and cv")
        return self

    def _mu_sigma(self) -> tuple[float, float]:
        if self.median is not None and self.p99 is not None:
            sigma = math.log(self.p99 / self.median) / _Z99
            return math.log(self.median), sigma
        assert self.mean_ is not None and self.cv is not None
        sigma2 = math.log1p(self.cv**2)
        return math.log(self.mean_) - sigma2 / 2, math.sqrt(sigma2)

    def mean(self) -> float:
        mu, sigma = self._mu_sigma()
        return math.exp(mu + sigma**2 / 2)

    def variance(self) -> float:
        mu, sigma = self._mu_sigma()
        return (math.exp(sigma**2) - 1) * math.exp(2 * mu + sigma**2)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        mu, sigma = self._mu_sigma()
        return rng.lognormal(mu, sigma, size)


class Empirical(_Base):
    """Resampling of measured service times, inline or from a one-column CSV/text file of seconds."""

    distribution: Literal["empirical"]
    samples: tuple[Duration, ...] | None = None
    file: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _load_file(cls, data: object, info: ValidationInfo) -> object:
        return load_column(data, info, ("file", "samples"), "samples file")

    @field_validator("samples")
    @classmethod
    def _valid_samples(cls, values: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if values is None:
            return None
        if len(values) == 0:
            raise ValueError("needs at least one sample")
        if min(values) < 0:
            raise ValueError("samples must be >= 0")
        if max(values) <= 0:
            raise ValueError("at least one sample must be > 0")
        return values

    @model_validator(mode="after")
    def _has_samples(self) -> Empirical:
        if self.samples is None:
            raise ValueError("give samples or file")
        return self

    def _array(self) -> np.ndarray:
        assert self.samples is not None
        return np.asarray(self.samples, dtype=float)

    def mean(self) -> float:
        return float(self._array().mean())

    def variance(self) -> float:
        return float(self._array().var())

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.choice(self._array(), size)


TIME_KEYS = (
    "mean",
    "value",
    "median",
    "p99",
    "samples",
)  # keys whose values are durations (or lists of them)
EXAMPLE = "{distribution: lognormal, median: 40ms, p99: 120ms}, or {distribution: deterministic, value: 25ms}"


def _tagged(value: Any) -> Any:
    """Says what a distribution is where pydantic's union would only say it cannot find a tag: a bare
    `25ms` or a mapping typed without spaces after its colons (`{distribution:deterministic}` is one
    key with no value in YAML) is a common slip."""
    if isinstance(value, _Base):
        return value  # a default, or a model built in code
    if not isinstance(value, dict):
        raise ValueError(f"a distribution is a mapping, e.g. {EXAMPLE}")
    if "distribution" not in value and any(isinstance(key, str) and ":" in key for key in value):
        raise ValueError(
            "the key distribution is missing (put a space after each colon: `distribution: ...`)"
        )
    return value


Distribution = Annotated[
    Exponential | Deterministic | Gamma | LogNormal | Empirical,
    Field(discriminator="distribution"),
    BeforeValidator(_tagged),
]
"""Any time distribution; the `distribution` key selects the kind."""


def _takes_time(distribution: Any) -> Any:
    """A request that takes no time would give a model endless capacity, and every figure built on it
    (capacity, utilisation, fleet size) would divide by zero."""
    if distribution.mean() <= 0:
        raise ValueError("a service time must take some time: its mean is 0")
    return distribution


ServiceTime = Annotated[Distribution, AfterValidator(_takes_time)]
"""The time one request takes on its hardware: a distribution whose mean is above 0."""
