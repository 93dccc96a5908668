"""Rules on a training job that need the instance catalog (the schema cannot see it)."""

from __future__ import annotations

from collections.abc import Iterator

from simulator.catalog import Catalog
from simulator.errors import ScenarioError
from simulator.scenario.suggest import unknown_instance_type
from simulator.scenario.training_spec import BUCKET_MONTHLY_FRACTION, TrainingJobSpec


def check_training_job(spec: TrainingJobSpec, catalog: Catalog) -> list[tuple[str, str]]:
    """Problems as (path relative to `training_job`, reason); empty when the job can be simulated."""
    if spec.instance_type not in catalog.instances:
        return [("instance_type", unknown_instance_type(spec.instance_type, catalog.instances))]
    return [*_bucket_problems(spec, catalog), *_work_bounds(spec)]


def _bucket_problems(spec: TrainingJobSpec, catalog: Catalog) -> Iterator[tuple[str, str]]:
    """A spot job with no interruption process of its own needs a known catalog bucket."""
    if not spec.spot_enabled or spec.spot is None or spec.spot.has_process:
        return
    bucket = catalog.instance(spec.instance_type).spot_interruption_bucket
    if bucket is None:
        yield (
            "spot.interruption_rate",
            f"{spec.instance_type} has no spot interruption bucket in the catalog; give "
            "spot.interruption_rate (e.g. 1/6h), spot.rate_schedule or spot.trace",
        )
    elif bucket not in BUCKET_MONTHLY_FRACTION:
        yield (
            "spot.interruption_rate",
            f"catalog bucket {bucket!r} of {spec.instance_type} is not one of "
            f"{sorted(BUCKET_MONTHLY_FRACTION)}; give spot.interruption_rate",
        )


def interruption_key(spec: TrainingJobSpec) -> str:
    """The key under `training_job` that sets how often the job is interrupted, as the user wrote it:
    the spot section's rate, schedule or trace, else the instance type's catalog bucket."""
    spot = spec.spot
    for key in ("interruption_rate", "rate_schedule", "trace_file", "trace"):
        if spot is not None and getattr(spot, key) is not None:
            return f"spot.{key}"
    return "instance_type"


MAX_EVENTS = 1_000_000
"""Checkpoints or expected interruptions one simulated job may hold: beyond it the job is not a plan
anyone runs, and the simulation would run for hours or out of memory."""


def checkpoint_count(spec: TrainingJobSpec, interval: float) -> float:
    """How many checkpoints one job writes at `interval` (at most its work, at most MaxRuntime)."""
    return min(spec.cluster_work(), spec.max_runtime) / interval


def _work_bounds(spec: TrainingJobSpec) -> Iterator[tuple[str, str]]:
    """Rules that keep a job's simulation finite: checkpoints and interruptions bounded."""
    checkpoint = spec.checkpoint
    if checkpoint is not None and checkpoint.interval is not None:
        count = checkpoint_count(spec, checkpoint.interval)
        if count > MAX_EVENTS:
            yield (
                "checkpoint.interval",
                f"{checkpoint.interval:g} s means {count:,.0f} checkpoints in one job;"
                f" at most {MAX_EVENTS:,}",
            )
    spot = spec.spot if spec.spot_enabled else None
    if spot is not None and spot.interruption_rate is not None:
        where, rate = "spot.interruption_rate", spot.interruption_rate
    elif spot is not None and spot.rate_schedule is not None:
        where, rate = "spot.rate_schedule", max(phase.rate for phase in spot.rate_schedule)
    else:
        return
    expected = rate * spec.instance_count * min(spec.cluster_work(), spec.effective_max_wait())
    if expected > MAX_EVENTS:
        yield (
            where,
            f"{rate:g}/s on {spec.instance_count} instance(s) means {expected:,.0f} interruptions"
            f" in the job's work alone; at most {MAX_EVENTS:,}",
        )


def raise_for_problems(spec: TrainingJobSpec, catalog: Catalog) -> None:
    """Raise the first problem as a ScenarioError with its full YAML path."""
    problems = check_training_job(spec, catalog)
    if problems:
        path, reason = problems[0]
        raise ScenarioError(f"training_job.{path}", reason)
