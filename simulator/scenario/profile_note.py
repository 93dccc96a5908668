"""Notes when a variant runs a calibration profile in a way the profile cannot vouch for: with its
default worker count while the profile was fitted with another count per vCPU, on instances of
another instruction set than the image the profile measured, or a thread pool's profile on more
vCPUs than it was measured on.

A scenario takes a profile's service time, overhead and wake-up slice, never its counts: how many
workers a server starts on a bigger instance is in its own configuration. The default (one per vCPU)
silently models a gunicorn fitted with 4 workers per core, or a FastAPI thread pool fitted with 8
slots, as one worker per core: a different queue, with a different tail. The note says so once, where
the user reads the results.

A profile measured an x86_64 image; on a Graviton (arm64) instance the same model runs from an image
built for arm64, and the catalog's `cpu_speed` ratio between the two families is a published estimate,
not a measurement of this server. The scenario runs it as asked; the note says what it rests on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from simulator.catalog import Catalog, InstanceType
from simulator.scenario.endpoint import VariantSpec
from simulator.scenario.kinds import EndpointScenario
from simulator.scenario.models import is_count, profile_document


def _counts(profile_path: str) -> tuple[int, int] | None:
    """The profile's (workers, vcpus), or None when it has no usable counts (not a calibration's)."""
    return _counts_in(profile_document(profile_path))


def _counts_in(profile: dict[str, Any] | None) -> tuple[int, int] | None:
    """`_counts` of a profile document already read."""
    if profile is None:
        return None  # read and checked when the scenario loaded; gone or changed since: nothing to say
    workers, vcpus = profile.get("workers"), profile.get("vcpus")
    return (workers, vcpus) if is_count(workers) and is_count(vcpus) else None  # type: ignore[return-value]


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


def _profiled_variants(
    scenario: EndpointScenario, catalog: Catalog
) -> Iterator[tuple[int, VariantSpec, str, InstanceType]]:
    """(index, variant, its model's profile path, its instance type) for each variant whose model
    reads a calibration profile and whose instance type the catalog knows."""
    variants = scenario.endpoint.variants if scenario.endpoint is not None else []
    for index, variant in enumerate(variants):
        model = scenario.models.get(variant.model)
        instance = catalog.instances.get(variant.instance_type)
        if model is not None and model.profile is not None and instance is not None:
            yield index, variant, model.profile, instance


def _architecture(profile_path: str) -> str | None:
    """The instruction set of the image the profile measured; None when it does not say (profiles
    written before it was recorded, or by hand) or cannot be read any more."""
    profile = profile_document(profile_path)
    fitted = profile.get("fitted") if profile is not None else None
    architecture = fitted.get("architecture") if isinstance(fitted, dict) else None
    return architecture if isinstance(architecture, str) else None


def profile_architecture_notes(scenario: EndpointScenario, catalog: Catalog) -> list[str]:
    """One note per variant whose instances run another instruction set than the image its model's
    profile measured (a profile that does not say counts as x86_64's only on arm64 instances)."""
    notes: list[str] = []
    for index, variant, profile, instance in _profiled_variants(scenario, catalog):
        measured = _architecture(profile)
        if measured == instance.architecture or (measured is None and instance.architecture == "x86_64"):
            continue
        on = f"an {measured} image" if measured else "an image of unrecorded architecture"
        notes.append(
            f"endpoint.variants[{index}] ({variant.name}) runs {variant.instance_type}"
            f" ({instance.architecture}), but model {variant.model}'s profile measured {on}: its service"
            f" time is scaled by the catalog's cpu_speed ({instance.cpu_speed}), an estimate across"
            f" instruction sets; build the image for {instance.architecture} and calibrate it there"
            " to measure it"
        )
    return notes


def _thread_pool(profile_path: str) -> tuple[int, int, float] | None:
    """(slots, vcpus, runnable threads) when the profile's server is a thread pool: its slots far
    outnumber the threads calibration found runnable (FastAPI's 8 slots, 1.4 runnable; gunicorn's 4
    processes on one core, 4.0 runnable, are not)."""
    profile = profile_document(profile_path)
    counts = _counts_in(profile)
    fitted = profile.get("fitted") if profile is not None else None
    parallelism = fitted.get("parallelism") if isinstance(fitted, dict) else None
    runnable = parallelism.get("runnable_threads_mean") if isinstance(parallelism, dict) else None
    if counts is None or not isinstance(runnable, int | float) or isinstance(runnable, bool):
        return None
    workers, vcpus = counts
    return (workers, vcpus, float(runnable)) if runnable * 2 < workers else None


def profile_thread_pool_notes(scenario: EndpointScenario, catalog: Catalog) -> list[str]:
    """One note per variant that runs a thread pool's profile on more vCPUs than it was measured on:
    its slots share the cores it had through one process (Python's GIL), which spreading `workers`
    over more vCPUs does not model unless the server starts a process per vCPU."""
    notes: list[str] = []
    for index, variant, profile, instance in _profiled_variants(scenario, catalog):
        pool = _thread_pool(profile)
        if pool is None or instance.vcpus <= pool[1]:
            continue
        slots, vcpus, runnable = pool
        notes.append(
            f"endpoint.variants[{index}] ({variant.name}): model {variant.model}'s profile is a thread pool"
            f" ({slots} slots, {runnable:.2f} threads runnable on {vcpus} vCPU(s)); on"
            f" {variant.instance_type} ({instance.vcpus} vCPUs) its capacity grows only if the server"
            f" starts a process per vCPU: then workers = {slots} x processes, else one process's"
            " capacity is all it has (README: From a profile to an instance type)"
        )
    return notes


def profile_notes(scenario: EndpointScenario, catalog: Catalog) -> list[str]:
    """Every note on the scenario's calibration profiles: worker counts, instruction sets, thread pools."""
    return (
        profile_worker_notes(scenario)
        + profile_architecture_notes(scenario, catalog)
        + profile_thread_pool_notes(scenario, catalog)
    )
