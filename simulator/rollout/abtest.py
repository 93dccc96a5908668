"""How long an A/B test must run to detect a difference between two variants, and a check by simulation.

With arrival rate `rate` and treatment weight `w`, after t seconds the control has n_A = rate (1 - w) t
requests and the treatment n_B = rate w t.

- Latency (two-sample z/Welch test of means): detectable difference
  delta = (z_{1-alpha/2} + z_{power}) sqrt(var_A / n_A + var_B / n_B), so
  t = (z_{1-alpha/2} + z_{power})^2 (var_A / (1 - w) + var_B / w) / (rate delta^2).
  The variances are those of the latency each request sees: the model's service time on the variant's
  instance plus the overhead, assuming requests rarely queue (the simulation check shows when they do).
- Error rate (two-proportion z-test, pooled under H0): p_A and p_B = p_A + delta,
  sqrt(t) = [z_{1-alpha/2} sqrt(p (1 - p) (1/(1-w) + 1/w)) + z_{power} sqrt(p_A q_A / (1-w) + p_B q_B / w)]
  / (|delta| sqrt(rate)), with p = (1 - w) p_A + w p_B.

By default the difference is the one between the two variants' models. A given `difference` describes a
hypothetical treatment: the control shifted by it (same latency variance; or the control's error rate
plus it), and the simulation check serves that treatment from a copy of the control variant whose
overhead is longer by the difference (or whose model fails that much more often).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import stats

from simulator.catalog import Catalog
from simulator.core.records import ERROR_5XX
from simulator.engine.simulate import expected_requests, simulate
from simulator.execution.executors import Executor, SerialExecutor
from simulator.execution.replications import Replication
from simulator.hosting.service import service_plan
from simulator.scenario.derive import derive, derive_spec, plain
from simulator.scenario.distributions import Deterministic
from simulator.scenario.kinds import EndpointScenario
from simulator.training.stats import proportion


@dataclass(frozen=True)
class Detection:
    """The answer for one metric: the test's inputs and the time (and requests) it needs."""

    metric: str  # "latency" or "error_rate"
    control: str
    treatment: str
    weight: float
    rate: float
    alpha: float
    power: float
    control_value: float  # mean latency (s) or error rate
    treatment_value: float
    difference: float
    seconds: float
    control_requests: float
    treatment_requests: float
    hypothetical: bool = False  # the treatment is the control shifted by `difference`

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _z(alpha: float, power: float) -> tuple[float, float]:
    return float(stats.norm.ppf(1 - alpha / 2)), float(stats.norm.ppf(power))


def latency_detection_seconds(
    delta: float,
    var_a: float,
    var_b: float,
    rate: float,
    weight: float,
    alpha: float,
    power: float,
) -> float:
    """Seconds of traffic for a z-test of means to detect `delta` (seconds of latency)."""
    if not delta:
        return math.inf  # no difference: never detected
    z_alpha, z_power = _z(alpha, power)
    return (z_alpha + z_power) ** 2 * (var_a / (1 - weight) + var_b / weight) / (rate * delta**2)


def proportion_detection_seconds(
    p_a: float, p_b: float, rate: float, weight: float, alpha: float, power: float
) -> float:
    """Seconds of traffic for a pooled two-proportion z-test to detect p_b - p_a."""
    if p_b == p_a:
        return math.inf  # no difference: never detected
    z_alpha, z_power = _z(alpha, power)
    pooled = (1 - weight) * p_a + weight * p_b
    null = z_alpha * math.sqrt(pooled * (1 - pooled) * (1 / (1 - weight) + 1 / weight))
    alternative = z_power * math.sqrt(p_a * (1 - p_a) / (1 - weight) + p_b * (1 - p_b) / weight)
    return ((null + alternative) / (abs(p_b - p_a) * math.sqrt(rate))) ** 2


def latency_moments(scenario: EndpointScenario, catalog: Catalog, variant: str) -> tuple[float, float]:
    """(mean, variance) of service time on the variant's instance type plus the overhead."""
    spec = next(v for v in scenario.endpoint.variants if v.name == variant)
    model = scenario.models[spec.model]
    assert spec.instance_type is not None
    plan = service_plan(model, catalog.instance(spec.instance_type), catalog)
    overhead = model.overhead or scenario.endpoint.overhead
    mean = plan.distribution.mean() * plan.scale + overhead.mean()
    return mean, plan.distribution.variance() * plan.scale**2 + overhead.variance()


def detect(
    scenario: EndpointScenario,
    catalog: Catalog,
    metric: str,
    control: str,
    treatment: str,
    weight: float,
    alpha: float,
    power: float,
    difference: float | None = None,
) -> Detection:
    """Detection time for the models' own difference, or for `difference` (seconds, or an error-rate
    difference as a fraction) from the control's value."""
    rate = expected_requests(scenario) / scenario.duration  # mean open-loop arrivals per second
    if metric == "latency":
        mean_a, var_a = latency_moments(scenario, catalog, control)
        mean_b, var_b = latency_moments(scenario, catalog, treatment)
        if difference is not None:
            mean_b, var_b = mean_a + difference, var_a
        delta = mean_b - mean_a
        value_a, value_b = mean_a, mean_a + delta
        seconds = latency_detection_seconds(abs(delta), var_a, var_b, rate, weight, alpha, power)
    else:
        models = {v.name: scenario.models[v.model] for v in scenario.endpoint.variants}
        value_a = models[control].error_rate
        delta = difference if difference is not None else models[treatment].error_rate - value_a
        value_b = value_a + delta
        if not 0 <= value_b < 1:
            raise ValueError(f"the treatment's error rate would be {value_b:g}, outside [0, 1)")
        seconds = proportion_detection_seconds(value_a, value_b, rate, weight, alpha, power)
    return Detection(
        metric,
        control,
        treatment,
        weight,
        rate,
        alpha,
        power,
        value_a,
        value_b,
        delta,
        seconds,
        rate * (1 - weight) * seconds,
        rate * weight * seconds,
        difference is not None,
    )


