"""Schema of training_job: the example loads unchanged, round-trips, and bad input names its YAML path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from pydantic import ValidationError

from simulator.errors import ScenarioError
from simulator.scenario.training_check import check_training_job
from simulator.scenario.training_spec import TrainingJobSpec
from simulator.training import simulate_training

EXAMPLE = """\
name: spot-train
seed: 3
replications: 200
training_job:
  instance_type: ml.p3.2xlarge
  instance_count: 1
  work: 20h
  spot: {enabled: true, interruption_rate: 1/6h, capacity_wait: {distribution: exponential, mean: 10m}}
  checkpoint: {interval: 1h, write_time: 5m, restore_time: 10m}
  max_runtime: 5d
  max_wait: 10d
"""
SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "spot-training.yaml"


def _error_paths(data: dict[str, Any]) -> list[str]:
    """Dotted locations of every validation error, as the scenario loader prefixes them."""
    with pytest.raises(ValidationError) as info:
        TrainingJobSpec.model_validate(data)
    return [".".join(str(part) for part in error["loc"]) for error in info.value.errors()]


BASE: dict[str, Any] = {"instance_type": "ml.p3.2xlarge", "work": "2h"}


def test_example_loads_with_units_parsed() -> None:
    job = TrainingJobSpec.model_validate(yaml.safe_load(EXAMPLE)["training_job"])
    assert job.work == 20 * 3600
    assert job.spot is not None and job.spot.interruption_rate == pytest.approx(1 / (6 * 3600))
    assert job.spot.capacity_wait is not None and job.spot.capacity_wait.mean() == 600
    assert job.checkpoint is not None and job.checkpoint.interval == 3600
    assert (job.checkpoint.write_seconds(), job.checkpoint.restore_seconds()) == (300, 600)
    assert (job.max_runtime, job.max_wait) == (5 * 86400, 10 * 86400)
    assert job.spot.notice == 120 and job.scaling_efficiency == 0.9  # documented defaults


def test_scenario_file_is_the_example() -> None:
    assert yaml.safe_load(SCENARIO.read_text()) == yaml.safe_load(EXAMPLE)


def test_json_dump_round_trips() -> None:
    job = TrainingJobSpec.model_validate(yaml.safe_load(EXAMPLE)["training_job"])
    dumped = job.model_dump(mode="json", by_alias=True)
    assert dumped["spot"]["capacity_wait"] == {"distribution": "exponential", "mean": 600.0}
    assert TrainingJobSpec.model_validate(dumped) == job
    assert TrainingJobSpec.model_json_schema()["additionalProperties"] is False


def test_epochs_bandwidth_and_trace_file(tmp_path: Path) -> None:
    (tmp_path / "notices.csv").write_text("# seconds\n3600\n7200.5\n")
    data = {
        "instance_type": "ml.p3.2xlarge",
        "epochs": 10,
        "epoch_time": "30m",
        "data_size": "100GB",
        "download_bandwidth": "500MB/s",
        "checkpoint": {"interval": "1h", "size": "4GB", "write_bandwidth": "200MB/s"},
        "spot": {"trace_file": "notices.csv"},
    }
    job = TrainingJobSpec.model_validate(data, context={"base_dir": tmp_path})
    assert job.single_instance_work() == 5 * 3600
    assert job.download_seconds() == pytest.approx(200.0)
    assert job.checkpoint is not None and job.checkpoint.write_seconds() == pytest.approx(20.0)
    assert job.checkpoint.restore_seconds() == pytest.approx(20.0)  # read bandwidth defaults to write
    assert job.spot is not None and job.spot.trace == (3600.0, 7200.5)
    again = TrainingJobSpec.model_validate(job.model_dump(mode="json", by_alias=True))
    assert again == job  # the loaded trace travels with the dump; the file is not needed again


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"max_runtime": "2d", "max_wait": "1d", "spot": {"interruption_rate": "1/h"}}, "max_wait"),
        ({"max_wait": "1h", "spot": {"interruption_rate": "1/h"}}, "max_wait"),  # max_runtime: 1 day
        ({"max_runtime": "29d"}, "max_runtime"),
        ({"checkpoint": {"interval": 0}}, "checkpoint.interval"),
        ({"checkpoint": {"interval": "-1h"}}, "checkpoint.interval"),
        ({"startup_time": "-5m"}, "startup_time"),
        ({"upload_time": -1}, "upload_time"),
        ({"download_time": "-2m"}, "download_time"),
        ({"checkpoint": {"interval": "1h", "write_time": "-5m"}}, "checkpoint.write_time"),
        ({"checkpoint": {"interval": "1h", "restore_time": -3}}, "checkpoint.restore_time"),
        ({"spot": {"notice": "-2m"}}, "spot.notice"),
        ({"spot": {"trace": ["1h", "-1h"]}}, "spot.trace.1"),
        (
            {"spot": {"capacity_wait": {"distribution": "deterministic", "value": "-1m"}}},
            "spot.capacity_wait",
        ),
        ({"spot": {"interruption_rate": "-1/h"}}, "spot.interruption_rate"),
        ({"spot": {"checkpoint_on_notice": True}}, "spot"),
        ({"instance_count": 0}, "instance_count"),
        ({"scaling_efficiency": 1.5}, "scaling_efficiency"),
        ({"wrok": "2h"}, "wrok"),
    ],
)
def test_bad_fields_report_their_path(fields: dict[str, Any], path: str) -> None:
    paths = _error_paths({**BASE, **fields})
    assert any(p == path or p.startswith(path + ".") for p in paths), paths


def test_object_rules() -> None:
    assert _error_paths({"instance_type": "ml.p3.2xlarge"}) == [""]  # neither work nor epochs
    assert _error_paths({**BASE, "spot": {"interruption_rate": "1/h", "trace": [1]}}) == ["spot"]
    assert _error_paths({**BASE, "spot": {"trace": [5, 1]}}) == ["spot.trace"]
    assert _error_paths({**BASE, "checkpoint": {"interval": 1, "size": "1GB"}}) == ["checkpoint"]


def test_catalog_rules_name_their_path(catalog: Any) -> None:
    no_bucket = TrainingJobSpec.model_validate({**BASE, "instance_type": "ml.p3.16xlarge", "spot": {}})
    problems = check_training_job(no_bucket, catalog)
    assert [path for path, _ in problems] == ["spot.interruption_rate"]
    with pytest.raises(ScenarioError) as info:
        simulate_training(no_bucket, catalog, np.random.SeedSequence(1))
    assert info.value.path == "training_job.spot.interruption_rate"

    given = TrainingJobSpec.model_validate(
        {**BASE, "instance_type": "ml.p3.16xlarge", "spot": {"interruption_rate": "1/6h"}}
    )
    assert check_training_job(given, catalog) == []
    on_demand = TrainingJobSpec.model_validate({**BASE, "instance_type": "ml.p3.16xlarge"})
    assert check_training_job(on_demand, catalog) == []
    from_bucket = TrainingJobSpec.model_validate({**BASE, "spot": {}})  # p3.2xlarge: "5-10%"
    assert check_training_job(from_bucket, catalog) == []
    unknown = TrainingJobSpec.model_validate({**BASE, "instance_type": "ml.x9.huge"})
    assert [path for path, _ in check_training_job(unknown, catalog)] == ["instance_type"]
