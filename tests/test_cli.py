"""The command line end to end: output contract, replications, schema, catalog, overrides."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
import yaml

from simulator.scenario import load_scenario
from simulator.scenario.kinds import scenario_json_schema
from simulator.scenario.loader import read_yaml

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

CONTRACT = {
    "requests": {"arrived", "completed", "failed", "throttled"},
    "latency_ms": {"mean", "p50", "p90", "p95", "p99", "max"},
    "queue_wait_ms": {"mean", "p95"},
    "cost_usd": {"total", "per_million_inferences"},
}


def assert_contract(block: dict[str, Any]) -> None:
    for key, fields in CONTRACT.items():
        assert fields <= set(block[key]), key


def test_run_writes_the_output_contract(
    cli: Callable[..., tuple[int, str, str]],
    write_scenario: Callable[..., Path],
    base_scenario: dict[str, Any],
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = cli("run", write_scenario(base_scenario), "--out", out)
    assert code == 0, stderr
    assert "latency p99 ms" in stdout and "report.html" in stdout
    summary = json.loads((out / "summary.json").read_text())
    assert_contract(summary)
    for name in ("a", "b"):
        assert_contract(summary["variants"][name])
        assert {"mean", "max"} <= set(summary["variants"][name]["instances"])
    metrics = pd.read_csv(out / "metrics.csv")
    for column in (
        "Invocations",
        "InvocationsPerInstance",
        "ModelLatency",
        "OverheadLatency",
        "Invocation4XXErrors",
        "Invocation5XXErrors",
        "CPUUtilization",
        "MemoryUtilization",
    ):
        assert column in metrics.columns
    assert len(metrics) == 2 * 10  # two variants x ten one-minute periods
    assert {p.name for p in (out / "plots").iterdir()} == {
        "latency.png",
        "throughput.png",
        "instances.png",
        "cost.png",
    }
    report = (out / "report.html").read_text()
    assert "data:image/png;base64," in report and "http://" not in report and "https://" not in report
    # the resolved scenario loads again and is the same scenario
    resolved = load_scenario(out / "scenario.resolved.yaml")
    assert resolved == load_scenario(write_scenario(base_scenario, "again.yaml"))


def test_replications_add_confidence_intervals(
    cli: Callable[..., tuple[int, str, str]],
    write_scenario: Callable[..., Path],
    base_scenario: dict[str, Any],
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    code, _, stderr = cli(
        "run", write_scenario(base_scenario), "--out", out, "--replications", "4", "--executor", "serial"
    )
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    replications = summary["replications"]
    assert replications["n"] == 4
    p99 = replications["latency_ms"]["p99"]
    assert p99["ci95_low"] < p99["mean"] < p99["ci95_high"]
    assert summary["latency_ms"]["p99"] == p99["mean"]
    assert set(replications["variants"]["a"]["cost_usd"]["total"]) == {"mean", "ci95_low", "ci95_high"}


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_local_pool_and_serial_executors_agree(
    cli: Callable[..., tuple[int, str, str]],
    write_scenario: Callable[..., Path],
    base_scenario: dict[str, Any],
    tmp_path: Path,
) -> None:
    path = write_scenario(base_scenario)
    summaries = []
    for executor in (("--executor", "serial"), ("--executor", "local", "--workers", "2")):
        out = tmp_path / executor[1]
        code, _, stderr = cli("run", path, "--out", out, "--replications", "3", *executor)
        assert code == 0, stderr
        summaries.append(json.loads((out / "summary.json").read_text()))
    assert summaries[0] == summaries[1]


def test_set_overrides_change_the_run(
    cli: Callable[..., tuple[int, str, str]],
    write_scenario: Callable[..., Path],
    base_scenario: dict[str, Any],
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    code, _, stderr = cli(
        "run",
        write_scenario(base_scenario),
        "--out",
        out,
        "--set",
        "endpoint.variants[0].instance_count=3",
        "--set",
        "traffic.arrivals.rate=5/s",
    )
    assert code == 0, stderr
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["endpoint"]["variants"][0]["instance_count"] == 3
    assert resolved["traffic"]["arrivals"]["rate"] == 5.0


def test_schema_command_exports_json_schema(cli: Callable[..., tuple[int, str, str]]) -> None:
    code, stdout, _ = cli("schema")
    assert code == 0
    schema = json.loads(stdout)
    kinds = [schema["$defs"][ref["$ref"].rsplit("/", 1)[-1]] for ref in schema["oneOf"]]
    assert len(kinds) == 6 and all(kind["additionalProperties"] is False for kind in kinds)
    endpoint_run = next(kind for kind in kinds if kind["title"] == "EndpointScenario")
    assert {"name", "duration", "endpoint", "traffic", "models"} <= set(endpoint_run["properties"])
    assert {"duration", "endpoint", "traffic", "name"} <= set(endpoint_run["required"])
    rate = json.dumps(schema["$defs"]["PoissonArrivals"]["properties"]["rate"])
    assert "number" in rate and "string" in rate


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda path: path.stem)
def test_schema_validates_every_bundled_scenario(path: Path) -> None:
    """Exactly one kind's schema fits each example (oneOf), as an editor plugin would check it."""
    schema = scenario_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(read_yaml(path))


