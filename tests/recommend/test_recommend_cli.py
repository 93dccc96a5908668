"""`sagesim recommend` end to end: outputs, one-line errors, the AWS request, Ctrl-C and --resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from simulator.aws.shapes import SAGEMAKER, output_errors
from simulator.errors import ScenarioError
from simulator.staging import MARKER, check_out
from tests.conftest import ROOT
from tests.recommend.jobs import without_times
from tests.test_validation import set_arguments

Cli = Callable[..., tuple[int, str, str]]


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_recommend_writes_every_output(
    cli: Cli, write_scenario: Callable[..., Path], small_job: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "rec"
    code, stdout, stderr = cli("recommend", write_scenario(small_job), "--out", out, "--executor", "serial")
    assert code == 0, stderr
    assert "recommendations (cheapest per inference first)" in stdout and "4 candidates" in stdout
    recommendations = json.loads((out / "recommendations.json").read_text())["InferenceRecommendations"]
    details = json.loads((out / "recommendations-detail.json").read_text())["recommendations"]
    response = json.loads((out / "recommendations.json").read_text())
    assert output_errors(SAGEMAKER, "DescribeInferenceRecommendationsJob", response) == []
    assert response["JobName"] == "small-recommend" and response["Status"] == "COMPLETED"
    ids = [r["RecommendationId"] for r in recommendations]
    assert [details[i]["rank"] for i in ids] == [1, 2, 3, 4]
    table = pd.read_csv(out / "recommendations.csv")
    assert list(table["RecommendationId"]) == ids
    assert table["MaxInvocations"].tolist() == [r["Metrics"]["MaxInvocations"] for r in recommendations]
    curves = pd.read_csv(out / "curves.csv")
    assert set(curves["candidate"]) == set(table["candidate"]) and len(curves) >= 4 * 6
    assert {p.name for p in (out / "plots").iterdir()} == {"throughput_latency.png", "pareto.png"}
    report = (out / "report.html").read_text()
    assert "Recommendations" in report and "data:image/png;base64" in report
    assert len(list((out / "candidates").glob("*.json"))) == 4
    with pytest.raises(ScenarioError, match=r"holds the results of `sagesim recommend`"):
        check_out(out, "run")  # the marker names the job for every other command


def test_request_json_merges_and_its_errors_name_the_request_path(
    cli: Cli, write_scenario: Callable[..., Path], small_job: dict[str, Any], tmp_path: Path
) -> None:
    request = {
        "JobName": "small-advanced",
        "JobType": "Advanced",
        "RoleArn": "arn:aws:iam::111122223333:role/recommender",
        "InputConfig": {
            "EndpointConfigurations": [{"InstanceType": "ml.c5.large"}],
            "TrafficPattern": {
                "TrafficType": "PHASES",
                "Phases": [{"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 60}],
            },
        },
    }
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    code, _, stderr = cli("recommend", write_scenario(small_job), "--request", path, "--out", tmp_path / "o")
    assert code == 2
    assert stderr.strip().startswith(
        "error: --request: InputConfig.TrafficPattern.Phases[0].DurationInSeconds:"
    )
    assert "120" in stderr and len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()
    request["InputConfig"]["TrafficPattern"]["Phases"][0]["DurationInSeconds"] = 120  # type: ignore[index]
    path.write_text(json.dumps(request))
    code, _stdout, stderr = cli(
        "recommend", write_scenario(small_job), "--request", path, "--out", tmp_path / "o"
    )
    assert code == 0, stderr
    response = json.loads((tmp_path / "o" / "recommendations.json").read_text())
    assert output_errors(SAGEMAKER, "DescribeInferenceRecommendationsJob", response) == []
    (item,) = response["InferenceRecommendations"]
    assert item["EndpointConfiguration"]["InstanceType"] == "ml.c5.large"
    assert response["JobName"] == "small-advanced" and response["InputConfig"] == request["InputConfig"]
    assert response["JobArn"].startswith("arn:aws:sagemaker:us-east-1:111122223333:")


BAD_INPUT = [
    (["recommend.latency_threshold.percentile=P90"], "recommend.latency_threshold.percentile", "P95"),
    (
        ["recommend.candidates.instance_types=[ml.c5.large, ml.x9.huge]"],
        "recommend.candidates.instance_types[1]",
        "unknown instance type 'ml.x9.huge'",
    ),
    (
        ["recommend.candidates.families=[c5, zz]"],
        "recommend.candidates.families[1]",
        "unknown instance family",
    ),
    (
        ["recommend.candidates.accelerators=[ml.eia9.huge]"],
        "recommend.candidates.accelerators[0]",
        "unknown accelerator type",
    ),
    (
        ["recommend.candidates.serverless_memory_mb=[3000]"],
        "recommend.candidates.serverless_memory_mb",
        "1024, 2048",
    ),
    (["recommend.latency_threshold=null"], "recommend", "give latency_threshold"),
    (["recommend.model=nope"], "recommend.model", "unknown model 'nope'"),
    (["recommend.job_type=Advanced"], "recommend", "needs an `advanced` section"),
    (["recommend.job_type=Sometimes"], "recommend.job_type", "Default"),
    (["recommend.search.tolerance=0.5"], "recommend.search.tolerance", "less than or equal to 0.25"),
    (["recommend.max_error_rate=0"], "recommend.max_error_rate", "greater than 0"),
    (
        ["recommend.candidates.accelerators=[ml.eia2.medium]"],
        "recommend.candidates.accelerators",
        "need the model's elastic_inference",
    ),
    (
        ["recommend.candidates.accelerator_hosts=[ml.q1.tiny]"],
        "recommend.candidates.accelerator_hosts[0]",
        "unknown instance type",
    ),
    (
        ["recommend.fleet_sizing={arrivals: {process: poisson, rate: 10/s}, safety_factor: 1.5}"],
        "recommend.fleet_sizing.safety_factor",
        "less than or equal to 1",
    ),
    (
        [
            "recommend.advanced={endpoint_configurations: [{instance_type: ml.c5.large}], traffic_pattern:"
            " {traffic_type: PHASES, phases: [{initial_number_of_users: 1, duration_in_seconds: 120}]}}"
        ],
        "recommend",
        "needs job_type Advanced",
    ),
]

ADVANCED = {
    "endpoint_configurations": [{"instance_type": "ml.c5.large"}],
    "traffic_pattern": {
        "traffic_type": "PHASES",
        "phases": [{"initial_number_of_users": 1, "spawn_rate": 1, "duration_in_seconds": 120}],
    },
}

BAD_ADVANCED = [
    (
        {"endpoint_configurations": [{"instance_type": "ml.c5.large"}] * 11},
        "recommend.advanced.endpoint_configurations",
        "at most 10 endpoint configurations, got 11",
    ),
    (
        {
            "traffic_pattern": {
                "traffic_type": "PHASES",
                "phases": [{"initial_number_of_users": 1, "duration_in_seconds": 60}],
            }
        },
        "recommend.advanced.traffic_pattern.phases[0].duration_in_seconds",
        "greater than or equal to 120",
    ),
    (
        {
            "traffic_pattern": {
                "traffic_type": "STAIRS",
                "phases": [{"initial_number_of_users": 1, "duration_in_seconds": 120}],
            }
        },
        "recommend.advanced.traffic_pattern",
        "STAIRS needs stairs",
    ),
    (
        {"endpoint_configurations": [{"instance_type": "ml.nope"}]},
        "recommend.advanced.endpoint_configurations[0].instance_type",
        "unknown instance type",
    ),
    (
        {
            "endpoint_configurations": [
                {"instance_type": "ml.p3.2xlarge", "accelerator_type": "ml.eia2.medium"}
            ]
        },
        "recommend.advanced.endpoint_configurations[0].accelerator_type",
        "attaches to CPU instances",
    ),
    (
        {"endpoint_configurations": [{"instance_type": "ml.c5.large", "accelerator_type": "ml.eia2.medium"}]},
        "recommend.advanced.endpoint_configurations[0].accelerator_type",
        "needs the model's elastic_inference",
    ),
    ({"endpoint_configurations": [{}]}, "recommend.advanced.endpoint_configurations[0]", "exactly one of"),
    (
        {"stopping_conditions": {"model_latency_thresholds": [{"percentile": "P50", "value": "1s"}]}},
        "recommend.advanced.stopping_conditions.model_latency_thresholds[0].percentile",
        "P95",
    ),
    (
        {"stopping_conditions": {"flat_invocations": "Maybe"}},
        "recommend.advanced.stopping_conditions.flat_invocations",
        "Continue",
    ),
    ({"job_duration": "6h"}, "recommend.advanced.job_duration", "less than or equal to 18000"),
    (
        {"resource_limit": {"max_parallel_of_tests": 0}},
        "recommend.advanced.resource_limit.max_parallel_of_tests",
        "greater than or equal to 1",
    ),
    (
        {
            "endpoint_configurations": [
                {"serverless_config": {"memory_size_in_mb": 3000, "max_concurrency": 5}}
            ]
        },
        "recommend.advanced.endpoint_configurations[0].serverless_config.memory_size_in_mb",
        "multiple of 1024",
    ),
    (
        {
            "endpoint_configurations": [
                {
                    "serverless_config": {
                        "memory_size_in_mb": 2048,
                        "max_concurrency": 5,
                        "provisioned_concurrency": 6,
                    }
                }
            ]
        },
        "recommend.advanced.endpoint_configurations[0].serverless_config",
        "must not exceed max_concurrency",
    ),
    (
        {
            "endpoint_configurations": [
                {
                    "accelerator_type": "ml.eia2.medium",
                    "serverless_config": {"memory_size_in_mb": 2048, "max_concurrency": 5},
                }
            ]
        },
        "recommend.advanced.endpoint_configurations[0]",
        "accelerator_type needs an instance_type",
    ),
    (
        {
            "traffic_pattern": {
                "traffic_type": "PHASES",
                "stairs": {"duration_in_seconds": 120, "number_of_steps": 2, "users_per_step": 1},
            }
        },
        "recommend.advanced.traffic_pattern",
        "PHASES needs phases",
    ),
]


# Every case is checked at the schema seam (tests/test_schema_rules.py); the first also end to end.
@pytest.mark.parametrize(("overrides", "path", "fragment"), BAD_INPUT[:1])
def test_bad_recommend_input_is_one_line(
    cli: Cli,
    write_scenario: Callable[..., Path],
    small_job: dict[str, Any],
    tmp_path: Path,
    overrides: list[str],
    path: str,
    fragment: str,
) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = cli(
        "recommend", write_scenario(small_job), "--out", out, *set_arguments(overrides)
    )
    assert code == 2 and stdout == ""
    line = stderr.strip()
    assert line.startswith(f"error: {path}: ") and fragment in line and "\n" not in line, line
    assert not out.exists()


@pytest.mark.parametrize(("change", "path", "fragment"), BAD_ADVANCED[:1])
def test_bad_advanced_job_is_one_line(
    cli: Cli,
    write_scenario: Callable[..., Path],
    small_job: dict[str, Any],
    tmp_path: Path,
    change: dict[str, Any],
    path: str,
    fragment: str,
) -> None:
    small_job["recommend"]["job_type"] = "Advanced"
    small_job["recommend"]["advanced"] = {**ADVANCED, **change}
    code, _, stderr = cli("recommend", write_scenario(small_job), "--out", tmp_path / "out")
    line = stderr.strip()
    assert code == 2 and line.startswith(f"error: {path}: ") and fragment in line and "\n" not in line, line


@pytest.mark.parametrize(
    ("arguments", "where", "fragment"),
    [
        (["--scheduler", "tcp://127.0.0.1:9"], "--scheduler", "needs --executor dask"),
        (["--executor", "cloud"], "--executor", "'cloud' is not one of 'local', 'serial', 'dask'"),
        (["--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"], "--scheduler", "cannot reach"),
        (["--resume", "missing-dir"], "--resume", "is not a directory"),
        (["--request", "missing.json"], "--request", "cannot read"),
    ],
)
def test_bad_arguments_are_one_line(
    cli: Cli,
    write_scenario: Callable[..., Path],
    small_job: dict[str, Any],
    tmp_path: Path,
    arguments: list[str],
    where: str,
    fragment: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("simulator.execution.dask_executor.CONNECT_TIMEOUT_S", 2)
    code, _, stderr = cli("recommend", write_scenario(small_job), "--out", tmp_path / "out", *arguments)
    line = stderr.strip()
    assert code == 2 and line.startswith(f"error: {where}: ") and fragment in line and "\n" not in line, line


def test_run_on_a_recommend_job_points_to_recommend(
    cli: Cli, write_scenario: Callable[..., Path], small_job: dict[str, Any], tmp_path: Path
) -> None:
    code, _, stderr = cli("run", write_scenario(small_job), "--out", tmp_path / "out")
    assert code == 2 and stderr.strip() == (
        "error: recommend: this scenario is a recommend job: run it with `sagesim recommend`"
    )


class _Analysed(Exception):
    """Raised by the stand-in analysis once it has the run's settings."""


