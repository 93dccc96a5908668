"""One CLI grammar: the same option means the same thing, with the same bounds, on every command.

Read from the click commands typer builds, so a new command that spells a shared option its own way
(a file-valued --out, a free-string --executor, another replication cap) fails here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import typer

from simulator.cli import app
from simulator.cli_options import MAX_REPLICATIONS
from simulator.core.slo import interval_meets, meets
from simulator.metrics.summary_types import Latency
from simulator.training_analysis.optimizer import CheckpointOptimum, duration_text

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
Cli = Callable[..., tuple[int, str, str]]
IMPORT_INPUTS = (  # the bundled import example's documents and a service time
    "--endpoint-config",
    SCENARIOS / "data" / "fraud-scorer-endpoint-config.json",
    "--metrics",
    SCENARIOS / "data" / "fraud-scorer-invocations.json",
    "--service-time",
    "{distribution: deterministic, value: 10ms}",
)


# Click objects are read by shape (commands, params, opts, choices, max): typer has moved between
# depending on click and vendoring it, so isinstance checks against `click` would pass vacuously.


def _commands() -> dict[str, Any]:
    """Every command and subcommand by its full name, e.g. 'run', 'calibrate serve'."""
    found: dict[str, Any] = {}

    def walk(command: Any, prefix: str) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, f"{prefix} {name}".strip())
        else:
            found[prefix] = command

    walk(typer.main.get_command(app), "")
    return found


def _option(command: Any, flag: str) -> Any:
    return next((p for p in command.params if flag in getattr(p, "opts", ())), None)


def _choices(option: Any) -> set[str]:
    """The values an option accepts when they form a fixed set (an Enum annotation or a click Choice)."""
    annotation = getattr(getattr(option, "type_descriptor", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return {member.value for member in annotation}
    return set(getattr(getattr(option, "type", None), "choices", ()))


def _max(option: Any) -> Any:
    return getattr(option, "max", None) if hasattr(option, "max") else getattr(option.type, "max", None)


COMMANDS = _commands()
SIMULATING = ["run", "recommend", "rollout", "ab-test", "compare", "crossover", "optimize-checkpoint"]


def test_every_simulating_command_shares_the_run_options() -> None:
    for name in SIMULATING:
        for flag in ("--set", "--seed", "--executor", "--workers", "--scheduler"):
            assert _option(COMMANDS[name], flag) is not None, f"{name} lacks {flag}"
    for name in ("run", "recommend", "rollout", "compare", "crossover", "optimize-checkpoint"):
        assert _option(COMMANDS[name], "--quiet") is not None, f"{name} lacks --quiet"


def test_replications_have_one_cap_everywhere() -> None:
    capped = {
        name: _option(command, "--replications") or _option(command, "--check")
        for name, command in COMMANDS.items()
    }
    capped = {name: option for name, option in capped.items() if option is not None}
    assert {"run", "rollout", "compare", "crossover", "optimize-checkpoint", "ab-test"} <= set(capped)
    for name, option in capped.items():
        assert _max(option) == MAX_REPLICATIONS, f"{name}: {option.type.max}"


def test_fixed_value_options_are_choices() -> None:
    choices = {
        ("run", "--executor"): {"local", "serial", "dask"},
        ("ab-test", "--executor"): {"local", "serial", "dask"},
        ("rollout", "--executor"): {"local", "serial", "dask"},
        ("optimize-checkpoint", "--objective"): {"time", "cost"},
        ("ab-test", "--metric"): {"latency", "error-rate"},
    }
    for (name, flag), values in choices.items():
        option = _option(COMMANDS[name], flag)
        assert option is not None, (name, flag)
        assert _choices(option) == values, (name, flag)
    for name, command in COMMANDS.items():
        option = _option(command, "--executor")
        assert option is None or _choices(option), name


def test_out_is_always_a_directory_and_says_so() -> None:
    outs = {name: _option(command, "--out") for name, command in COMMANDS.items()}
    outs = {name: option for name, option in outs.items() if option is not None}
    commands = ["run", "recommend", "rollout", "compare", "crossover", "optimize-checkpoint", "schema"]
    assert {*commands, "export", "import"} <= set(outs)
    for name, option in outs.items():
        assert (option.help or "").startswith("output directory"), f"{name}: {option.help!r}"


def test_workers_always_counts_pool_processes() -> None:
    for name, command in COMMANDS.items():
        option = _option(command, "--workers")
        if option is not None:
            assert "worker processes" in (option.help or ""), name
    assert _option(COMMANDS["calibrate serve"], "--server-workers") is not None
    assert _option(COMMANDS["calibrate serve"], "--workers") is None


@pytest.mark.parametrize(
    "argv",
    [
        ("run", SCENARIOS / "quickstart.yaml"),
        ("recommend", SCENARIOS / "recommend-default.yaml"),
        ("rollout", SCENARIOS / "canary-rollback.yaml"),
        ("crossover", SCENARIOS / "serverless-vs-realtime.yaml"),
        ("compare", SCENARIOS / "quickstart.yaml", SCENARIOS / "quickstart.yaml"),
        ("optimize-checkpoint", SCENARIOS / "spot-training.yaml"),
        ("schema",),
        ("export", SCENARIOS / "autoscaling-diurnal.yaml"),
        ("import", *IMPORT_INPUTS),
    ],
    ids=lambda argv: str(argv[0]),
)
def test_out_naming_a_file_is_refused_before_any_work(cli: Cli, tmp_path: Path, argv: tuple) -> None:
    target = tmp_path / "results.csv"
    target.write_text("kept\n")
    code, stdout, stderr = cli(*argv, "--out", target)
    assert (code, stdout) == (2, "")
    assert stderr == f"error: --out: {target} exists and is not a directory\n"
    assert target.read_text() == "kept\n"


def test_schema_out_writes_a_file_inside_the_directory(cli: Cli, tmp_path: Path) -> None:
    code, stdout, stderr = cli("schema", "--out", tmp_path / "schema")
    assert (code, stderr) == (0, "")
    document = json.loads((tmp_path / "schema" / "scenario.schema.json").read_text())
    assert document["title"] == "Scenario"
    assert "scenario.schema.json" in stdout


def test_seed_option_is_checked_like_the_scenario_seed(cli: Cli) -> None:
    code, _, stderr = cli("check", SCENARIOS / "quickstart.yaml", "--set", "seed=-1")
    assert code == 2 and stderr.startswith("error: seed:")
    code, _, stderr = cli("run", SCENARIOS / "quickstart.yaml", "--seed", "-1")
    assert code == 2 and stderr.startswith("error: --seed:")


def test_seed_option_changes_the_draw(cli: Cli, tmp_path: Path) -> None:
    short = ("--set", "duration=3m", "--set", "warmup=0s", "--replications", "1", "--quiet")
    scenario = SCENARIOS / "quickstart.yaml"
    runs = {}
    for label, extra in (("default", ()), ("seed", ("--seed", "7")), ("again", ("--seed", "7"))):
        code, _, stderr = cli("run", scenario, *short, *extra, "--out", tmp_path / label)
        assert code == 0, stderr
        runs[label] = json.loads((tmp_path / label / "summary.json").read_text())
    assert runs["seed"]["requests"] == runs["again"]["requests"]
    assert runs["seed"]["requests"] != runs["default"]["requests"]


UNIT_SPELLINGS = re.compile(
    r"per_1000|per 1000|\$/h\b|\$/hour|\$/1M|\$ per|\$\{(?!\{)|\$[0-9]|usd_per_million\b|cost_per_million"
)


def test_one_cost_unit_vocabulary_in_the_package() -> None:
    """Money is USD, rates are 'USD/hour' and 'USD per 1M inferences' (keys usd_per_hour,
    per_million_inferences); AWS-shaped fields keep AWS's names (CostPerHour, CostPerInference).
    `${{...}}` in an f-string is CloudFormation's Fn::Sub, not money."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "simulator").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if UNIT_SPELLINGS.search(line)
    ]
    assert offenders == []


