"""Rules on a training job that need the instance catalog (the schema cannot see it)."""

from __future__ import annotations

from simulator.catalog import Catalog
from simulator.errors import ScenarioError
from simulator.scenario.training_spec import BUCKET_MONTHLY_FRACTION, TrainingJobSpec


def check_training_job(spec: TrainingJobSpec, catalog: Catalog) -> list[tuple[str, str]]:
    """Problems as (path relative to `training_job`, reason); empty when the job can be simulated."""
    problems: list[tuple[str, str]] = []
    if spec.instance_type not in catalog.instances:
        known = ", ".join(sorted(catalog.instances))
        return [("instance_type", f"unknown instance type {spec.instance_type!r} (known: {known})")]
    instance = catalog.instance(spec.instance_type)
    if spec.spot_enabled and spec.spot is not None and not spec.spot.has_process:
        bucket = instance.spot_interruption_bucket
        if bucket is None:
            problems.append(
                (
                    "spot.interruption_rate",
                    f"{spec.instance_type} has no spot interruption bucket in the catalog; give "
                    "spot.interruption_rate (e.g. 1/6h), spot.rate_schedule or spot.trace",
                )
            )
        elif bucket not in BUCKET_MONTHLY_FRACTION:
            problems.append(
                (
                    "spot.interruption_rate",
                    f"catalog bucket {bucket!r} of {spec.instance_type} is not one of "
                    f"{sorted(BUCKET_MONTHLY_FRACTION)}; give spot.interruption_rate",
                )
            )
    return problems


def raise_for_problems(spec: TrainingJobSpec, catalog: Catalog) -> None:
    """Raise the first problem as a ScenarioError with its full YAML path."""
    problems = check_training_job(spec, catalog)
    if problems:
        path, reason = problems[0]
        raise ScenarioError(f"training_job.{path}", reason)
