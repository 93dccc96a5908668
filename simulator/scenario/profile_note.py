"""A note when a variant runs a calibration profile with its default worker count, and the profile
was fitted with another count per vCPU.

A scenario takes a profile's service time, overhead and wake-up slice, never its counts: how many
workers a server starts on a bigger instance is in its own configuration. The default (one per vCPU)
silently models a gunicorn fitted with 4 workers per core, or a FastAPI thread pool fitted with 8
slots, as one worker per core: a different queue, with a different tail. The note says so once, where
the user reads the results.
"""

from __future__ import annotations

from simulator.scenario.kinds import EndpointScenario
from simulator.scenario.models import profile_document


def _counts(profile_path: str) -> tuple[int, int] | None:
    """The profile's (workers, vcpus), or None when it has no usable counts (not a calibration's)."""
    profile = profile_document(profile_path)
    if profile is None:
        return None  # read and checked when the scenario loaded; gone or changed since: nothing to say
    workers, vcpus = profile.get("workers"), profile.get("vcpus")
    whole = all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in (workers, vcpus))
    return (workers, vcpus) if whole else None  # type: ignore[return-value]


def profile_worker_notes(scenario: EndpointScenario) -> list[str]:
    """One note per variant that leaves `workers` to its default while its model's profile was
    fitted with other than one worker per vCPU."""
    notes: list[str] = []
    variants = scenario.endpoint.variants if scenario.endpoint is not None else []
    for index, variant in enumerate(variants):
        model = scenario.models.get(variant.model)
        if variant.workers is not None or model is None or model.profile is None:
            continue
        counts = _counts(model.profile)
        if counts is None or counts[0] == counts[1]:
            continue
        workers, vcpus = counts
        notes.append(
            f"endpoint.variants[{index}] ({variant.name}) leaves workers to the default (one per vCPU,"
            " or per GPU), but"
            f" model {variant.model}'s profile was fitted with {workers} workers on {vcpus} vCPU(s): set"
            f" endpoint.variants[{index}].workers to what your server starts on {variant.instance_type}"
            " (README: From a profile to an instance type)"
        )
    return notes