def test_recommend_dispatches_through_the_registry(
    cli: Cli,
    write_scenario: Callable[..., Path],
    small_job: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from simulator.cli_jobs import JOBS, Job
    from simulator.cli_settings import RunSettings
    from simulator.scenario.kinds import Kind

    seen: list[RunSettings] = []

    def analyse(scenario: Any, settings: RunSettings) -> None:
        seen.append(settings)
        raise _Analysed

    registered = JOBS[Kind.RECOMMEND]
    monkeypatch.setitem(JOBS, Kind.RECOMMEND, Job(analyse, registered.write, registered.show))
    path = write_scenario(small_job)
    with pytest.raises(_Analysed):
        cli("recommend", path, "--out", tmp_path / "out", "--quiet")
    (settings,) = seen
    assert settings.out == tmp_path / "out" and settings.quiet and settings.recommend is not None
    assert (settings.recommend.scenario_path, settings.recommend.resume) == (path, False)
    assert settings.recommend.executor_option == "--executor" and settings.recommend.aws_request is None


def test_recommend_needs_a_recommend_section(
    cli: Cli, write_scenario: Callable[..., Path], base_scenario: dict[str, Any], tmp_path: Path
) -> None:
    code, _, stderr = cli("recommend", write_scenario(base_scenario), "--out", tmp_path / "out")
    assert code == 2 and stderr.startswith("error: recommend: this scenario has no recommend section")


def test_resume_refuses_a_different_job(
    cli: Cli, write_scenario: Callable[..., Path], small_job: dict[str, Any], tmp_path: Path
) -> None:
    small_job["recommend"]["candidates"]["instance_types"] = ["ml.c5.large"]
    out = tmp_path / "out"
    assert cli("recommend", write_scenario(small_job), "--out", out, "--executor", "serial")[0] == 0
    small_job["models"]["m"]["service_time"]["mean"] = "41ms"
    code, _, stderr = cli("recommend", write_scenario(small_job), "--resume", out)
    assert code == 2 and "was made by a different scenario" in stderr


def _sagesim(*arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "simulator.cli", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


@pytest.mark.slow
def test_ctrl_c_keeps_finished_candidates_and_resume_finishes_identically(
    write_scenario: Callable[..., Path], small_job: dict[str, Any], tmp_path: Path
) -> None:
    # enough work that the job is still running when its first candidate is saved, however fast the
    # engine gets: 10 candidates of 20,000-request trials (6 of 4,000 could all finish within 0.05 s)
    types = [f"ml.{family}.{size}" for family in ("c5", "m5") for size in ("large", "xlarge", "2xlarge")]
    small_job["recommend"]["candidates"]["instance_types"] = [
        *types,
        *(f"ml.c4.{size}" for size in ("large", "xlarge", "2xlarge", "4xlarge")),
    ]
    small_job["recommend"]["search"]["requests_per_trial"] = 20000
    scenario = write_scenario(small_job)
    interrupted, whole = tmp_path / "interrupted", tmp_path / "whole"
    process = _sagesim("recommend", str(scenario), "--out", str(interrupted), "--workers", "2")
    deadline = time.monotonic() + 120
    folder = interrupted / "candidates"
    while time.monotonic() < deadline and process.poll() is None:
        if folder.is_dir() and any(folder.glob("*.json")):
            break
        time.sleep(0.05)
    assert process.poll() is None, "the job finished before it could be interrupted"
    os.kill(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    kept = len(list(folder.glob("*.json")))
    assert 1 <= kept < 10
    assert f"interrupted: {kept} of 10 candidates finished" in stderr and "--resume" in stderr
    assert "Traceback" not in stderr
    assert not (interrupted / "recommendations.json").exists()
    resumed = _sagesim("recommend", str(scenario), "--resume", str(interrupted))
    assert resumed.wait(timeout=300) == 0, resumed.communicate()[1]
    complete = _sagesim("recommend", str(scenario), "--out", str(whole), "--executor", "serial")
    assert complete.wait(timeout=300) == 0, complete.communicate()[1]
    assert without_times(interrupted) == without_times(whole)
    created = json.loads((interrupted / "recommendations.json").read_text())["CreationTime"]
    started = json.loads((interrupted / "job.json").read_text())["created"]
    gap = datetime.fromisoformat(started) - datetime.fromisoformat(created)
    assert timedelta(0) <= gap < timedelta(milliseconds=1)  # the resumed job keeps its CreationTime


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_recommend_into_a_finished_job_without_resume_loses_nothing(
    cli: Cli, write_scenario: Callable[..., Path], small_job: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "rec"
    scenario = write_scenario(small_job)
    assert cli("recommend", scenario, "--out", out, "--executor", "serial")[0] == 0
    before = {p.name: p.read_bytes() for p in (out / "candidates").iterdir()}
    code, _, stderr = cli("recommend", scenario, "--out", out, "--executor", "serial")
    line = stderr.strip()
    assert code == 2 and line == (
        f"error: --out: {out} holds a recommender job; continue it with --resume {out}, or give another --out"
    )
    assert {p.name: p.read_bytes() for p in (out / "candidates").iterdir()} == before


def test_recommend_into_another_commands_out_names_it(
    cli: Cli, write_scenario: Callable[..., Path], small_job: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "rollout"
    out.mkdir()
    (out / "rollout.json").write_text("{}")
    (out / MARKER).write_text(json.dumps({"command": "rollout", "entries": ["rollout.json"]}))
    code, _, stderr = cli("recommend", write_scenario(small_job), "--out", out, "--executor", "serial")
    assert code == 2 and stderr.strip() == (
        f"error: --out: {out} holds the results of `sagesim rollout`; give another directory"
    )
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "rollout.json"]


def test_a_failing_executor_leaves_no_half_made_job(
    cli: Cli,
    write_scenario: Callable[..., Path],
    small_job: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("simulator.execution.dask_executor.CONNECT_TIMEOUT_S", 2)
    out = tmp_path / "new"
    arguments = ("--executor", "dask", "--scheduler", "tcp://127.0.0.1:9")
    code, _, stderr = cli("recommend", write_scenario(small_job), "--out", out, *arguments)
    assert code == 2 and "cannot reach" in stderr
    assert not out.exists()


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_candidate_files_are_named_safely_and_resume_reads_them(
    cli: Cli, write_scenario: Callable[..., Path], small_job: dict[str, Any], tmp_path: Path
) -> None:
    new_type = {"vcpus": 2, "memory_gib": 4, "price_per_hour": 0.1, "price_source": "test", "cpu_speed": 1.0}
    small_job["catalog"] = {"ml.my-type.large": new_type}
    small_job["recommend"]["candidates"]["instance_types"] = ["ml.c5.large", "ml.my-type.large"]
    out = tmp_path / "rec"
    scenario = write_scenario(small_job)
    assert cli("recommend", scenario, "--out", out, "--executor", "serial")[0] == 0
    files = sorted((out / "candidates").iterdir())
    assert [json.loads(p.read_text())["id"] for p in files] == ["ml.c5.large", "ml.my-type.large"]
    assert all(p.resolve().parent == (out / "candidates").resolve() for p in files)
    first = without_times(out)
    assert cli("recommend", scenario, "--resume", out)[0] == 0
    assert without_times(out) == first


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_without_a_terminal_each_finished_stage_prints_one_line(
    cli: Cli, write_scenario: Callable[..., Path], small_job: dict[str, Any], tmp_path: Path
) -> None:
    small_job["recommend"]["fleet_sizing"] = {
        "arrivals": {"process": "poisson", "rate": "20/s"},
        "top": 1,
        "duration": "20m",
        "replications": 2,
    }
    out = tmp_path / "rec"
    code, _, stderr = cli("recommend", write_scenario(small_job), "--out", out, "--executor", "serial")
    assert code == 0, stderr
    lines = stderr.splitlines()
    assert len(lines) == 2, stderr
    assert lines[0].startswith("search: 4 candidates in ") and lines[0].endswith(" s")
    assert lines[1].startswith("fleet sizing: 4 simulations in ")  # 1 plan x (autoscaled, static) x 2
    quiet = cli(
        "recommend", write_scenario(small_job), "--out", tmp_path / "q", "--executor", "serial", "--quiet"
    )
    assert quiet[0] == 0 and quiet[2] == ""


def test_recommendation_metrics_print_no_binary_noise() -> None:
    """A new user's trial: recommendations.json said CostPerHour 3.6719999999999993 for 18 x 0.204 USD."""
    from simulator.recommend.aws_response import metrics

    shown = metrics(
        {"CostPerHour": 18 * 0.204, "CostPerInference": 9.215479596446317e-07, "MaxInvocations": 66410.7}
    )
    assert 18 * 0.204 != 3.672 and shown["CostPerHour"] == 3.672
    assert shown["CostPerInference"] == 9.21548e-07 and shown["MaxInvocations"] == 66411


def test_a_job_that_recommends_nothing_says_so(
    cli: Cli, write_scenario: Callable[..., Path], small_job: dict[str, Any], tmp_path: Path
) -> None:
    """A new user's trial: an empty table with exit 0 read like success; the reason was only in a CSV."""
    small_job["recommend"]["latency_threshold"]["value"] = "1ms"  # under the 40 ms service time
    out = tmp_path / "rec"
    code, stdout, stderr = cli("recommend", write_scenario(small_job), "--out", out, "--executor", "serial")
    assert code == 0 and "4 candidates" in stdout
    assert "\nwarning: no candidate met P99 <= 1 ms at any rate tried, so nothing is recommended;" in stderr
    assert "even at light load" in stderr and f"{out / 'report.html'}, candidates.csv)" in stderr