def test_schema_rejects_a_document_with_two_jobs() -> None:
    schema = scenario_json_schema()
    document = {**read_yaml(SCENARIOS / "quickstart.yaml"), **read_yaml(SCENARIOS / "spot-training.yaml")}
    assert not jsonschema.Draft202012Validator(schema).is_valid(document)


def test_catalog_command_lists_every_family(cli: Callable[..., tuple[int, str, str]]) -> None:
    code, stdout, _ = cli("catalog")
    assert code == 0
    for name in (
        "ml.c4.large",
        "ml.c5.18xlarge",
        "ml.m5.xlarge",
        "ml.p2.16xlarge",
        "ml.p3.2xlarge",
        "ml.g4dn.xlarge",
        "ml.eia2.xlarge",
        "serverless",
        "0.0000048 USD per GB-second of provisioned concurrency",  # every price a scenario may be billed
    ):
        assert name in " ".join(stdout.split())
    code, stdout, _ = cli("catalog", "--json")
    data = json.loads(stdout)
    assert data["instances"]["ml.p3.8xlarge"]["gpu"] == {"type": "V100", "count": 4}


def test_example_from_the_issue_loads_unchanged(cli: Callable[..., tuple[int, str, str]]) -> None:
    code, stdout, _ = cli("check", Path(__file__).parent.parent / "scenarios" / "mmc-check.yaml")
    assert code == 0 and stdout.strip() == "ok: mmc-check"


SPOT = Path(__file__).resolve().parent.parent / "scenarios" / "spot-training.yaml"


