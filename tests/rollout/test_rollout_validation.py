"""Bad rollout input and bad ab-test options: one line `error: <path>: <reason>`, exit 2, nothing written."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.rollout.conftest import ROLLOUT_BASE

R = "rollout"
ROUTING = "rollout.traffic_routing"
ALARM = "rollout.alarms[0]"


def edited(edits: list[tuple[str, Any]]) -> dict[str, Any]:
    """A copy of ROLLOUT_BASE with each (path, value) set, or deleted for _DROP."""
    document = copy.deepcopy(ROLLOUT_BASE)
    for where, value in edits:
        _set(document, where, value)
    return document


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    node: Any = document
    parts = path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    last = parts[-1]
    if value is _DROP:
        del node[int(last) if last.isdigit() else last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


_DROP = object()

CASES: list[tuple[str, list[tuple[str, Any]], str, str]] = [
    ("unknown-blue", [("rollout.blue", "purple")], "rollout.blue", "unknown variant 'purple'"),
    ("unknown-green", [("rollout.green", "teal")], "rollout.green", "unknown variant 'teal'"),
    ("same-variant", [("rollout.green", "blue")], "rollout.green", "different variant"),
    ("green-has-weight", [("endpoint.variants[1].weight", 1)], "rollout.green", "weight 0"),
    (
        "unknown-model-of-green",
        [("endpoint.variants[1].model", "v9")],
        "endpoint.variants[1].model",
        "unknown model",
    ),
    ("routing-type", [(f"{ROUTING}.type", "BLUE_GREEN")], f"{ROUTING}.type", "ALL_AT_ONCE"),
    ("canary-missing-size", [(f"{ROUTING}.canary_size", _DROP)], ROUTING, "CANARY needs canary_size"),
    (
        "canary-too-big",
        [(f"{ROUTING}.canary_size.value", 60)],
        f"{ROUTING}.canary_size.value",
        "0-50% of the green variant's 2 instances",
    ),
    ("canary-zero", [(f"{ROUTING}.canary_size.value", 0)], f"{ROUTING}.canary_size.value", "greater than 0"),
    (
        "canary-instances-too-many",
        [(f"{ROUTING}.canary_size", {"type": "INSTANCE_COUNT", "value": 2})],
        f"{ROUTING}.canary_size.value",
        "got 100%",
    ),
    (
        "canary-fractional-instances",
        [(f"{ROUTING}.canary_size", {"type": "INSTANCE_COUNT", "value": 0.5})],
        f"{ROUTING}.canary_size.value",
        "whole number",
    ),
    (
        "canary-size-type",
        [(f"{ROUTING}.canary_size.type", "PERCENT")],
        f"{ROUTING}.canary_size.type",
        "INSTANCE_COUNT",
    ),
    (
        "wait-negative",
        [(f"{ROUTING}.wait_interval", "-5s")],
        f"{ROUTING}.wait_interval",
        "greater than or equal to 0",
    ),
    (
        "wait-too-long",
        [(f"{ROUTING}.wait_interval", "2h")],
        f"{ROUTING}.wait_interval",
        "less than or equal to 3600",
    ),
    (
        "linear-step-too-small",
        [
            (
                ROUTING,
                {
                    "type": "LINEAR",
                    "wait_interval": 60,
                    "linear_step_size": {"type": "CAPACITY_PERCENT", "value": 5},
                },
            )
        ],
        f"{ROUTING}.linear_step_size.value",
        "10-50%",
    ),
    (
        "linear-step-over-100",
        [
            (
                ROUTING,
                {
                    "type": "LINEAR",
                    "wait_interval": 60,
                    "linear_step_size": {"type": "CAPACITY_PERCENT", "value": 150},
                },
            )
        ],
        f"{ROUTING}.linear_step_size.value",
        "10-50%",
    ),
    (
        "linear-with-canary-size",
        [
            (f"{ROUTING}.type", "LINEAR"),
            (f"{ROUTING}.linear_step_size", {"type": "CAPACITY_PERCENT", "value": 20}),
        ],
        ROUTING,
        "canary_size is only for CANARY",
    ),
    ("termination-wait-too-long", [("rollout.termination_wait", "2h")], "rollout.termination_wait", "3600"),
    (
        "timeout-too-short",
        [("rollout.maximum_execution_timeout", "5m")],
        "rollout.maximum_execution_timeout",
        "600",
    ),
    (
        "timeout-below-waits",
        [("rollout.maximum_execution_timeout", "15m"), (f"{ROUTING}.wait_interval", "10m")],
        "rollout.maximum_execution_timeout",
        "1200 s of baking",
    ),
    ("start-after-end", [("rollout.start", "1h")], "rollout.start", "before the end of the run"),
    ("alarm-unknown-metric", [(f"{ALARM}.metric", "CPUUtilization")], f"{ALARM}.metric", "ModelLatency"),
    ("alarm-percentile-100", [(f"{ALARM}.statistic", "p100")], f"{ALARM}.statistic", "percentile"),
    ("alarm-percentile-garbage", [(f"{ALARM}.statistic", "p99x")], f"{ALARM}.statistic", "percentile"),
    (
        "alarm-statistic-for-errors",
        [(f"{ALARM}.metric", "Invocation5XXErrors"), (f"{ALARM}.threshold", 3)],
        f"{ALARM}.statistic",
        "use Sum",
    ),
    ("alarm-threshold-not-duration", [(f"{ALARM}.threshold", "slow")], ALARM, "cannot read duration"),
    ("alarm-threshold-negative", [(f"{ALARM}.threshold", -1)], f"{ALARM}.threshold", ">= 0"),
    (
        "alarm-rate-over-100",
        [(ALARM, {"name": "e", "metric": "Invocation5XXErrorRate", "threshold": 150})],
        f"{ALARM}.threshold",
        "at most 100",
    ),
    (
        "alarm-datapoints",
        [(f"{ALARM}.datapoints_to_alarm", 4)],
        f"{ALARM}.datapoints_to_alarm",
        "evaluation_periods",
    ),
    ("alarm-comparison", [(f"{ALARM}.comparison", "Bigger")], f"{ALARM}.comparison", "GreaterThanThreshold"),
    ("alarm-period", [(f"{ALARM}.period", "1s")], f"{ALARM}.period", "greater than or equal to 10"),
    ("model-error-rate", [("models.v2.error_rate", 1.5)], "models.v2.error_rate", "less than 1"),
    (
        "closed-loop",
        [
            (
                "traffic.arrivals",
                {
                    "process": "closed_loop",
                    "traffic_type": "PHASES",
                    "phases": [{"initial_number_of_users": 2, "duration_in_seconds": 120}],
                },
            )
        ],
        "rollout",
        "open-loop",
    ),
    (
        "streaming",
        [("metrics", {"per_request_records": False})],
        "metrics.per_request_records",
        "per-request",
    ),
    (
        "update-touches-green",
        [("endpoint.updates", [{"at": "5m", "weights": {"green": 1}}])],
        "endpoint.updates[0]",
        "blue or green",
    ),
    ("unknown-key", [("rollout.canary", 10)], "rollout.canary", "unknown key"),
    (
        "linear-without-step",
        [(f"{ROUTING}.type", "LINEAR"), (f"{ROUTING}.canary_size", _DROP)],
        ROUTING,
        "LINEAR needs",
    ),
    (
        "step-size-without-linear",
        [(f"{ROUTING}.linear_step_size", {"type": "CAPACITY_PERCENT", "value": 10})],
        ROUTING,
        "linear_step_size is only for LINEAR",
    ),
    (
        "autoscaled-green",
        [("endpoint.variants[1].autoscaling", {"max_capacity": 4})],
        "rollout.green",
        "autoscaled variants are not supported",
    ),
]


# Every case is checked at the schema seam (tests/test_schema_rules.py); the first also end to end.
@pytest.mark.parametrize(
    ("edits", "path", "reason"), [c[1:] for c in CASES[:1]], ids=[c[0] for c in CASES[:1]]
)
@pytest.mark.parametrize("command", ["check", "rollout"])
def test_bad_rollout_is_one_line(
    command: str,
    edits: list[tuple[str, Any]],
    path: str,
    reason: str,
    tmp_path: Path,
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(edited(edits)))
    argv = [command, scenario] + (["--out", tmp_path / "out"] if command == "rollout" else [])
    code, stdout, stderr = cli(*argv)
    assert code == 2, stderr
    assert stdout == "" and stderr.count("\n") == 1, stderr
    assert stderr.startswith(f"error: {path}: "), stderr
    assert reason.lower() in stderr.lower(), stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"]


AB_CASES = [
    (["--weight", "0"], "--weight", "between 0 and 1"),
    (["--weight", "150%"], "--weight", "between 0 and 1"),
    (["--weight", "half"], "--weight", "fraction"),
    (["--metric", "p99"], "--metric", "'p99' is not one of 'latency', 'error-rate'"),
    (["--alpha", "0.7"], "--alpha", "between 0 and 0.5"),
    (["--power", "0.01"], "--power", "between 0.05 and 1"),
    (["--control", "purple"], "--control", "unknown variant 'purple'"),
    (["--treatment", "blue"], "--treatment", "must differ"),
    (["--difference", "0ms"], "--difference", "must not be 0"),
    (["--difference", "fast"], "--difference", "cannot read duration"),
    (["--metric", "error-rate", "--difference", "-1%"], "--difference", "outside [0, 1)"),
    (["--difference", "5ms", "--check", "5"], "--check", "no latency variance"),
]


@pytest.mark.parametrize(("args", "path", "reason"), AB_CASES, ids=[" ".join(c[0]) for c in AB_CASES])
def test_bad_ab_test_options_are_one_line(
    args: list[str], path: str, reason: str, tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(ROLLOUT_BASE))
    code, stdout, stderr = cli("ab-test", scenario, *args)
    assert code == 2, stderr
    assert stdout == "" and stderr.count("\n") == 1, stderr
    assert stderr.startswith(f"error: {path}: "), stderr
    assert reason.lower() in stderr.lower(), stderr


def test_rollout_needs_a_rollout_section(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    document = copy.deepcopy(ROLLOUT_BASE)
    del document["rollout"]
    document["endpoint"]["variants"][1]["weight"] = 1
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(document))
    code, _, stderr = cli("rollout", scenario, "--out", tmp_path / "out")
    assert (code, stderr) == (2, "error: rollout: the scenario has no rollout: section\n")


def test_an_undetectable_difference_says_so_instead_of_quintillions_of_seconds(
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    code, stdout, stderr = cli(
        "ab-test", ROOT / "scenarios" / "canary-rollback.yaml", "--weight", "10%", "--difference", "1e-9ms"
    )
    assert (code, stderr) == (0, "")
    assert "years: not detectable in practice at this weight and traffic" in stdout
