"""Advanced jobs: stopping conditions minute by minute, and the AWS request shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator.errors import ScenarioError
from simulator.recommend.advanced import Minute, apply_stopping
from simulator.recommend.aws_request import from_aws_request, snake
from simulator.scenario import load_scenario
from simulator.scenario.recommend_spec import AdvancedJob, LatencyThreshold

ROOT = Path(__file__).resolve().parent.parent.parent
SLO = LatencyThreshold(percentile="P95", value=0.2)


def minutes(*rows: tuple[int, float, float]) -> list[Minute]:
    """(invocations, p95 ms, error rate) per minute."""
    return [Minute(i, n, p, p / 2, p, p * 1.5, e) for i, (n, p, e) in enumerate(rows)]


def advanced(**stopping: Any) -> AdvancedJob:
    return AdvancedJob.model_validate(
        {
            "endpoint_configurations": [{"instance_type": "ml.c5.large"}],
            "traffic_pattern": {
                "traffic_type": "STAIRS",
                "stairs": {"duration_in_seconds": 120, "number_of_steps": 3, "users_per_step": 2},
            },
            "stopping_conditions": stopping,
        }
    )


def test_latency_threshold_stops_and_excludes_the_breaking_minute() -> None:
    test = apply_stopping(
        minutes((100, 50, 0), (200, 150, 0), (300, 250, 0), (400, 100, 0)), advanced(), SLO, 0.01
    )
    assert test.stopped_by == "ModelLatencyThresholds"
    assert test.best is not None and test.best.invocations == 200


def test_error_bound_stops_the_test() -> None:
    test = apply_stopping(minutes((100, 50, 0), (200, 60, 0.02), (300, 70, 0)), advanced(), SLO, 0.01)
    assert test.stopped_by == "error bound" and test.best is not None and test.best.invocations == 100


def test_max_invocations_stops_after_the_minute_that_reaches_it() -> None:
    rows = minutes((100, 50, 0), (250, 60, 0), (300, 70, 0))
    test = apply_stopping(rows, advanced(max_invocations=250), SLO, 0.01)
    assert test.stopped_by == "MaxInvocations" and test.best is not None and test.best.invocations == 250


def test_flat_invocations_stop_only_when_asked() -> None:
    rows = minutes((100, 50, 0), (200, 60, 0), (201, 70, 0), (202, 70, 0), (203, 70, 0), (400, 80, 0))
    stopped = apply_stopping(rows, advanced(flat_invocations="Stop"), SLO, 0.01)
    assert (
        stopped.stopped_by == "FlatInvocations"
        and stopped.best is not None
        and stopped.best.invocations == 203
    )
    continued = apply_stopping(rows, advanced(flat_invocations="Continue"), SLO, 0.01)
    assert continued.stopped_by == "end of traffic pattern" and continued.best.invocations == 400  # type: ignore[union-attr]


def test_no_acceptable_minute_gives_no_answer() -> None:
    test = apply_stopping(minutes((100, 500, 0)), advanced(), SLO, 0.01)
    assert test.best is None


def test_pascal_case_names_convert_to_the_scenario_keys() -> None:
    assert snake("InitialNumberOfUsers") == "initial_number_of_users"
    assert snake("MemorySizeInMB") == "memory_size_in_mb"
    assert snake("JobDurationInSeconds") == "job_duration"


def test_the_bundled_aws_request_is_the_yaml_job() -> None:
    """scenarios/data/recommend-advanced-request.json describes the same job as the YAML's section."""
    request = json.loads((ROOT / "scenarios" / "data" / "recommend-advanced-request.json").read_text())
    section, _ = from_aws_request(request)
    yaml_job = load_scenario(ROOT / "scenarios" / "recommend-advanced.yaml").recommend
    assert yaml_job is not None and yaml_job.advanced is not None
    converted = AdvancedJob.model_validate(
        {
            **section["advanced"],
            "think_time": {"distribution": "exponential", "mean": "1s"},
            "replications": 3,
        }
    )
    assert converted == yaml_job.advanced
    assert section["job_type"] == "Advanced"


def test_unknown_request_fields_are_one_line_errors() -> None:
    request = {"JobName": "j", "JobType": "Advanced", "RoleArn": "arn:aws:iam::000000000000:role/r"}
    with pytest.raises(ScenarioError) as caught:
        from_aws_request({**request, "InputConfig": {"Bogus": 1}})
    assert caught.value.one_line().startswith(
        "error: --request: not a valid CreateInferenceRecommendationsJob request: "
        'Unknown parameter in InputConfig: "Bogus", must be one of: ModelPackageVersionArn, ModelName,'
    )