def _optimum(mean: float, objective: str = "time") -> CheckpointOptimum:
    return CheckpointOptimum(
        objective=objective,
        interval_s=3120.0,
        mean=mean,
        ci95_low=mean * 0.95,
        ci95_high=mean * 1.05,
        method="best refined point",
        replications=8,
        curve=(),
        mtbf_s=21600.0,
        checkpoint_cost_s=300.0,
        young_interval_s=3600.0,
        daly_interval_s=3402.0,
        daly_exact_interval_s=3402.0,
        young_breakdown="(breakdown)",
        comparisons={"Daly (2006)": {"mean": 1836.0, "ci95_low": -2265.0, "ci95_high": 5935.0}},
    )


def test_optimiser_report_reads_durations_one_interval_a_line() -> None:
    lines = _optimum(90180.0).report().splitlines()
    assert "expected completion time 25h03m" in lines[1] and "s [" not in lines[1]
    daly = next(line for line in lines if line.strip().startswith("Daly (2006)"))
    assert "every   56.7m" in daly and "+30.6m vs the simulated optimum" in daly
    assert "USD" in _optimum(41.5, "cost").report().splitlines()[1]


def test_duration_text_signs() -> None:
    assert (duration_text(90180.0), duration_text(-45.0), duration_text(750.0, signed=True)) == (
        "25h03m",
        "-45s",
        "+12.5m",
    )