def test_training_run_writes_the_training_summary(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    out = tmp_path / "spot"
    code, stdout, stderr = cli("run", SPOT, "--out", out, "--replications", "30", "--executor", "serial")
    assert code == 0, stderr
    assert "BillableTimeInSeconds" in stdout
    summary = json.loads((out / "summary.json").read_text())
    assert {"mean", "p50", "p90"} <= set(summary["completion_time_s"])
    for key in ("training_time_s", "billable_time_s", "savings_pct", "cost_usd", "interruptions"):
        assert summary[key]["ci95_low"] <= summary[key]["mean"] <= summary[key]["ci95_high"], key
    assert 0 <= summary["max_wait_exceeded_fraction"] <= 1
    assert summary["savings_pct"]["mean"] == pytest.approx(
        100 * (1 - summary["billable_time_s"]["mean"] / summary["training_time_s"]["mean"]), rel=0.05
    )
    assert "Young vs Daly" in (out / "report.html").read_text() and (out / "runs.csv").exists()
    assert len(list((out / "plots").glob("*.png"))) >= 2


def test_optimize_checkpoint_prints_young_and_daly(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    code, stdout, stderr = cli(
        "optimize-checkpoint", SPOT, "--replications", "16", "--executor", "serial", "--out", tmp_path
    )
    assert code == 0, stderr
    assert "Daly" in stdout and "Young" in stdout and "simulated optimum" in stdout
    optimum = json.loads((tmp_path / "checkpoint-optimum.json").read_text())
    assert optimum["interval_s"] > 0 and optimum["curve"]


def test_optimize_checkpoint_needs_a_training_job(
    cli: Callable[..., tuple[int, str, str]],
    write_scenario: Callable[..., Path],
    base_scenario: dict[str, Any],
) -> None:
    code, _, stderr = cli("optimize-checkpoint", write_scenario(base_scenario))
    assert code == 2 and stderr.startswith("error: training_job: ")


@pytest.mark.parametrize("command", ["crossover", "compare", "ab-test"])
def test_endpoint_commands_refuse_other_kinds(cli: Callable[..., tuple[int, str, str]], command: str) -> None:
    path = SCENARIOS / "spot-training.yaml"
    code, stdout, stderr = cli(command, *([path, path] if command == "compare" else [path]))
    assert (code, stdout) == (2, "")
    where = "endpoint" if command == "ab-test" else str(path)
    assert stderr.startswith(f"error: {where}: ") and "endpoint" in stderr.split(": ", 2)[2]
    assert stderr.count("\n") == 1


def test_a_run_whose_window_saw_no_request_says_so(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    """A trace whose timestamps all fall in the warm-up gave empty figures with no word (a trial's find)."""
    trace = tmp_path / "early.csv"
    trace.write_text("timestamp\n5\n3\n1\n")
    argv = ("run", SCENARIOS / "trace-replay.yaml", "--replications", "2", "--out", tmp_path / "out")
    code, _, stderr = cli(*argv, "--set", f"traffic.arrivals.file={trace}")
    assert code == 0
    assert "warning: no request arrived in the measured window" in stderr
    code, _, stderr = cli(*argv)
    assert code == 0 and "no request arrived" not in stderr


@pytest.mark.parametrize(
    ("scenario", "overrides", "said"),
    [
        ("spot-training.yaml", ["engine=fast"], "error: engine: 'fast' chooses an endpoint engine"),
        (
            "recommend-default.yaml",
            ["recommend.candidates.max_price_per_hour=0.01", "recommend.candidates.serverless_memory_mb=[]"],
            "error: recommend.candidates.max_price_per_hour: no candidate costs at most 0.01 USD/hour",
        ),
    ],
)
def test_check_refuses_what_run_and_recommend_refuse_up_front(
    cli: Callable[..., tuple[int, str, str]], scenario: str, overrides: list[str], said: str
) -> None:
    arguments = [part for override in overrides for part in ("--set", override)]
    code, stdout, stderr = cli("check", SCENARIOS / scenario, *arguments)
    assert (code, stdout) == (2, "") and stderr.startswith(said), stderr


def test_run_warns_when_most_requests_fail(cli: Callable[..., tuple[int, str, str]], tmp_path: Path) -> None:
    """40 s per request where 40 ms was meant: the few completions still give a p99, so say how many
    failed (percentiles are over completed requests only)."""
    slow = "models.resnet-cpu.service_time={distribution: deterministic, value: 40}"
    out = tmp_path / "out"
    code, _, stderr = cli(
        "run", SCENARIOS / "quickstart.yaml", "--set", slow, "--replications", "1", "--out", out
    )
    assert code == 0 and "of the requests failed or were throttled" in stderr, stderr
    code, _, stderr = cli(
        "run", SCENARIOS / "quickstart.yaml", "--replications", "1", "--out", tmp_path / "ok"
    )
    assert code == 0 and "failed or were throttled" not in stderr


def test_an_autoscaled_run_without_activities_writes_an_empty_scaling_csv(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    """No row is an answer too: the file the README promises is there, with its header."""
    policy = "{min_capacity: 1, max_capacity: 3, target_tracking: {target_value: 100000}}"
    out = tmp_path / "out"
    code, _, stderr = cli(
        "run",
        SCENARIOS / "quickstart.yaml",
        "--set",
        f"endpoint.variants[0].autoscaling={policy}",
        "--set",
        "duration=10m",
        "--replications",
        "1",
        "--out",
        out,
    )
    assert code == 0, stderr
    assert (out / "scaling.csv").read_text().splitlines() == ["time_s,variant,from,to,kind,cause"]
