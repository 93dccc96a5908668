"""Find the checkpoint interval that minimises expected completion time (or cost) by simulation.

Every candidate interval is simulated with the same replication seeds (common random numbers: the k-th
attempt of replication i draws the same interruption and capacity numbers), so differences between
candidates are not drowned by replication noise. The search is:
  1. screening: a coarse log-spaced grid from max(work/256, delta/4) to min(work, 4 MTBF), simulated
     with the first quarter of the replications (enough to find the region);
  2. refine: 9 log-spaced points within a factor e^0.9 of the best screening point, all replications;
  3. a response-surface fit E[T](tau) ~ a/tau + b + c*tau + d*tau^2 over the refined points in the
     window, minimised in it; then once more with a window re-centred on that minimum. The basis is the Taylor
     form of checkpoint economics (overhead ~ 1/tau, lost work ~ tau) and averages out both noise and
     the saw-tooth a finite job gets from its last partial segment; the curve near the optimum is too
     flat for an argmin of noisy means (5% off in tau changes the mean by ~0.05%).
The result sits beside Young's and Daly's closed forms and says whether Young's approximation holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from scipy.optimize import minimize_scalar

from simulator.catalog import Catalog
from simulator.core.rng import replication_seed
from simulator.errors import ScenarioError
from simulator.execution.executors import Executor, SerialExecutor
from simulator.scenario.derive import derive_spec
from simulator.scenario.training_check import MAX_EVENTS, checkpoint_count, interruption_key
from simulator.scenario.training_spec import TrainingJobSpec
from simulator.training.formulas import daly_exact_interval, daly_interval, young_breakdown, young_interval
from simulator.training.job import simulate_plan
from simulator.training.plan import build_plan, job_mtbf
from simulator.training.stats import ci95, mean_ci
from simulator.wording import replications_text

Objective = Literal["time", "cost"]
_COARSE_POINTS = 10
_REFINE_POINTS = 9
_HALF_WIDTH = 0.9
"""Refinement window: the incumbent times / divided by e^0.9 (~2.5)."""
_MAX_MTBFS = 4.0
"""Longest candidate interval in job MTBFs (Daly's optimum never exceeds one MTBF)."""
_ELIGIBLE = 0.05
"""Candidates completing this much less often than the best candidate are not eligible."""


@dataclass(frozen=True)
class CurvePoint:
    """The objective's replication mean (95% CI) at one interval."""

    interval_s: float
    mean: float
    ci95_low: float
    ci95_high: float
    completed_fraction: float
    replications: int
    """Screening points use the first quarter of the replications, the rest all of them."""


@dataclass(frozen=True)
class CheckpointOptimum:
    """The chosen interval, its simulated objective, the evaluated curve and the closed forms beside it."""

    objective: str
    interval_s: float
    mean: float
    ci95_low: float
    ci95_high: float
    method: str
    replications: int
    curve: tuple[CurvePoint, ...]
    mtbf_s: float | None
    checkpoint_cost_s: float
    young_interval_s: float | None
    daly_interval_s: float | None
    daly_exact_interval_s: float | None
    young_breakdown: str
    comparisons: dict[str, dict[str, float]]
    """Paired (common random numbers) difference of the objective: formula interval minus chosen."""

    def report(self) -> str:
        """Lines a CLI prints: one line per interval (the optimum, Daly's, Young's), then the model's inputs.

        Times read as durations (25h03m, not 90180 s); a formula's line shows its own interval and how
        much worse than the simulated optimum it is (paired difference, 95% CI).
        """
        money = self.objective == "cost"

        def amount(value: float, signed: bool = False) -> str:
            if money:
                return f"{value:+,.2f} USD" if signed else f"{value:,.2f} USD"
            return duration_text(value, signed)

        what = "cost" if money else "completion time"
        lines = [
            f"checkpoint interval optimiser: minimise expected {what} "
            f"({replications_text(self.replications)}, common random numbers, {self.method})",
            f"  simulated optimum  every {duration_text(self.interval_s):>7}  expected {what} "
            f"{amount(self.mean)} [95% CI {amount(self.ci95_low)}, {amount(self.ci95_high)}]",
        ]
        for name, value in (("Daly (2006)", self.daly_interval_s), ("Young (1974)", self.young_interval_s)):
            if value is None:
                continue
            diff = self.comparisons.get(name)
            versus = (
                f"  {amount(diff['mean'], True)} vs the simulated optimum "
                f"[95% CI {amount(diff['ci95_low'], True)}, {amount(diff['ci95_high'], True)}]"
                if diff
                else ""
            )
            lines.append(f"  {name:<17}  every {duration_text(value):>7}{versus}")
        if self.daly_exact_interval_s is not None:
            lines.append(f"  Daly's model solved exactly: every {duration_text(self.daly_exact_interval_s)}")
        mtbf = duration_text(self.mtbf_s) if self.mtbf_s is not None else "none (no interruptions)"
        lines.append(f"  job MTBF {mtbf}, checkpoint write {duration_text(self.checkpoint_cost_s)}")
        lines.append(f"  {self.young_breakdown}")
        return "\n".join(lines)


def with_interval(spec: TrainingJobSpec, interval: float) -> TrainingJobSpec:
    """The same job with another checkpoint interval."""
    assert spec.checkpoint is not None
    return derive_spec(spec, {"checkpoint": {**spec.checkpoint.model_dump(), "interval": interval}})


@dataclass(frozen=True)
class IntervalRuns:
    """An executor task: replications 0..n-1 of the job checkpointing at one interval (a validated spec)."""

    spec: TrainingJobSpec
    catalog: Catalog
    seed: int
    replications: int
    objective: Objective


def _run_interval(task: IntervalRuns) -> tuple[np.ndarray, float]:
    """Each replication's objective value, and the fraction of replications that completed."""
    plan = build_plan(task.spec, task.catalog)
    values, completed = [], []
    for index in range(task.replications):
        run = simulate_plan(plan, replication_seed(task.seed, index), record=False)
        values.append(run.completion_time_s if task.objective == "time" else run.cost_usd)
        completed.append(1.0 if run.completed else 0.0)
    return np.asarray(values, dtype=float), float(np.mean(completed))


class _Evaluator:
    """Per-replication objective values by interval over replications 0..n-1; one task per interval."""

    def __init__(self, task: IntervalRuns, executor: Executor) -> None:
        self._task = task
        self._executor = executor
        self.values: dict[float, np.ndarray] = {}
        self.completed: dict[float, float] = {}

    def evaluate(self, intervals: list[float] | np.ndarray) -> None:
        todo = sorted({float(x) for x in intervals} - set(self.values))
        tasks = [replace(self._task, spec=with_interval(self._task.spec, x)) for x in todo]
        for interval, (values, completed) in zip(todo, self._executor.map(_run_interval, tasks), strict=True):
            self.values[interval] = values
            self.completed[interval] = completed

    def mean(self, interval: float) -> float:
        return float(self.values[interval].mean())

    def best(self) -> float:
        """Lowest mean among candidates that complete about as often as the most reliable one.

        A stopped job's objective is its stop time or cost so far, which flatters intervals whose
        jobs run out of MaxWait; excluding them keeps the choice honest.
        """
        top = max(self.completed.values())
        eligible = [x for x in self.values if self.completed[x] >= top - _ELIGIBLE]
        return min(eligible, key=self.mean)

    def curve(self) -> list[CurvePoint]:
        return [
            CurvePoint(x, *mean_ci(self.values[x]), self.completed[x], self._task.replications)
            for x in sorted(self.values)
        ]


def _surface_minimum(points: list[tuple[float, float]], lo: float, hi: float) -> float | None:
    """Minimiser of the least-squares fit a/x + b + c x + d x^2 on [lo, hi]; None unless interior."""
    if len(points) < 6:
        return None
    scale = math.sqrt(lo * hi)
    x = np.array([p[0] for p in points]) / scale
    y = np.array([p[1] for p in points])
    basis = np.stack([1 / x, np.ones_like(x), x, x * x], axis=1)
    coef = np.linalg.lstsq(basis, y, rcond=None)[0]

    def surface(u: float) -> float:
        return float(coef[0] / u + coef[1] + coef[2] * u + coef[3] * u * u)

    result = minimize_scalar(
        surface, bounds=(lo / scale, hi / scale), method="bounded", options={"xatol": 1e-6}
    )
    inside = lo / scale * 1.001 < result.x < hi / scale * 0.999
    return float(result.x * scale) if inside else None


def _refuse_endless_search(spec: TrainingJobSpec, shortest: float, mtbf: float) -> None:
    """Interruptions so frequent that the intervals worth trying checkpoint more often than a job
    may are a problem of the interruption rate the user gave, not of an interval they never wrote."""
    checkpoints = checkpoint_count(spec, shortest)
    if checkpoints > MAX_EVENTS:
        raise ScenarioError(
            f"training_job.{interruption_key(spec)}",
            f"an interruption every {mtbf:.3g} s in the cluster leaves no interval to search:"
            f" checkpointing every {shortest:.3g} s means {checkpoints:,.0f} checkpoints in one job;"
            f" at most {MAX_EVENTS:,}",
        )


def optimize_checkpoint(
    spec: TrainingJobSpec,
    catalog: Catalog,
    seed: int,
    replications: int,
    objective: Objective = "time",
    executor: Executor | None = None,
) -> CheckpointOptimum:
    """Interval minimising mean completion time ("time") or mean cost ("cost") over the replications."""
    if objective not in ("time", "cost"):
        raise ValueError(f"objective must be 'time' or 'cost', got {objective!r}")
    if spec.checkpoint is None:
        raise ScenarioError(
            "training_job.checkpoint", "the optimiser needs a checkpoint section (write cost)"
        )
    if replications < 2:
        raise ValueError("need at least 2 replications")
    base = build_plan(spec, catalog)
    work, delta, mtbf = base.work_s, base.write_s, job_mtbf(base)
    pool = executor or SerialExecutor()
    task = IntervalRuns(spec, catalog, seed, replications, objective)
    evaluator = _Evaluator(task, pool)

    hi = min(work, _MAX_MTBFS * mtbf)
    lo = min(max(work / 256, delta / 4, 1.0), hi / 16)
    _refuse_endless_search(spec, min(lo, daly_interval(delta, mtbf) if math.isfinite(mtbf) else lo), mtbf)
    screen = _Evaluator(replace(task, replications=max(2, min(replications, replications // 4 + 10))), pool)
    screen.evaluate(np.geomspace(lo, hi, _COARSE_POINTS))
    incumbent, method = screen.best(), "best screening point"
    for _ in range(2):
        window = (max(incumbent * math.exp(-_HALF_WIDTH), lo), min(incumbent * math.exp(_HALF_WIDTH), hi))
        evaluator.evaluate(np.geomspace(*window, _REFINE_POINTS))
        points = [(x, evaluator.mean(x)) for x in evaluator.values if window[0] <= x <= window[1]]
        fitted = _surface_minimum(points, *window)
        if fitted is None:
            incumbent, method = evaluator.best(), "best refined point"
            break
        incumbent, method = fitted, "screen + refine + response-surface fit"

    formulas: dict[str, float] = {}
    if math.isfinite(mtbf) and delta > 0:
        formulas = {"Daly (2006)": daly_interval(delta, mtbf), "Young (1974)": young_interval(delta, mtbf)}
    evaluator.evaluate([incumbent, *(min(x, work) for x in formulas.values())])
    mean, low, high = mean_ci(evaluator.values[incumbent])
    comparisons = {}
    for name, value in formulas.items():
        comparisons[name] = ci95(evaluator.values[min(value, work)] - evaluator.values[incumbent])
    curve = tuple(sorted(evaluator.curve() + screen.curve(), key=lambda p: (p.interval_s, -p.replications)))
    return CheckpointOptimum(
        objective=objective,
        interval_s=incumbent,
        mean=mean,
        ci95_low=low,
        ci95_high=high,
        method=method,
        replications=replications,
        curve=curve,
        mtbf_s=mtbf if math.isfinite(mtbf) else None,
        checkpoint_cost_s=delta,
        young_interval_s=formulas.get("Young (1974)"),
        daly_interval_s=formulas.get("Daly (2006)"),
        daly_exact_interval_s=daly_exact_interval(delta, mtbf) if formulas else None,
        young_breakdown=young_breakdown(delta, mtbf),
        comparisons=comparisons,
    )


def duration_text(seconds: float, signed: bool = False) -> str:
    """A duration or a signed difference of durations, e.g. 45s, 12.5m, 3h07m, +12.5m, -45s."""
    sign = "-" if seconds < 0 else "+" if signed else ""
    seconds = abs(seconds)
    if seconds < 120:
        return f"{sign}{seconds:.0f}s"
    if seconds < 7200:
        return f"{sign}{seconds / 60:.1f}m"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{sign}{hours}h{minutes:02d}m"