def test_slo_rule_is_the_upper_end_of_the_interval() -> None:
    assert meets([100.0], 100.0)  # one replication: the value itself
    assert meets([100.0, 100.0, 100.0], 100.0)
    assert not meets([90.0, 110.0], 105.0)  # mean 100 meets, the interval's upper end does not
    assert not meets([None, 10.0], 100.0)
    assert interval_meets({"mean": 100.0, "ci95_low": 90.0, "ci95_high": 104.0}, 105.0)
    assert not interval_meets({"mean": 100.0, "ci95_low": 90.0, "ci95_high": 106.0}, 105.0)
    assert interval_meets({"mean": 100.0, "ci95_low": None, "ci95_high": None}, 100.0)


def test_crossover_and_recommend_apply_the_same_rule() -> None:
    from simulator.compare import _meets_slo

    summaries: Any = [SimpleNamespace(latency_ms=Latency(p99=p99), error_rate=0.0) for p99 in (900.0, 1090.0)]
    assert not _meets_slo(summaries, 1.0, 0.001)  # mean 995 ms meets 1 s; the interval's upper end does not
    assert _meets_slo(summaries[:1], 1.0, 0.001)


@pytest.mark.parametrize(
    "argv",
    [
        ("run", SCENARIOS / "quickstart.yaml"),
        ("rollout", SCENARIOS / "canary-rollback.yaml"),
        ("compare", SCENARIOS / "quickstart.yaml", SCENARIOS / "quickstart.yaml"),
        ("crossover", SCENARIOS / "serverless-vs-realtime.yaml"),
        ("optimize-checkpoint", SCENARIOS / "spot-training.yaml"),
        ("ab-test", SCENARIOS / "canary-rollback.yaml", "--check", "10"),
    ],
    ids=lambda argv: str(argv[0]),
)
def test_a_malformed_scheduler_is_one_line_on_every_command(cli: Cli, tmp_path: Path, argv: tuple) -> None:
    code, stdout, stderr = cli(*argv, "--executor", "dask", "--scheduler", "not a url")
    assert (code, stdout) == (2, "")
    assert (
        stderr == "error: --scheduler: a scheduler address looks like tcp://127.0.0.1:8786, not 'not a url'\n"
    )


@pytest.mark.slow
def test_an_unreachable_scheduler_is_one_line_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = cli(
        "run",
        SCENARIOS / "quickstart.yaml",
        "--out",
        out,
        "--executor",
        "dask",
        "--scheduler",
        "tcp://127.0.0.1:9",
    )
    assert code == 2 and stderr.startswith("error: --scheduler: cannot reach tcp://127.0.0.1:9"), stderr
    assert len(stderr.splitlines()) == 1 and not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (("--seed", "-1"), "error: --seed: Input should be greater than or equal to 0"),
        (("--executor", "bogus"), "error: --executor: 'bogus' is not one of 'local', 'serial', 'dask'."),
        (("--replications", "0"), "error: --replications: Input should be greater than or equal to 1"),
    ],
)
def test_a_bad_option_value_names_the_option_once(cli: Cli, argv: tuple[str, str], line: str) -> None:
    code, stdout, stderr = cli("run", SCENARIOS / "quickstart.yaml", *argv)
    assert (code, stdout, stderr) == (2, "", line + "\n")


@pytest.mark.parametrize(
    ("argv", "option", "number"),
    [
        (("crossover", SCENARIOS / "serverless-vs-realtime.yaml", "--slo-p99", "500"), "--slo-p99", "500"),
        (
            ("crossover", SCENARIOS / "serverless-vs-realtime.yaml", "--duration", "1800"),
            "--duration",
            "1800",
        ),
        (("ab-test", SCENARIOS / "ab-rollout.yaml", "--difference", "5"), "--difference", "5"),
        (("import", *IMPORT_INPUTS, "--recommend-slo", "P99=150"), "--recommend-slo", "150"),
    ],
    ids=["slo-p99", "duration", "difference", "recommend-slo"],
)
def test_a_duration_typed_without_a_unit_is_refused(
    cli: Cli, tmp_path: Path, argv: tuple, option: str, number: str
) -> None:
    """In a scenario a bare number is seconds; typed on a command line, `--slo-p99 500` is as likely
    to mean 500 ms, and read as seconds it answered a different question with exit 0."""
    out = tmp_path / "out"
    writes = argv[0] != "ab-test"  # ab-test prints its answer and writes nothing
    code, stdout, stderr = cli(*argv, *(("--out", out) if writes else ()))
    assert (code, stdout) == (2, "")
    assert stderr == f"error: {option}: '{number}' has no unit: write e.g. {number}ms or {number}s\n"
    assert not out.exists()


def test_an_ab_test_on_one_variant_says_it_needs_two(cli: Cli) -> None:
    code, _, stderr = cli("ab-test", SCENARIOS / "quickstart.yaml")
    assert code == 2
    assert (
        stderr
        == "error: --treatment: the endpoint has one variant (prod): an A/B test needs a second to compare\n"
    )