_SHIFTED = "ab-shifted-control"


def _shifted_control(scenario: EndpointScenario, detection: Detection) -> tuple[Any, Any]:
    """(variant spec, model) of the hypothetical treatment: the control moved by the difference."""
    control = next(v for v in scenario.endpoint.variants if v.name == detection.control)
    model = scenario.models[control.model]
    if detection.metric == "latency":
        overhead = model.overhead or scenario.endpoint.overhead
        if not isinstance(overhead, Deterministic) or overhead.value + detection.difference < 0:
            raise ValueError(
                "checking a given latency difference needs a deterministic overhead it can shift"
            )
        shifted = Deterministic(distribution="deterministic", value=overhead.value + detection.difference)
        model = derive_spec(model, {"overhead": shifted})
    else:
        model = derive_spec(model, {"error_rate": detection.treatment_value})
    return derive_spec(control, {"name": detection.treatment, "model": _SHIFTED}), model


MAX_CHECK_REQUESTS = 5_000_000  # per replication: the engine keeps every request's record (~1 GiB)


def check_scenario(scenario: EndpointScenario, detection: Detection, seconds: float) -> EndpointScenario:
    """The A/B scenario a simulated check runs: a plain split at the detection weight, for `seconds`,
    without a rollout; ValueError when there is nothing sensible to simulate."""
    if not 0 < seconds < math.inf:
        raise ValueError(
            "the detection time is 0 s (no latency variance): one request a side shows it"
            if seconds <= 0
            else "there is no difference to detect"
        )
    requests = detection.rate * seconds
    if requests > MAX_CHECK_REQUESTS:
        raise ValueError(
            f"a simulated test of {seconds:,.0f} s sends {requests:,.0f} requests per replication; checks"
            f" are bounded to {MAX_CHECK_REQUESTS:,} (a larger difference or weight needs fewer)"
        )
    weights = {detection.control: 1 - detection.weight, detection.treatment: detection.weight}
    variants = list(scenario.endpoint.variants)
    changes: dict[str, object] = {}
    if detection.hypothetical:
        treatment, changes[f"models.{_SHIFTED}"] = _shifted_control(scenario, detection)
        variants = [treatment if v.name == detection.treatment else v for v in variants]
    split = [{**plain(v), "weight": weights.get(v.name, 0.0)} for v in variants]
    changes.update(
        {
            "endpoint.variants": split,
            "endpoint.updates": [],
            "rollout": None,
            "duration": seconds,
            "warmup": 0.0,
        }
    )
    return derive(scenario, changes, EndpointScenario)


@dataclass(frozen=True)
class PowerCheck:
    """One replication of the split test, and the difference it should detect."""

    replication: Replication
    detection: Detection


def _rejects(task: PowerCheck) -> bool:
    """One replication: does the test reject H0 at `alpha` on the simulated requests?"""
    detection = task.detection
    frame = simulate(task.replication.scenario, task.replication.seed).requests
    a, b = (frame[frame["variant"] == name] for name in (detection.control, detection.treatment))
    if detection.metric == "latency":
        a_ok, b_ok = a[a["status"] == "OK"]["latency"], b[b["status"] == "OK"]["latency"]
        if len(a_ok) < 2 or len(b_ok) < 2:
            return False
        return bool(stats.ttest_ind(b_ok, a_ok, equal_var=False).pvalue < detection.alpha)
    errors = [status.name for status in ERROR_5XX]
    (x_a, n_a), (x_b, n_b) = ((int(rows["status"].isin(errors).sum()), len(rows)) for rows in (a, b))
    if min(n_a, n_b) == 0:
        return False
    pooled = (x_a + x_b) / (n_a + n_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if spread == 0:
        return False
    z = (x_b / n_b - x_a / n_a) / spread
    return bool(2 * stats.norm.sf(abs(z)) < detection.alpha)


def simulated_power(
    scenario: EndpointScenario,
    detection: Detection,
    replications: int,
    seconds: float | None = None,
    executor: Executor | None = None,
) -> tuple[float, float, float]:
    """Share of replications in which the test detects the difference after `seconds` (default: the
    computed detection time), with its 95% Wilson interval."""
    split = check_scenario(scenario, detection, seconds or detection.seconds)
    jobs = [PowerCheck(Replication(split, index), detection) for index in range(replications)]
    hits = proportion((executor or SerialExecutor()).map(_rejects, jobs))
    return hits["mean"], hits["ci95_low"], hits["ci95_high"]
