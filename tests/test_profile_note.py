"""A variant that runs a calibration profile with the default worker count gets a note when the profile
was fitted with another count per vCPU (the scenario never takes the profile's counts), and one on
instances of another instruction set than the image the profile measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from simulator.calibrate.payloads import digits_pool
from simulator.calibrate.provenance import recorded
from simulator.cli import main
from simulator.errors import ScenarioError
from simulator.scenario import load_scenario_dict
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.kinds import EndpointScenario
from simulator.scenario.loader import dump_resolved
from simulator.scenario.profile_note import (
    profile_architecture_notes,
    profile_notes,
    profile_thread_pool_notes,
    profile_worker_notes,
)

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def _profile(tmp_path: Path, workers: int, vcpus: int) -> Path:
    profile = yaml.safe_load((SCENARIOS / "data" / "gunicorn-multiworker-profile.yaml").read_text())
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump({**profile, "workers": workers, "vcpus": vcpus}))
    return path


def _scenario(profile: Path, workers: int | None) -> dict[str, object]:
    variant: dict[str, object] = {"name": "prod", "model": "m", "instance_type": "ml.c5.xlarge"}
    if workers is not None:
        variant["workers"] = workers
    return {
        "name": "profile-note",
        "duration": "20s",
        "seed": 3,
        "models": {"m": {"profile": str(profile)}},
        "endpoint": {"name": "e", "variants": [variant]},
        "traffic": {"arrivals": {"process": "poisson", "rate": "50/s"}},
    }


def test_a_profile_fitted_with_more_workers_than_vcpus_left_to_the_default_is_noted(tmp_path: Path) -> None:
    scenario = load_scenario_dict(_scenario(_profile(tmp_path, 4, 1), None))
    (note,) = profile_worker_notes(scenario)
    assert note.startswith("endpoint.variants[0] (prod) leaves workers to the default (one per vCPU, or")
    assert "fitted with 4 workers on 1 vCPU(s)" in note and "endpoint.variants[0].workers" in note


@pytest.mark.parametrize(("counts", "workers"), [((4, 1), 16), ((4, 1), 4), ((1, 1), None), ((2, 2), None)])
def test_no_note_when_the_variant_says_its_workers_or_the_profile_ran_one_per_vcpu(
    tmp_path: Path, counts: tuple[int, int], workers: int | None
) -> None:
    scenario = load_scenario_dict(_scenario(_profile(tmp_path, *counts), workers))
    assert profile_worker_notes(scenario) == []


def test_a_profile_gone_after_loading_gives_no_note_and_no_traceback(tmp_path: Path) -> None:
    path = _profile(tmp_path, 4, 1)
    scenario = load_scenario_dict(_scenario(path, None))
    path.unlink()
    assert profile_worker_notes(scenario) == []


def test_run_prints_the_note_and_writes_it_to_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(_scenario(_profile(tmp_path, 8, 1), None)))
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), "--replications", "2"]) == 0
    assert "fitted with 8 workers on 1 vCPU(s)" in " ".join(capsys.readouterr().out.split())
    notes = json.loads((out / "summary.json").read_text())["notes"]
    assert any("fitted with 8 workers on 1 vCPU(s)" in note for note in notes)


def test_the_resolved_scenario_of_a_profile_loads_again_as_the_same_scenario(tmp_path: Path) -> None:
    """The resolved YAML keeps `profile:` and leaves out what the profile supplied: giving both is
    refused on loading (one would be ignored)."""
    document = _scenario(_profile(tmp_path, 4, 1), 16)
    document["models"]["m"]["overhead"] = {"distribution": "deterministic", "value": "1ms"}  # type: ignore[index]
    profile = yaml.safe_load((tmp_path / "profile.yaml").read_text())
    (tmp_path / "profile.yaml").write_text(yaml.safe_dump({**profile, "overhead": None}))
    scenario = load_scenario_dict(document)
    resolved = yaml.safe_load(dump_resolved(scenario))
    assert "service_time" not in resolved["models"]["m"]  # the profile's
    assert resolved["models"]["m"]["overhead"] == {
        "distribution": "deterministic",
        "value": 0.001,
    }  # the user's
    assert load_scenario_dict(resolved) == scenario


def test_a_missing_profile_says_cannot_read_once(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_dict(_scenario(tmp_path / "nowhere.yaml", None))
    line = caught.value.one_line()
    assert line.count("cannot read") == 1 and line.endswith("nowhere.yaml': No such file or directory")


def _on(tmp_path: Path, instance_type: str, architecture: str | None) -> EndpointScenario:
    """The gunicorn profile (one worker per vCPU: no worker note) with `architecture` recorded."""
    profile = yaml.safe_load((SCENARIOS / "data" / "gunicorn-multiworker-profile.yaml").read_text())
    profile["fitted"].pop("architecture", None)
    if architecture is not None:
        profile["fitted"]["architecture"] = architecture
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump({**profile, "workers": 1, "vcpus": 1}))
    document = _scenario(path, None)
    document["endpoint"]["variants"][0]["instance_type"] = instance_type  # type: ignore[index]
    return load_scenario_dict(document)


@pytest.mark.parametrize("architecture", ["x86_64", None])
def test_an_x86_profile_on_graviton_is_noted(tmp_path: Path, architecture: str | None) -> None:
    scenario = _on(tmp_path, "ml.c7g.xlarge", architecture)
    (note,) = profile_architecture_notes(scenario, scenario_catalog(scenario))
    assert note.startswith("endpoint.variants[0] (prod) runs ml.c7g.xlarge (arm64), but model m's profile")
    assert ("an x86_64 image" if architecture else "unrecorded architecture") in note
    assert "cpu_speed (1.4)" in note and "build the image for arm64" in note


def test_an_arm64_profile_on_x86_is_noted_and_matching_ones_are_not(tmp_path: Path) -> None:
    arm_on_x86 = _on(tmp_path, "ml.c5.xlarge", "arm64")
    (note,) = profile_architecture_notes(arm_on_x86, scenario_catalog(arm_on_x86))
    assert "runs ml.c5.xlarge (x86_64)" in note and "an arm64 image" in note
    for instance_type, architecture in [
        ("ml.c7g.xlarge", "arm64"),
        ("ml.c5.xlarge", "x86_64"),
        ("ml.c5.xlarge", None),
    ]:
        scenario = _on(tmp_path, instance_type, architecture)
        assert profile_architecture_notes(scenario, scenario_catalog(scenario)) == []


def test_docker_names_its_architectures_as_the_catalog_does() -> None:
    pool = digits_pool()
    assert recorded("img", "sha256:1", pool, "amd64")["architecture"] == "x86_64"
    assert recorded("img", "sha256:1", pool, "aarch64")["architecture"] == "arm64"
    assert "architecture" not in recorded("img", "sha256:1", pool, "s390x")


def _pool(
    tmp_path: Path, workers: int, runnable: float, instance_type: str, vcpus: int = 1
) -> EndpointScenario:
    """The gunicorn profile recast with `workers` slots and `runnable` threads on `vcpus`, the variant
    setting `workers` to the slots."""
    profile = yaml.safe_load((SCENARIOS / "data" / "gunicorn-multiworker-profile.yaml").read_text())
    profile["fitted"]["parallelism"]["runnable_threads_mean"] = runnable
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump({**profile, "workers": workers, "vcpus": vcpus}))
    document = _scenario(path, workers)
    document["endpoint"]["variants"][0]["instance_type"] = instance_type  # type: ignore[index]
    return load_scenario_dict(document)


def test_a_thread_pools_profile_on_more_vcpus_is_noted_whatever_the_workers(tmp_path: Path) -> None:
    """A new user's trial (2026-12-03) set workers: 8 (the FastAPI profile's slots) on ml.c5.xlarge and
    got 300/s per instance with no note, where the one-process container measured ~110/s."""
    scenario = _pool(tmp_path, 8, 1.41, "ml.c5.xlarge")
    (note,) = profile_thread_pool_notes(scenario, scenario_catalog(scenario))
    assert note.startswith("endpoint.variants[0] (prod): model m's profile is a thread pool (8 slots, 1.41")
    assert "on ml.c5.xlarge (4 vCPUs)" in note and "workers = 8 x processes" in note
    assert any("thread pool" in n for n in profile_notes(scenario, scenario_catalog(scenario)))


@pytest.mark.parametrize(
    ("workers", "runnable", "vcpus"),
    [(32, 5.6, 4), (4, 3.97, 1), (1, 1.0, 1)],
    ids=["as-many-vcpus-as-measured", "processes-not-threads", "one-worker"],
)
def test_no_thread_pool_note_on_the_vcpus_it_was_measured_on_or_for_processes(
    tmp_path: Path, workers: int, runnable: float, vcpus: int
) -> None:
    scenario = _pool(tmp_path, workers, runnable, "ml.c5.xlarge", vcpus)
    assert profile_thread_pool_notes(scenario, scenario_catalog(scenario)) == []
