"""Bad input: every validation rule gives exit code 2 and one line `error: <yaml.path>: <reason>`.

Each case edits the small valid `base_scenario` (or replaces it with raw YAML text, or adds `--set`
overrides or other command-line arguments). Every rule about the scenario document is checked at the
schema seam, by the loader alone (tests/test_schema_rules.py). The end-to-end test here runs
`sagesim run SCENARIO --out DIR` in-process for the rules only the command line can see and for one
schema rule per section, and checks that the run stops before simulating: exit code 2, exactly one
error line on stderr naming the YAML path (or the option) at fault, nothing on stdout, no traceback or
warning, and nothing written to disk.
"""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

Edit = Callable[[Any], Any]
"""Changes the scenario document in place, or returns a replacement (a dict, or raw YAML text)."""

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for match in _TOKEN.finditer(path):
        name, index = match.groups()
        parts.append(int(index) if index is not None else name)
    return parts


def _parent(document: Any, path: str) -> tuple[Any, str | int]:
    *head, last = _parts(path)
    node = document
    for part in head:
        if isinstance(part, str) and part not in node:
            node[part] = {}
        node = node[part]
    return node, last


def put(path: str, value: Any) -> Edit:
    """Set `path` (e.g. 'endpoint.variants[0].name'; missing mappings are created) to a copy of `value`."""

    def edit(document: Any) -> None:
        node, last = _parent(document, path)
        node[last] = copy.deepcopy(value)

    return edit


def _two_steps(first_upper: float, second_lower: float) -> dict[str, Any]:
    """Autoscaling with one step policy of two steps: [0, first_upper) and [second_lower, inf)."""
    steps = [
        {"lower_bound": 0, "upper_bound": first_upper, "adjustment": 1},
        {"lower_bound": second_lower, "adjustment": 3},
    ]
    return {"max_capacity": 3, "step_scaling": [{"threshold": 1, "step_adjustments": steps}]}


def drop(path: str) -> Edit:
    """Delete the key or list item at `path`."""

    def edit(document: Any) -> None:
        node, last = _parent(document, path)
        del node[last]

    return edit


def text(raw: str) -> Edit:
    """Replace the whole scenario file by `raw` YAML text."""
    return lambda _document: raw


def many_variants(count: int) -> Edit:
    """Endpoint with `count` distinct valid variants."""

    def edit(document: Any) -> None:
        template = document["endpoint"]["variants"][0]
        document["endpoint"]["variants"] = [{**template, "name": f"v{i}"} for i in range(count)]

    return edit


def many_phases(count: int) -> Edit:
    phase = {"initial_number_of_users": 1, "duration_in_seconds": 120}
    return put("traffic.arrivals", {**CLOSED_PHASES, "phases": [phase] * count})


@dataclass(frozen=True)
class Case:
    path: str
    """Expected YAML path or option; `{tmp}` is the scenario's directory, `{scenario}` its file."""
    reason: str
    """A fragment the reason must contain (case-insensitive)."""
    edits: tuple[Edit, ...] = ()
    args: tuple[str, ...] = ()
    """Extra arguments after `run SCENARIO --out DIR`."""
    files: dict[str, str | bytes] = field(default_factory=dict)
    """Files written next to the scenario before the run."""
    argv: tuple[str, ...] | None = None
    """The whole command line instead of `run SCENARIO --out DIR ARGS` ({scenario}, {out}, {tmp})."""


def case(
    case_id: str,
    path: str,
    reason: str,
    *edits: Edit,
    args: tuple[str, ...] = (),
    files: dict[str, str | bytes] | None = None,
    argv: tuple[str, ...] | None = None,
) -> Any:
    return pytest.param(Case(path, reason, edits, args, files or {}, argv), id=case_id)


MODEL = "models.m1"
SERVICE = "models.m1.service_time"
VARIANT = "endpoint.variants[0]"
ARRIVALS = "traffic.arrivals"
SCHEDULE = {"process": "schedule", "steps": [{"at": 0, "rate": "10/s"}, {"at": "5m", "rate": "20/s"}]}
DIURNAL = {"process": "diurnal", "mean_rate": "10/s", "period": "5m"}
CLOSED_PHASES = {
    "process": "closed_loop",
    "traffic_type": "PHASES",
    "phases": [{"initial_number_of_users": 2, "spawn_rate": 1, "duration_in_seconds": 120}],
}
CLOSED_STAIRS = {
    "process": "closed_loop",
    "traffic_type": "STAIRS",
    "stairs": {"duration_in_seconds": 60, "number_of_steps": 3, "users_per_step": 2},
}
TRACE = {"process": "trace", "file": "trace.csv"}
TRACE_FILE = {"trace.csv": "t\n0.5\n1.0\n2.5\n"}
UPDATE = {"at": "2m", "weights": {"a": 2}}
EMPIRICAL_FILE = {"distribution": "empirical", "file": "samples.csv"}
PROFILE = {"service_time": {"distribution": "exponential", "mean": "40ms"}}


CASES = [
    # --- the file itself -------------------------------------------------------------------------------
    case(
        "file-missing",
        "{tmp}/missing.yaml",
        "cannot read file",
        argv=("run", "{tmp}/missing.yaml", "--out", "{out}"),
    ),
    case("file-is-directory", "{tmp}", "cannot read file", argv=("run", "{tmp}", "--out", "{out}")),
    case(
        "file-not-utf8",
        "{tmp}/latin1.yaml",
        "cannot read",
        files={"latin1.yaml": b"name: caf\xe9\n"},
        argv=("run", "{tmp}/latin1.yaml", "--out", "{out}"),
    ),
    case("yaml-unclosed-bracket", "{scenario}", "invalid YAML", text("name: [unclosed\n")),
    case("yaml-bad-indentation", "{scenario}", "invalid YAML", text("name: x\n  seed: 1\n bad: 2\n")),
    case("yaml-python-tag", "{scenario}", "invalid YAML", text("name: !!python/object/apply:os.getcwd []\n")),
    case("yaml-empty-file", "{scenario}", "is empty: a scenario must be a YAML mapping", text("")),
    case("yaml-only-comments", "{scenario}", "is empty", text("# nothing here\n")),
    case("yaml-top-level-list", "{scenario}", "holds a list", text("- name: x\n- seed: 1\n")),
    case("yaml-top-level-scalar", "{scenario}", "holds text", text("just some words\n")),
    # --- unknown and missing keys ----------------------------------------------------------------------
    case("unknown-key-top-level", "colour", "unknown key", put("colour", "red")),
    case("unknown-key-non-string", "1", "", lambda d: d.update({1: "x"})),
    case("unknown-key-with-newline", "bad key", "unknown key", lambda d: d.update({"bad\nkey": 1})),
    case("unknown-key-endpoint", "endpoint.colour", "unknown key", put("endpoint.colour", "red")),
    case("unknown-key-variant", f"{VARIANT}.instances", "unknown key", put(f"{VARIANT}.instances", 2)),
    case("unknown-key-model", f"{MODEL}.latency", "unknown key", put(f"{MODEL}.latency", "5ms")),
    case("unknown-key-distribution", f"{SERVICE}.median", "unknown key", put(f"{SERVICE}.median", "5ms")),
    case("unknown-key-traffic", "traffic.rate", "unknown key", put("traffic.rate", "5/s")),
    case(
        "unknown-key-close-to-an-allowed-one",
        f"{VARIANT}.autoscaling.min_capcity",
        "unknown key: did you mean min_capacity?",
        put(f"{VARIANT}.autoscaling", {"max_capacity": 3, "min_capcity": 1}),
    ),
    case(
        "unknown-key-in-a-tagged-union",
        f"{SERVICE}.p999",
        "unknown key: did you mean p99?",
        put(SERVICE, {"distribution": "lognormal", "median": "40ms", "p999": "120ms"}),
    ),
    case("unknown-key-arrivals", f"{ARRIVALS}.burst", "unknown key", put(f"{ARRIVALS}.burst", 2)),
    case("unknown-key-metrics", "metrics.interval", "unknown key", put("metrics.interval", "1m")),
    case(
        "unknown-key-phase",
        f"{ARRIVALS}.phases[0].users",
        "unknown key",
        put(ARRIVALS, CLOSED_PHASES),
        put(f"{ARRIVALS}.phases[0].users", 3),
    ),
    case(
        "unknown-key-stairs",
        f"{ARRIVALS}.stairs.ramp",
        "unknown key",
        put(ARRIVALS, CLOSED_STAIRS),
        put(f"{ARRIVALS}.stairs.ramp", 3),
    ),
    case(
        "unknown-key-update",
        "endpoint.updates[0].when",
        "unknown key",
        put("endpoint.updates", [{**UPDATE, "when": "1m"}]),
    ),
    case(
        "unknown-key-catalog-entry",
        "catalog.ml.c5.xlarge.discount",
        "",
        put("catalog", {"ml.c5.xlarge": {"discount": 0.1}}),
    ),
    case("missing-name", "name", "required key is missing", drop("name")),
    case("missing-endpoint-name", "endpoint.name", "required key is missing", drop("endpoint.name")),
    case("missing-variants", "endpoint.variants", "required key is missing", drop("endpoint.variants")),
    case("missing-variant-name", f"{VARIANT}.name", "required key is missing", drop(f"{VARIANT}.name")),
    case("missing-variant-model", f"{VARIANT}.model", "required key is missing", drop(f"{VARIANT}.model")),
    case(
        "missing-instance-type",
        f"{VARIANT}.instance_type",
        "required key is missing",
        drop(f"{VARIANT}.instance_type"),
    ),
    case("missing-arrivals", ARRIVALS, "required key is missing", drop(ARRIVALS)),
    case("missing-poisson-rate", f"{ARRIVALS}.rate", "required key is missing", drop(f"{ARRIVALS}.rate")),
    case("missing-exponential-mean", f"{SERVICE}.mean", "required key is missing", drop(f"{SERVICE}.mean")),
    case(
        "missing-phase-users",
        f"{ARRIVALS}.phases[0].initial_number_of_users",
        "required key is missing",
        put(ARRIVALS, CLOSED_PHASES),
        drop(f"{ARRIVALS}.phases[0].initial_number_of_users"),
    ),
    case(
        "missing-update-at",
        "endpoint.updates[0].at",
        "required key is missing",
        put("endpoint.updates", [{"weights": {"a": 2}}]),
    ),
    case(
        "missing-trace-file",
        f"{ARRIVALS}.file",
        "required key is missing",
        put(ARRIVALS, {"process": "trace"}),
    ),
    case("missing-traffic", "traffic", "needs traffic", drop("traffic")),
    case("missing-duration", "duration", "needs a duration", drop("duration")),
    case(
        "misspelled-duration",
        "duraton",
        "unknown key: did you mean duration?",
        lambda d: d.update({"duraton": d.pop("duration")}),
    ),
    case(
        "misspelled-traffic",
        "trafic",
        "unknown key: did you mean traffic?",
        lambda d: d.update({"trafic": d.pop("traffic")}),
    ),
    case(
        "misspelled-optional-key",
        "replicatons",
        "unknown key: did you mean replications?",
        lambda d: d.update({"replicatons": 3}),
    ),
    case("missing-endpoint-with-traffic", "endpoint", "needs an endpoint", drop("endpoint")),
    case(
        "missing-endpoint-and-traffic", "endpoint", "nothing to simulate", drop("endpoint"), drop("traffic")
    ),
    # --- discriminated unions --------------------------------------------------------------------------
    case("distribution-unknown", SERVICE, "weibull", put(f"{SERVICE}.distribution", "weibull")),
    case(
        "distribution-missing",
        SERVICE,
        "the key distribution is missing: it says which kind this is",
        drop(f"{SERVICE}.distribution"),
    ),
    case("distribution-not-mapping", SERVICE, "a distribution is a mapping, e.g.", put(SERVICE, "50ms")),
    case(
        "distribution-colon-without-space",
        SERVICE,
        "put a space after each colon",
        put(SERVICE, {"distribution:deterministic": None, "value:25ms": None}),  # YAML's reading of it
    ),
    case(
        "arrival-process-unknown",
        ARRIVALS,
        "unknown process 'bogus': one of poisson, schedule, diurnal, closed_loop, trace",
        put(f"{ARRIVALS}.process", "bogus"),
    ),
    case(
        "arrival-process-missing",
        ARRIVALS,
        "the key process is missing: it says which kind this is",
        drop(f"{ARRIVALS}.process"),
    ),
    # --- unit parsing ----------------------------------------------------------------------------------
    case("duration-unreadable", "duration", "cannot read duration", put("duration", "ten minutes")),
    case("duration-unknown-unit", "duration", "unknown time unit", put("duration", "10 fortnights")),
    case("duration-boolean", "duration", "boolean", put("duration", True)),
    case("duration-infinite", "duration", "finite", put("duration", float("inf"))),
    case("duration-nan", "duration", "finite", put("duration", float("nan"))),
    case("duration-overflow", "duration", "finite", put("duration", "1e400s")),
    case("duration-list", "duration", "got list", put("duration", [1, 2])),
    case("duration-zero", "duration", "greater than 0", put("duration", 0)),
    case("duration-over-400-days", "duration", "less than or equal", put("duration", "401d")),
    case("rate-unreadable", f"{ARRIVALS}.rate", "cannot read rate", put(f"{ARRIVALS}.rate", "fast")),
    case(
        "rate-unknown-unit", f"{ARRIVALS}.rate", "unknown time unit", put(f"{ARRIVALS}.rate", "20/fortnight")
    ),
    case("rate-zero-period", f"{ARRIVALS}.rate", "period must be positive", put(f"{ARRIVALS}.rate", "5/0s")),
    case("rate-boolean", f"{ARRIVALS}.rate", "boolean", put(f"{ARRIVALS}.rate", True)),
    case("rate-zero", f"{ARRIVALS}.rate", "greater than 0", put(f"{ARRIVALS}.rate", "0/s")),
    case(
        "rate-out-of-range",
        f"{ARRIVALS}.rate",
        "rate 1e+308/s is out of range: at most 1e+15/s",
        put(f"{ARRIVALS}.rate", "1e308/s"),
    ),
    case(
        "duration-out-of-range",
        "endpoint.overhead.value",
        "duration 1e+308 s is out of range: at most 1e+15 s",
        put("endpoint.overhead", {"distribution": "deterministic", "value": 1e308}),
    ),
    case(
        "size-out-of-range",
        "traffic.payload_size",
        "size 1e+22 bytes is out of range: at most 1e+21 bytes",
        put("traffic.payload_size", "1e13GB"),
    ),
    case("size-unreadable", "traffic.payload_size", "cannot read size", put("traffic.payload_size", "big")),
    case(
        "size-unknown-unit",
        "traffic.payload_size",
        "unknown size unit",
        put("traffic.payload_size", "4 furlongs"),
    ),
    case("size-boolean", f"{MODEL}.memory", "boolean", put(f"{MODEL}.memory", False)),
    case("size-infinite", f"{MODEL}.memory", "finite", put(f"{MODEL}.memory", float("inf"))),
    # --- top-level fields ------------------------------------------------------------------------------
    case("name-empty", "name", "at least 1 character", put("name", "")),
    case("name-too-long", "name", "at most 200 characters", put("name", "x" * 201)),
    case("name-not-string", "name", "valid string", put("name", 123)),
    case("seed-negative", "seed", "greater than or equal to 0", put("seed", -1)),
    case("seed-too-large", "seed", "less than or equal", put("seed", 2**63)),
    case("seed-fractional", "seed", "valid integer", put("seed", 1.5)),
    case("warmup-negative", "warmup", "greater than or equal to 0", put("warmup", "-1m")),
    case("warmup-not-shorter-than-duration", "warmup", "shorter than duration", put("warmup", "10m")),
    case("replications-zero", "replications", "greater than or equal to 1", put("replications", 0)),
    case("replications-too-many", "replications", "less than or equal", put("replications", 100001)),
    case(
        "metrics-period-too-short",
        "metrics.period",
        "greater than or equal to 1",
        put("metrics.period", "500ms"),
    ),
    case("metrics-period-too-long", "metrics.period", "less than or equal", put("metrics.period", "2h")),
    case("models-not-mapping", "models", "valid dictionary", put("models", ["m1"])),
    # --- catalog overrides -----------------------------------------------------------------------------
    case(
        "catalog-type-name-pattern",
        "catalog",
        "not an instance or accelerator type name",
        put("catalog", {"c5.big": {"price_per_hour": 1}}),
    ),
    case(
        "catalog-negative-price",
        "catalog.ml.c5.xlarge.price_per_hour",
        "greater than or equal to 0",
        put("catalog", {"ml.c5.xlarge": {"price_per_hour": -1}}),
    ),
    case(
        "catalog-accelerator-negative-price",
        "catalog.ml.eia2.medium.price_per_hour",
        "greater than",
        put("catalog", {"ml.eia2.medium": {"price_per_hour": -1}}),
    ),
    case(
        "catalog-new-type-incomplete",
        "catalog.ml.new.large.memory_gib",
        "required",
        put("catalog", {"ml.new.large": {"vcpus": 2}}),
    ),
    case(
        "catalog-entry-not-mapping",
        "catalog.ml.c5.xlarge",
        "valid dictionary",
        put("catalog", {"ml.c5.xlarge": "cheap"}),
    ),
    case(
        "catalog-gpu-count-zero",
        "catalog.ml.c5.xlarge.gpu.count",
        "greater than or equal to 1",
        put("catalog", {"ml.c5.xlarge": {"gpu": {"type": "K80", "count": 0}}}),
    ),
    case(
        "catalog-gpu-type-unknown",
        "catalog.ml.c5.xlarge.gpu.type",
        "B200",
        put("catalog", {"ml.c5.xlarge": {"gpu": {"type": "B200", "count": 1}}}),
        put(f"{MODEL}.gpu_service_time", {"distribution": "deterministic", "value": "10ms"}),
    ),
    case("region-unknown", "region", "unknown region 'mars'", put("region", "mars")),
    case("region-not-a-string", "region", "string", put("region", 1)),
    # --- models ----------------------------------------------------------------------------------------
    case("model-without-service-time", MODEL, "give service_time", drop(f"{MODEL}.service_time")),
    case("model-memory-zero", f"{MODEL}.memory", "greater than 0", put(f"{MODEL}.memory", 0)),
    case("model-memory-exceeds-instance", f"{MODEL}.memory", "GiB", put(f"{MODEL}.memory", "100GiB")),
    case(
        "model-per-instance-type-unknown",
        f"{MODEL}.per_instance_type.ml.z9.huge",
        "unknown instance type",
        put(f"{MODEL}.per_instance_type", {"ml.z9.huge": {"distribution": "exponential", "mean": "5ms"}}),
    ),
    case(
        "model-gpu-only-on-cpu-instance",
        f"{VARIANT}.instance_type",
        "no service time",
        drop(f"{MODEL}.service_time"),
        put(f"{MODEL}.gpu_service_time", {"distribution": "deterministic", "value": "10ms"}),
    ),
    case(
        "model-overhead-negative",
        f"{MODEL}.overhead.value",
        "greater than or equal to 0",
        put(f"{MODEL}.overhead", {"distribution": "deterministic", "value": "-1ms"}),
    ),
    case(
        "profile-missing",
        MODEL,
        "cannot read profile",
        put(f"{MODEL}.profile", "nowhere.yaml"),
    ),
    case(
        "profile-and-service-time",
        MODEL,
        "not both",
        put(f"{MODEL}.profile", "profile.yaml"),
        files={"profile.yaml": "service_time: {distribution: deterministic, value: 10ms}\n"},
    ),
    case(
        "profile-invalid-yaml",
        MODEL,
        "cannot read profile",
        put(f"{MODEL}.profile", "profile.yaml"),
        files={"profile.yaml": "service_time: [unclosed\n"},
    ),
    case(
        "profile-without-service-time",
        MODEL,
        "has no service_time",
        put(f"{MODEL}.profile", "profile.yaml"),
        files={"profile.yaml": "overhead: {distribution: deterministic, value: 1ms}\n"},
    ),
    case(
        "profile-bad-service-time",
        MODEL,
        "profile.yaml': service_time.mean: Input should be greater than 0",
        drop(SERVICE),
        put(f"{MODEL}.profile", "profile.yaml"),
        files={"profile.yaml": "service_time: {distribution: exponential, mean: 0}\n"},
    ),
    case(
        "profile-service-time-missing-key",
        MODEL,
        "profile.yaml': service_time.cv: required key is missing",
        drop(SERVICE),
        put(f"{MODEL}.profile", "profile.yaml"),
        files={"profile.yaml": "service_time: {distribution: gamma, mean: 0.01}\n"},
    ),
    case(
        "profile-overhead-not-a-distribution",
        MODEL,
        "profile.yaml': overhead: a distribution is a mapping",
        drop(SERVICE),
        put(f"{MODEL}.profile", "profile.yaml"),
        files={"profile.yaml": "service_time: {distribution: exponential, mean: 0.01}\noverhead: fast\n"},
    ),
    case(
        "wakeup-slice-negative",
        f"{MODEL}.wakeup_slice",
        "greater than or equal to 0",
        put(f"{MODEL}.wakeup_slice", "-1ms"),
    ),
    case(
        "wakeup-slice-over-a-second",
        f"{MODEL}.wakeup_slice",
        "less than or equal to 1",
        put(f"{MODEL}.wakeup_slice", "2s"),
    ),
    case(
        "profile-and-wakeup-slice",
        MODEL,
        "give wakeup_slice or a profile that has one, not both",
        drop(SERVICE),
        put(f"{MODEL}.wakeup_slice", "2ms"),
        put(f"{MODEL}.profile", "profile.yaml"),
        files={
            "profile.yaml": "service_time: {distribution: deterministic, value: 10ms}\nwakeup_slice: 0.003\n"
        },
    ),
    case(
        "profile-bad-wakeup-slice",
        MODEL,
        "wakeup_slice must be seconds in [0, 1], not -0.003",
        drop(SERVICE),
        put(f"{MODEL}.profile", "profile.yaml"),
        files={
            "profile.yaml": "service_time: {distribution: deterministic, value: 10ms}\nwakeup_slice: -0.003\n"
        },
    ),
    case(
        "profile-negative-workers",
        MODEL,
        "workers must be a whole number of at least 1, not -3",
        drop(SERVICE),
        put(f"{MODEL}.profile", "profile.yaml"),
        files={"profile.yaml": "service_time: {distribution: deterministic, value: 10ms}\nworkers: -3\n"},
    ),
    case(
        "profile-fractional-vcpus",
        MODEL,
        "vcpus must be a whole number of at least 1, not 1.5",
        drop(SERVICE),
        put(f"{MODEL}.profile", "profile.yaml"),
        files={"profile.yaml": "service_time: {distribution: deterministic, value: 10ms}\nvcpus: 1.5\n"},
    ),
    case(
        "profile-unknown-key",
        MODEL,
        "profile.yaml': unknown key 'wakup_slice' (a profile has service_time, overhead, wakeup_slice,",
        drop(SERVICE),
        put(f"{MODEL}.profile", "profile.yaml"),
        files={
            "profile.yaml": "service_time: {distribution: deterministic, value: 10ms}\nwakup_slice: 0.003\n"
        },
    ),
    case(
        "profile-not-a-mapping",
        MODEL,
        "profile.yaml' must be a mapping (service_time,",
        drop(SERVICE),
        put(f"{MODEL}.profile", "profile.yaml"),
        files={"profile.yaml": "- service_time: {distribution: deterministic, value: 10ms}\n"},
    ),
    # --- distributions ---------------------------------------------------------------------------------
    case("exponential-mean-zero", f"{SERVICE}.mean", "greater than 0", put(f"{SERVICE}.mean", "0ms")),
    case(
        "service-time-takes-no-time",
        SERVICE,
        "a service time must take some time: its mean is 0",
        put(SERVICE, {"distribution": "deterministic", "value": "0s"}),
    ),
    case("exponential-mean-negative", f"{SERVICE}.mean", "greater than 0", put(f"{SERVICE}.mean", "-50ms")),
    case(
        "deterministic-negative",
        f"{SERVICE}.value",
        "greater than or equal to 0",
        put(SERVICE, {"distribution": "deterministic", "value": -0.1}),
    ),
    case(
        "gamma-cv-zero",
        f"{SERVICE}.cv",
        "greater than 0",
        put(SERVICE, {"distribution": "gamma", "mean": "50ms", "cv": 0}),
    ),
    case(
        "gamma-cv-too-large",
        f"{SERVICE}.cv",
        "less than or equal to 10",
        put(SERVICE, {"distribution": "gamma", "mean": "50ms", "cv": 11}),
    ),
    case(
        "gamma-cv-missing",
        f"{SERVICE}.cv",
        "required key is missing",
        put(SERVICE, {"distribution": "gamma", "mean": "50ms"}),
    ),
    case(
        "lognormal-no-parameters",
        SERVICE,
        "give either median and p99",
        put(SERVICE, {"distribution": "lognormal"}),
    ),
    case(
        "lognormal-both-parameterisations",
        SERVICE,
        "give either median and p99",
        put(SERVICE, {"distribution": "lognormal", "median": "4ms", "p99": "9ms", "mean": "5ms", "cv": 1}),
    ),
    case(
        "lognormal-median-only",
        SERVICE,
        "give both median and p99",
        put(SERVICE, {"distribution": "lognormal", "median": "40ms"}),
    ),
    case(
        "lognormal-p99-not-above-median",
        SERVICE,
        "p99 must be greater than median",
        put(SERVICE, {"distribution": "lognormal", "median": "40ms", "p99": "40ms"}),
    ),
    case(
        "lognormal-wider-than-cv-10",
        SERVICE,
        "p99 is over 148 x the median",
        put(SERVICE, {"distribution": "lognormal", "median": "1ms", "p99": "1e12"}),
    ),
    case(
        "lognormal-mean-only",
        SERVICE,
        "give both mean and cv",
        put(SERVICE, {"distribution": "lognormal", "mean": "40ms"}),
    ),
    case(
        "lognormal-cv-too-large",
        f"{SERVICE}.cv",
        "less than or equal to 10",
        put(SERVICE, {"distribution": "lognormal", "mean": "40ms", "cv": 20}),
    ),
    case(
        "lognormal-median-zero",
        f"{SERVICE}.median",
        "greater than 0",
        put(SERVICE, {"distribution": "lognormal", "median": 0, "p99": "90ms"}),
    ),
    case("empirical-nothing", SERVICE, "give samples or file", put(SERVICE, {"distribution": "empirical"})),
    case(
        "empirical-no-samples",
        f"{SERVICE}.samples",
        "at least one sample",
        put(SERVICE, {"distribution": "empirical", "samples": []}),
    ),
    case(
        "empirical-negative-sample",
        f"{SERVICE}.samples",
        ">= 0",
        put(SERVICE, {"distribution": "empirical", "samples": ["10ms", -0.5]}),
    ),
    case(
        "empirical-all-zero",
        f"{SERVICE}.samples",
        "must be > 0",
        put(SERVICE, {"distribution": "empirical", "samples": [0, 0]}),
    ),
    case(
        "empirical-unreadable-sample",
        f"{SERVICE}.samples[1]",
        "cannot read duration",
        put(SERVICE, {"distribution": "empirical", "samples": ["10ms", "soon"]}),
    ),
    case(
        "empirical-file-missing", f"{SERVICE}.file", "cannot read samples file", put(SERVICE, EMPIRICAL_FILE)
    ),
    case(
        "empirical-file-two-columns",
        f"{SERVICE}.file",
        "one column",
        put(SERVICE, EMPIRICAL_FILE),
        files={"samples.csv": "0.1,0.2\n0.3,0.4\n"},
    ),
    case(
        "empirical-file-text",
        f"{SERVICE}.file",
        "cannot read samples file",
        put(SERVICE, EMPIRICAL_FILE),
        files={"samples.csv": "0.1\nfast\n"},
    ),
    case(
        "empirical-file-empty",
        SERVICE,
        "at least one sample",
        put(SERVICE, EMPIRICAL_FILE),
        files={"samples.csv": ""},
    ),
    case(
        "empirical-file-negative",
        SERVICE,
        ">= 0",
        put(SERVICE, EMPIRICAL_FILE),
        files={"samples.csv": "0.1\n-2\n"},
    ),
    # --- endpoint --------------------------------------------------------------------------------------
    case("endpoint-name-pattern", "endpoint.name", "pattern", put("endpoint.name", "my_endpoint")),
    case("endpoint-name-leading-hyphen", "endpoint.name", "pattern", put("endpoint.name", "-ep")),
    case("endpoint-name-too-long", "endpoint.name", "at most 63", put("endpoint.name", "e" * 64)),
    case(
        "endpoint-routing-unknown",
        "endpoint.routing",
        "LEAST_OUTSTANDING_REQUESTS",
        put("endpoint.routing", "round_robin"),
    ),
    case(
        "endpoint-overhead-bad",
        "endpoint.overhead.mean",
        "greater than 0",
        put("endpoint.overhead", {"distribution": "exponential", "mean": 0}),
    ),
    case(
        "endpoint-bandwidth-zero",
        "endpoint.network_bandwidth",
        "greater than 0",
        put("endpoint.network_bandwidth", "0MB"),
    ),
    case(
        "endpoint-timeout-zero",
        "endpoint.invocation_timeout",
        "greater than 0",
        put("endpoint.invocation_timeout", 0),
    ),
    case(
        "endpoint-timeout-too-long",
        "endpoint.invocation_timeout",
        "less than or equal to 3600",
        put("endpoint.invocation_timeout", "2h"),
    ),
    case("variants-none", "endpoint.variants", "at least 1 item", put("endpoint.variants", [])),
    case("variants-eleven", "endpoint.variants", "at most 10 items", many_variants(11)),
    case("variants-not-list", "endpoint.variants", "valid list", put("endpoint.variants", "a")),
    case("variant-name-pattern", f"{VARIANT}.name", "pattern", put(f"{VARIANT}.name", "blue green")),
    case("variant-name-too-long", f"{VARIANT}.name", "at most 63", put(f"{VARIANT}.name", "v" * 64)),
    case(
        "variant-name-duplicate",
        "endpoint.variants[1].name",
        "duplicate variant name",
        put("endpoint.variants[1].name", "a"),
    ),
    case("variant-model-unknown", f"{VARIANT}.model", "unknown model", put(f"{VARIANT}.model", "m2")),
    case(
        "variant-instance-type-unknown",
        f"{VARIANT}.instance_type",
        "unknown instance type",
        put(f"{VARIANT}.instance_type", "ml.c5.humongous"),
    ),
    case(
        "variant-instance-type-misspelt",
        f"{VARIANT}.instance_type",
        "unknown instance type 'ml.c5.xlarg': did you mean ml.c5.xlarge?",
        put(f"{VARIANT}.instance_type", "ml.c5.xlarg"),
    ),
    case(
        "variant-instance-type-accelerator",
        f"{VARIANT}.instance_type",
        "unknown instance type",
        put(f"{VARIANT}.instance_type", "ml.eia2.medium"),
    ),
    case(
        "variant-instance-count-zero",
        f"{VARIANT}.instance_count",
        "greater than or equal to 1",
        put(f"{VARIANT}.instance_count", 0),
    ),
    case(
        "variant-instance-count-too-large",
        f"{VARIANT}.instance_count",
        "less than or equal to 1000",
        put(f"{VARIANT}.instance_count", 1001),
    ),
    case(
        "variant-instance-count-fractional",
        f"{VARIANT}.instance_count",
        "valid integer",
        put(f"{VARIANT}.instance_count", 1.5),
    ),
    case(
        "variant-workers-zero",
        f"{VARIANT}.workers",
        "greater than or equal to 1",
        put(f"{VARIANT}.workers", 0),
    ),
    case(
        "variant-workers-too-many",
        f"{VARIANT}.workers",
        "less than or equal to 1024",
        put(f"{VARIANT}.workers", 1025),
    ),
    case(
        "variant-weight-negative",
        f"{VARIANT}.weight",
        "greater than or equal to 0",
        put(f"{VARIANT}.weight", -1),
    ),
    case("variant-weight-infinite", f"{VARIANT}.weight", "finite", put(f"{VARIANT}.weight", float("inf"))),
    case(
        "variant-weights-all-zero",
        "endpoint.variants",
        "add up to 0",
        put(f"{VARIANT}.weight", 0),
        put("endpoint.variants[1].weight", 0),
    ),
    case(
        "variant-max-queue-negative",
        f"{VARIANT}.max_queue",
        "greater than or equal to 0",
        put(f"{VARIANT}.max_queue", -1),
    ),
    case("variant-routing-unknown", f"{VARIANT}.routing", "RANDOM", put(f"{VARIANT}.routing", "sticky")),
    case(
        "variant-instance-speeds-empty",
        f"{VARIANT}.instance_speeds",
        "at least 1 item",
        put(f"{VARIANT}.instance_speeds", []),
    ),
    case(
        "variant-instance-speed-zero",
        f"{VARIANT}.instance_speeds[1]",
        "greater than 0",
        put(f"{VARIANT}.instance_speeds", [1, 0]),
    ),
    case(
        "variant-instance-speed-too-fast",
        f"{VARIANT}.instance_speeds[0]",
        "less than or equal to 100",
        put(f"{VARIANT}.instance_speeds", [101]),
    ),
    case(
        "variant-instance-speed-nan",
        f"{VARIANT}.instance_speeds[0]",
        "finite",
        put(f"{VARIANT}.instance_speeds", [float("nan")]),
    ),
    case(
        "variant-startup-time-bad",
        f"{VARIANT}.startup_time.value",
        "greater than or equal to 0",
        put(f"{VARIANT}.startup_time", {"distribution": "deterministic", "value": "-5s"}),
    ),
    case(
        "update-at-negative",
        "endpoint.updates[0].at",
        "greater than or equal to 0",
        put("endpoint.updates", [{**UPDATE, "at": -1}]),
    ),
    case(
        "update-after-end",
        "endpoint.updates[0].at",
        "not before the end",
        put("endpoint.updates", [{**UPDATE, "at": "10m"}]),
    ),
    case(
        "update-out-of-order",
        "endpoint.updates[1].at",
        "time order",
        put("endpoint.updates", [{**UPDATE, "at": "5m"}, {**UPDATE, "at": "3m"}]),
    ),
    case(
        "update-unknown-weight-variant",
        "endpoint.updates[0].weights.c",
        "unknown variant",
        put("endpoint.updates", [{"at": "2m", "weights": {"c": 1}}]),
    ),
    case(
        "update-unknown-count-variant",
        "endpoint.updates[0].instance_counts.c",
        "unknown variant",
        put("endpoint.updates", [{"at": "2m", "instance_counts": {"c": 2}}]),
    ),
    case(
        "update-changes-nothing",
        "endpoint.updates[0]",
        "changes nothing",
        put("endpoint.updates", [{"at": "2m"}]),
    ),
    case(
        "update-weight-negative",
        "endpoint.updates[0].weights.a",
        "greater than or equal to 0",
        put("endpoint.updates", [{"at": "2m", "weights": {"a": -1}}]),
    ),
    case(
        "update-count-zero",
        "endpoint.updates[0].instance_counts.a",
        "greater than or equal to 1",
        put("endpoint.updates", [{"at": "2m", "instance_counts": {"a": 0}}]),
    ),
    # --- traffic ---------------------------------------------------------------------------------------
    case(
        "payload-size-negative",
        "traffic.payload_size",
        "greater than or equal to 0",
        put("traffic.payload_size", -1),
    ),
    case(
        "payload-size-over-6mb",
        "traffic.payload_size",
        "less than or equal",
        put("traffic.payload_size", "7MiB"),
    ),
    case(
        "payload-cv-negative",
        "traffic.payload_cv",
        "greater than or equal to 0",
        put("traffic.payload_cv", -0.1),
    ),
    case(
        "payload-cv-too-large",
        "traffic.payload_cv",
        "less than or equal to 10",
        put("traffic.payload_cv", 11),
    ),
    case(
        "target-share-zero",
        "traffic.target_variants[0].share",
        "greater than 0",
        put("traffic.target_variants", [{"variant": "a", "share": 0}]),
    ),
    case(
        "target-share-over-one",
        "traffic.target_variants[0].share",
        "less than or equal to 1",
        put("traffic.target_variants", [{"variant": "a", "share": 1.5}]),
    ),
    case(
        "target-shares-sum-over-one",
        "traffic.target_variants",
        "more than 1",
        put("traffic.target_variants", [{"variant": "a", "share": 0.6}, {"variant": "b", "share": 0.6}]),
    ),
    case(
        "target-variant-unknown",
        "traffic.target_variants[0].variant",
        "unknown variant",
        put("traffic.target_variants", [{"variant": "c", "share": 0.5}]),
    ),
    case(
        "target-variant-missing",
        "traffic.target_variants[0].variant",
        "required key is missing",
        put("traffic.target_variants", [{"share": 0.5}]),
    ),
    case(
        "schedule-no-steps", f"{ARRIVALS}.steps", "at least 1 item", put(ARRIVALS, {**SCHEDULE, "steps": []})
    ),
    case(
        "schedule-first-step-late",
        f"{ARRIVALS}.steps",
        "first step must start at 0",
        put(ARRIVALS, SCHEDULE),
        put(f"{ARRIVALS}.steps[0].at", "1m"),
    ),
    case(
        "schedule-not-increasing",
        f"{ARRIVALS}.steps",
        "strictly increasing",
        put(ARRIVALS, SCHEDULE),
        put(f"{ARRIVALS}.steps[1].at", 0),
    ),
    case(
        "schedule-all-rates-zero",
        f"{ARRIVALS}.steps",
        "positive rate",
        put(ARRIVALS, SCHEDULE),
        put(f"{ARRIVALS}.steps[0].rate", 0),
        put(f"{ARRIVALS}.steps[1].rate", 0),
    ),
    case(
        "schedule-negative-rate",
        f"{ARRIVALS}.steps[1].rate",
        "greater than or equal to 0",
        put(ARRIVALS, SCHEDULE),
        put(f"{ARRIVALS}.steps[1].rate", "-5/s"),
    ),
    case(
        "schedule-step-after-end",
        f"{ARRIVALS}.steps[1].at",
        "not before the end",
        put(ARRIVALS, SCHEDULE),
        put(f"{ARRIVALS}.steps[1].at", "1h"),
    ),
    case(
        "diurnal-mean-rate-zero",
        f"{ARRIVALS}.mean_rate",
        "greater than 0",
        put(ARRIVALS, {**DIURNAL, "mean_rate": 0}),
    ),
    case(
        "diurnal-amplitude-above-one",
        f"{ARRIVALS}.amplitude",
        "less than or equal to 1",
        put(ARRIVALS, {**DIURNAL, "amplitude": 1.5}),
    ),
    case(
        "diurnal-amplitude-negative",
        f"{ARRIVALS}.amplitude",
        "greater than or equal to 0",
        put(ARRIVALS, {**DIURNAL, "amplitude": -0.1}),
    ),
    case(
        "diurnal-period-zero", f"{ARRIVALS}.period", "greater than 0", put(ARRIVALS, {**DIURNAL, "period": 0})
    ),
    case(
        "diurnal-peak-negative",
        f"{ARRIVALS}.peak_at",
        "greater than or equal to 0",
        put(ARRIVALS, {**DIURNAL, "peak_at": "-1h"}),
    ),
    case("closed-loop-nothing", ARRIVALS, "give users", put(ARRIVALS, {"process": "closed_loop"})),
    case(
        "closed-loop-users-zero",
        f"{ARRIVALS}.users",
        "greater than or equal to 1",
        put(ARRIVALS, {"process": "closed_loop", "users": 0}),
    ),
    case(
        "closed-loop-users-too-many",
        f"{ARRIVALS}.users",
        "less than or equal to 10000",
        put(ARRIVALS, {"process": "closed_loop", "users": 10001}),
    ),
    case("closed-loop-users-and-pattern", ARRIVALS, "not both", put(ARRIVALS, {**CLOSED_PHASES, "users": 3})),
    case(
        "closed-loop-type-unknown",
        f"{ARRIVALS}.traffic_type",
        "PHASES",
        put(ARRIVALS, {**CLOSED_PHASES, "traffic_type": "ramp"}),
    ),
    case(
        "closed-loop-phases-without-phases",
        ARRIVALS,
        "needs phases",
        put(ARRIVALS, {"process": "closed_loop", "traffic_type": "phases"}),
    ),
    case(
        "closed-loop-stairs-without-stairs",
        ARRIVALS,
        "needs stairs",
        put(ARRIVALS, {**CLOSED_PHASES, "traffic_type": "STAIRS"}),
    ),
    case("closed-loop-zero-phases", f"{ARRIVALS}.phases", "at least 1 item", many_phases(0)),
    case("closed-loop-101-phases", f"{ARRIVALS}.phases", "at most 100 items", many_phases(101)),
    case(
        "phase-users-zero",
        f"{ARRIVALS}.phases[0].initial_number_of_users",
        "greater than or equal to 1",
        put(ARRIVALS, CLOSED_PHASES),
        put(f"{ARRIVALS}.phases[0].initial_number_of_users", 0),
    ),
    case(
        "phase-spawn-rate-negative",
        f"{ARRIVALS}.phases[0].spawn_rate",
        "greater than or equal to 0",
        put(ARRIVALS, CLOSED_PHASES),
        put(f"{ARRIVALS}.phases[0].spawn_rate", -1),
    ),
    case(
        "phase-too-short",
        f"{ARRIVALS}.phases[0].duration_in_seconds",
        "greater than or equal to 120",
        put(ARRIVALS, CLOSED_PHASES),
        put(f"{ARRIVALS}.phases[0].duration_in_seconds", 60),
    ),
    case(
        "phase-too-long",
        f"{ARRIVALS}.phases[0].duration_in_seconds",
        "less than or equal to 3600",
        put(ARRIVALS, CLOSED_PHASES),
        put(f"{ARRIVALS}.phases[0].duration_in_seconds", "2h"),
    ),
    case(
        "stairs-steps-zero",
        f"{ARRIVALS}.stairs.number_of_steps",
        "greater than or equal to 1",
        put(ARRIVALS, CLOSED_STAIRS),
        put(f"{ARRIVALS}.stairs.number_of_steps", 0),
    ),
    case(
        "stairs-step-too-short",
        f"{ARRIVALS}.stairs.duration_in_seconds",
        "greater than or equal to 1",
        put(ARRIVALS, CLOSED_STAIRS),
        put(f"{ARRIVALS}.stairs.duration_in_seconds", "500ms"),
    ),
    case(
        "stairs-users-per-step-zero",
        f"{ARRIVALS}.stairs.users_per_step",
        "greater than or equal to 1",
        put(ARRIVALS, CLOSED_STAIRS),
        put(f"{ARRIVALS}.stairs.users_per_step", 0),
    ),
    case(
        "closed-loop-think-time-bad",
        f"{ARRIVALS}.think_time.mean",
        "greater than 0",
        put(
            ARRIVALS,
            {"process": "closed_loop", "users": 2, "think_time": {"distribution": "exponential", "mean": -1}},
        ),
    ),
    case("trace-file-missing", f"{ARRIVALS}.file", "cannot read trace", put(ARRIVALS, TRACE)),
    case(
        "trace-not-utf8",
        f"{ARRIVALS}.file",
        "cannot read trace",
        put(ARRIVALS, TRACE),
        files={"trace.csv": b"t\n\xff\n"},
    ),
    case(
        "trace-file-empty",
        f"{ARRIVALS}.file",
        "cannot read trace",
        put(ARRIVALS, TRACE),
        files={"trace.csv": ""},
    ),
    case(
        "trace-column-name-unknown",
        f"{ARRIVALS}.column",
        "has no column 'arrival'",
        put(ARRIVALS, {**TRACE, "column": "arrival"}),
        files=TRACE_FILE,
    ),
    case(
        "trace-column-number-too-large",
        f"{ARRIVALS}.column",
        "has no column number 5",
        put(ARRIVALS, {**TRACE, "column": 5}),
        files=TRACE_FILE,
    ),
    case(
        "trace-column-number-negative",
        f"{ARRIVALS}.column",
        "has no column number -1",
        put(ARRIVALS, {**TRACE, "column": -1}),
        files=TRACE_FILE,
    ),
    case(
        "trace-not-numbers",
        f"{ARRIVALS}.file",
        "column 't' must hold numbers only: line 3 has 'soon'",
        put(ARRIVALS, TRACE),
        files={"trace.csv": "t\n1\nsoon\n"},
    ),
    case(
        "trace-row-without-the-column",
        f"{ARRIVALS}.file",
        "column 'b' must hold numbers only: line 2 has ''",
        put(ARRIVALS, {**TRACE, "column": "b"}),
        files={"trace.csv": "a,b\n1\n"},
    ),
    case(
        "trace-header-only",
        f"{ARRIVALS}.file",
        "column 't' has no timestamps under its header",
        put(ARRIVALS, TRACE),
        files={"trace.csv": "t\n"},
    ),
    case(
        "trace-negative-timestamp",
        f"{ARRIVALS}.file",
        "negative timestamps",
        put(ARRIVALS, TRACE),
        files={"trace.csv": "t\n-1\n2\n"},
    ),
    case(
        "trace-time-scale-zero",
        f"{ARRIVALS}.time_scale",
        "greater than 0",
        put(ARRIVALS, {**TRACE, "time_scale": 0}),
        files=TRACE_FILE,
    ),
    case(
        "trace-time-scale-infinite",
        f"{ARRIVALS}.time_scale",
        "finite",
        put(ARRIVALS, {**TRACE, "time_scale": float("inf")}),
        files=TRACE_FILE,
    ),
    # --- --set overrides -------------------------------------------------------------------------------
    case("set-without-equals", "--set duration", "expected PATH=VALUE", args=("--set", "duration")),
    case("set-empty-path", "--set =5", "cannot read the path: names after dots", args=("--set", "=5")),
    case(
        "set-double-dot",
        "--set endpoint..name=x",
        "cannot read the path: names after dots",
        args=("--set", "endpoint..name=x"),
    ),
    case(
        "set-bad-index",
        "--set endpoint.variants[x].name=y",
        "cannot read the path: names after dots",
        args=("--set", "endpoint.variants[x].name=y"),
    ),
    case(
        "set-unknown-model",
        f"--set models.{MODEL.split('.')[-1]}x.memory=2GiB",
        f"there is no model '{MODEL.split('.')[-1]}x' (models: {MODEL.split('.')[-1]}); to add one",
        args=("--set", f"models.{MODEL.split('.')[-1]}x.memory=2GiB"),
    ),
    case(
        "set-index-out-of-range",
        "--set endpoint.variants[5].instance_count=2",
        "index 5 is out of range (the list has 2 items)",
        args=("--set", "endpoint.variants[5].instance_count=2"),
    ),
    case(
        "set-index-into-mapping",
        "--set endpoint[0]=1",
        "endpoint is not a list",
        args=("--set", "endpoint[0]=1"),
    ),
    case(
        "set-key-into-list",
        "--set endpoint.variants.name=x",
        "endpoint.variants is not a mapping",
        args=("--set", "endpoint.variants.name=x"),
    ),
    case("set-key-into-scalar", "--set seed.low=1", "seed is not a mapping", args=("--set", "seed.low=1")),
    case("set-bad-yaml-value", "--set name=[oops", "invalid YAML", args=("--set", "name=[oops")),
    case(
        "set-newline-in-argument", "--set endpoint[0]=1 2", "not a list", args=("--set", "endpoint[0]=1\n2")
    ),
    case(
        "set-invalid-value",
        "endpoint.variants[1].weight",
        "greater than or equal to 0",
        args=("--set", "endpoint.variants[1].weight=-1"),
    ),
    case("set-unknown-key", "endpoint.colour", "unknown key", args=("--set", "endpoint.colour=red")),
    case(
        "set-typo-of-a-key-the-file-has",
        f"{VARIANT}.instance_cont",
        "unknown key: did you mean instance_count?",
        args=("--set", f"{VARIANT}.instance_cont=2"),
    ),
    case("set-top-level-typo", "duraton", "did you mean duration?", args=("--set", "duraton=1h")),
    case(
        "set-typo-before-an-index",
        "--set endpoint.variantz[0].instance_count=2",
        "endpoint.variantz is not in the scenario: did you mean variants?",
        args=("--set", "endpoint.variantz[0].instance_count=2"),
    ),
    case(
        "set-later-wins",
        "duration",
        "unknown time unit",
        args=("--set", "duration=1h", "--set", "duration=3x"),
    ),
    # --- command line ----------------------------------------------------------------------------------
    case(
        "cli-replications-zero", "--replications", "greater than or equal to 1", args=("--replications", "0")
    ),
    case(
        "cli-replications-too-many",
        "--replications",
        "less than or equal to 100000",
        args=("--replications", "100001"),
    ),
    case("cli-replications-not-integer", "--replications", "valid integer", args=("--replications", "many")),
    case("cli-workers-zero", "--workers", "greater than or equal to 1", args=("--workers", "0")),
    case(
        "cli-executor-unknown",
        "--executor",
        "'bogus' is not one of 'local', 'serial', 'dask'",
        args=("--executor", "bogus"),
    ),
    case("cli-out-is-file", "--out", "not a directory", files={"out": "a regular file\n"}),
    case(
        "cli-workers-with-serial",
        "--workers",
        "serial runs none",
        args=("--executor", "serial", "--workers", "4"),
    ),
    case(
        "cli-workers-with-scheduler",
        "--workers",
        "a --scheduler's cluster has its own workers",
        args=(
            "--replications",
            "2",
            "--executor",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:1",
            "--workers",
            "4",
        ),
    ),
    case(
        "cli-crossover-rate-twice",
        "--rates",
        "1/s is given more than once",
        argv=(
            "crossover",
            str(SCENARIOS / "serverless-vs-realtime.yaml"),
            "--rates",
            "1,60/min",
            "--out",
            "{out}",
        ),
    ),
    case(
        "cli-recommend-priced-out",
        "recommend.candidates.max_price_per_hour",
        "no candidate costs at most 0.01 USD/hour",
        argv=(
            "recommend",
            str(SCENARIOS / "recommend-default.yaml"),
            "--set",
            "recommend.candidates.max_price_per_hour=0.01",
            "--set",
            "recommend.candidates.serverless_memory_mb=[]",
            "--out",
            "{out}",
        ),
    ),
    case(
        "cli-engine-fast-on-training",
        "engine",
        "a training job has its own simulator",
        argv=("run", str(SCENARIOS / "spot-training.yaml"), "--engine", "fast", "--out", "{out}"),
    ),
    case(
        "cli-engine-simpy-on-training",
        "engine",
        "'simpy' chooses an endpoint engine; a training job has its own simulator",
        argv=("run", str(SCENARIOS / "spot-training.yaml"), "--engine", "simpy", "--out", "{out}"),
    ),
    case(
        "cli-engine-fast-on-batch-transform",
        "engine",
        "a batch transform has its own simulator",
        argv=("run", str(SCENARIOS / "batch-transform.yaml"), "--engine", "fast", "--out", "{out}"),
    ),
    case(
        "cli-compare-one-scenario",
        "SCENARIO_PATHS",
        "compare needs 2 or more scenarios",
        argv=("compare", str(SCENARIOS / "quickstart.yaml"), "--out", "{out}"),
    ),
    case(
        "cli-digits-bodies-too-many",
        "--bodies",
        "less than or equal to 100000",
        argv=("calibrate", "digits-jsonl", "{tmp}/bodies.jsonl", "--bodies", "100000000"),
    ),
    case(
        "cli-scheduler-with-one-replication",
        "--scheduler",
        "with 1 replication the scheduler would get no work",
        args=("--replications", "1", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1"),
    ),
    case(
        "cli-optimize-checkpoint-interruptions-outpace",
        "training_job.spot.interruption_rate",
        "an interruption every 0.167 s in the cluster leaves no interval to search",
        argv=(
            "optimize-checkpoint",
            str(SCENARIOS / "spot-training.yaml"),
            "--set",
            "training_job.spot.interruption_rate=6/s",
            "--out",
            "{out}",
        ),
    ),
    case(
        "cli-out-names-a-file",
        "--out",
        "compare.csv names a file: --out is the directory the files are written into",
        argv=("compare", "{scenario}", "{scenario}", "--out", "{tmp}/new/compare.csv"),
    ),
    case(
        "cli-missing-scenario",
        "scenario_path",
        "missing argument (see `sagesim run --help`)",
        argv=("run", "--out", "{out}"),
    ),
    case(
        "cli-missing-option",
        "--endpoint-config",
        "missing option (see `sagesim import --help`)",
        argv=("import", "--out", "{out}"),
    ),
    case(
        "cli-records-kept-beyond-memory",
        "metrics.per_request_records",
        "records, over the 100,000,000 a run may hold: lower the rate or stream them",
        args=(
            "--set",
            "traffic.arrivals.rate=1e12/s",
            "--set",
            "metrics.per_request_records=true",
            "--replications",
            "1",
        ),
    ),
    case("cli-set-without-value", "command line", "requires an argument", args=("--set",)),
    case("cli-unknown-option", "command line", "no such option", args=("--colour",)),
    case("cli-unknown-command", "command line", "no such command", argv=("simulate", "{scenario}")),
    # --- elastic capacity: autoscaling and serverless ----------------------------------------------------
    case(
        "serverless-memory-not-multiple",
        f"{VARIANT}.serverless.memory_mb",
        "multiple of 1024",
        drop(f"{VARIANT}.instance_type"),
        put(f"{VARIANT}.serverless", {"memory_mb": 1500, "max_concurrency": 5}),
    ),
    case(
        "serverless-memory-too-large",
        f"{VARIANT}.serverless.memory_mb",
        "less than or equal to 6144",
        drop(f"{VARIANT}.instance_type"),
        put(f"{VARIANT}.serverless", {"memory_mb": 7168, "max_concurrency": 5}),
    ),
    case(
        "serverless-memory-too-small",
        f"{VARIANT}.serverless.memory_mb",
        "greater than or equal to 1024",
        drop(f"{VARIANT}.instance_type"),
        put(f"{VARIANT}.serverless", {"memory_mb": 512, "max_concurrency": 5}),
    ),
    case(
        "serverless-max-concurrency-too-large",
        f"{VARIANT}.serverless.max_concurrency",
        "less than or equal to 200",
        drop(f"{VARIANT}.instance_type"),
        put(f"{VARIANT}.serverless", {"memory_mb": 2048, "max_concurrency": 201}),
    ),
    case(
        "serverless-provisioned-above-max",
        f"{VARIANT}.serverless.provisioned_concurrency",
        "must not exceed MaxConcurrency",
        drop(f"{VARIANT}.instance_type"),
        put(f"{VARIANT}.serverless", {"memory_mb": 2048, "max_concurrency": 5, "provisioned_concurrency": 6}),
    ),
    case(
        "serverless-with-gpu-instance",
        f"{VARIANT}.instance_type",
        "no GPUs",
        put(f"{VARIANT}.instance_type", "ml.g4dn.xlarge"),
        put(f"{VARIANT}.serverless", {"memory_mb": 2048, "max_concurrency": 5}),
    ),
    case(
        "serverless-with-instance-type",
        f"{VARIANT}.instance_type",
        "no instances",
        put(f"{VARIANT}.serverless", {"memory_mb": 2048, "max_concurrency": 5}),
    ),
    case(
        "serverless-with-autoscaling",
        f"{VARIANT}.autoscaling",
        "remove autoscaling",
        drop(f"{VARIANT}.instance_type"),
        put(f"{VARIANT}.serverless", {"memory_mb": 2048, "max_concurrency": 5}),
        put(f"{VARIANT}.autoscaling", {"min_capacity": 1, "max_capacity": 2}),
    ),
    case(
        "serverless-with-instance-count",
        f"{VARIANT}.instance_count",
        "does not apply to a serverless variant",
        drop(f"{VARIANT}.instance_type"),
        put(f"{VARIANT}.instance_count", 3),
        put(f"{VARIANT}.serverless", {"memory_mb": 2048, "max_concurrency": 5}),
    ),
    case(
        "serverless-unknown-key",
        f"{VARIANT}.serverless.memory",
        "unknown key",
        drop(f"{VARIANT}.instance_type"),
        put(f"{VARIANT}.serverless", {"memory_mb": 2048, "max_concurrency": 5, "memory": 1}),
    ),
    case(
        "autoscaling-min-above-max",
        f"{VARIANT}.autoscaling.min_capacity",
        "must not exceed max_capacity",
        put(f"{VARIANT}.autoscaling", {"min_capacity": 5, "max_capacity": 2}),
    ),
    case(
        "autoscaling-step-name-twice",
        f"{VARIANT}.autoscaling.step_scaling[1].name",
        "'step' is used twice; each policy needs a name of its own",
        put(
            f"{VARIANT}.autoscaling",
            {
                "max_capacity": 3,
                "step_scaling": [
                    {"threshold": 1, "step_adjustments": [{"lower_bound": 0, "adjustment": 1}]},
                    {"threshold": 9, "step_adjustments": [{"lower_bound": 0, "adjustment": 2}]},
                ],
            },
        ),
    ),
    case(
        "autoscaling-min-adjustment-magnitude-without-percent",
        f"{VARIANT}.autoscaling.step_scaling[0].min_adjustment_magnitude",
        "AWS takes it only with PercentChangeInCapacity",
        put(
            f"{VARIANT}.autoscaling",
            {
                "max_capacity": 3,
                "step_scaling": [
                    {
                        "threshold": 1,
                        "min_adjustment_magnitude": 2,
                        "step_adjustments": [{"lower_bound": 0, "adjustment": 1}],
                    }
                ],
            },
        ),
    ),
    case(
        "autoscaling-zero-with-no-way-back",
        f"{VARIANT}.autoscaling.min_capacity",
        "at 0 instances nothing would scale out again",
        put(
            f"{VARIANT}.autoscaling",
            {"min_capacity": 0, "max_capacity": 4, "target_tracking": {"target_value": 600}},
        ),
    ),
    case(
        "autoscaling-scheduled-zero-with-no-way-back",
        f"{VARIANT}.autoscaling.scheduled_actions",
        "at 0 instances nothing would scale out again",
        put(
            f"{VARIANT}.autoscaling",
            {
                "max_capacity": 4,
                "target_tracking": {"target_value": 600},
                "scheduled_actions": [{"at": "1m", "min_capacity": 0}],
            },
        ),
    ),
    case(
        "autoscaling-cpu-target-unreachable",
        f"{VARIANT}.autoscaling.target_tracking.target_value",
        "CPUUtilization reads at most",
        put(
            f"{VARIANT}.autoscaling",
            {"max_capacity": 4, "target_tracking": {"metric": "CPUUtilization", "target_value": 5000}},
        ),
    ),
    case(
        "autoscaling-target-with-a-unit",
        f"{VARIANT}.autoscaling.target_tracking.target_value",
        "a plain number in the metric's unit, not '3000/min'",
        put(f"{VARIANT}.autoscaling", {"max_capacity": 4, "target_tracking": {"target_value": "3000/min"}}),
    ),
    case(
        "autoscaling-cpu-threshold-unreachable",
        f"{VARIANT}.autoscaling.step_scaling[0].threshold",
        "a threshold of 900 would never be reached",
        put(
            f"{VARIANT}.autoscaling",
            {
                "max_capacity": 4,
                "step_scaling": [
                    {
                        "metric": "CPUUtilization",
                        "threshold": 900,
                        "step_adjustments": [{"lower_bound": 0, "adjustment": 1}],
                    }
                ],
            },
        ),
    ),
    case(
        "autoscaling-negative-scale-out-cooldown",
        f"{VARIANT}.autoscaling.target_tracking.scale_out_cooldown",
        "greater than or equal to 0",
        put(
            f"{VARIANT}.autoscaling",
            {"max_capacity": 4, "target_tracking": {"target_value": 600, "scale_out_cooldown": "-60s"}},
        ),
    ),
    case(
        "autoscaling-negative-scale-in-cooldown",
        f"{VARIANT}.autoscaling.target_tracking.scale_in_cooldown",
        "greater than or equal to 0",
        put(
            f"{VARIANT}.autoscaling",
            {"max_capacity": 4, "target_tracking": {"target_value": 600, "scale_in_cooldown": -1}},
        ),
    ),
    case(
        "autoscaling-negative-step-cooldown",
        f"{VARIANT}.autoscaling.step_scaling[0].cooldown",
        "greater than or equal to 0",
        put(
            f"{VARIANT}.autoscaling",
            {
                "max_capacity": 4,
                "step_scaling": [
                    {"threshold": 1, "step_adjustments": [{"adjustment": 1}], "cooldown": "-5m"}
                ],
            },
        ),
    ),
    case(
        "autoscaling-missing-max",
        f"{VARIANT}.autoscaling.max_capacity",
        "required key is missing",
        put(f"{VARIANT}.autoscaling", {"min_capacity": 1}),
    ),
    case(
        "autoscaling-count-outside-bounds",
        f"{VARIANT}.instance_count",
        "outside",
        put(f"{VARIANT}.instance_count", 5),
        put(f"{VARIANT}.autoscaling", {"min_capacity": 1, "max_capacity": 3}),
    ),
    case(
        "autoscaling-unknown-metric",
        f"{VARIANT}.autoscaling.target_tracking.metric",
        "Input should be",
        put(
            f"{VARIANT}.autoscaling",
            {"max_capacity": 3, "target_tracking": {"metric": "Latency", "target_value": 1}},
        ),
    ),
    case(
        "autoscaling-target-tracking-on-invocations",
        f"{VARIANT}.autoscaling.target_tracking.metric",
        "per-instance metric",
        put(
            f"{VARIANT}.autoscaling",
            {"max_capacity": 3, "target_tracking": {"metric": "Invocations", "target_value": 1}},
        ),
    ),
    case(
        "autoscaling-zero-target",
        f"{VARIANT}.autoscaling.target_tracking.target_value",
        "greater than 0",
        put(f"{VARIANT}.autoscaling", {"max_capacity": 3, "target_tracking": {"target_value": 0}}),
    ),
    case(
        "autoscaling-datapoints-above-periods",
        f"{VARIANT}.autoscaling.target_tracking.scale_out_alarm.datapoints_to_alarm",
        "must not exceed evaluation_periods",
        put(
            f"{VARIANT}.autoscaling",
            {
                "max_capacity": 3,
                "target_tracking": {
                    "target_value": 600,
                    "scale_out_alarm": {"evaluation_periods": 2, "datapoints_to_alarm": 3},
                },
            },
        ),
    ),
    case(
        "autoscaling-step-bounds-reversed",
        f"{VARIANT}.autoscaling.step_scaling[0].step_adjustments[0].upper_bound",
        "greater than lower_bound",
        put(
            f"{VARIANT}.autoscaling",
            {
                "max_capacity": 3,
                "step_scaling": [
                    {
                        "threshold": 1,
                        "step_adjustments": [{"lower_bound": 5, "upper_bound": 1, "adjustment": 1}],
                    }
                ],
            },
        ),
    ),
    case(
        "autoscaling-step-intervals-overlap",
        f"{VARIANT}.autoscaling.step_scaling[0].step_adjustments",
        "the intervals must neither overlap nor leave a gap, as AWS requires",
        put(f"{VARIANT}.autoscaling", _two_steps(3000, 1000)),
    ),
    case(
        "autoscaling-step-intervals-gap",
        f"{VARIANT}.autoscaling.step_scaling[0].step_adjustments",
        "neither overlap nor leave a gap",
        put(f"{VARIANT}.autoscaling", _two_steps(100, 200)),
    ),
    case(
        "autoscaling-step-without-steps",
        f"{VARIANT}.autoscaling.step_scaling[0].step_adjustments",
        "at least 1 item",
        put(
            f"{VARIANT}.autoscaling",
            {"max_capacity": 3, "step_scaling": [{"threshold": 1, "step_adjustments": []}]},
        ),
    ),
    case(
        "autoscaling-scheduled-min-above-max",
        f"{VARIANT}.autoscaling.scheduled_actions[0].min_capacity",
        "must not exceed max_capacity",
        put(
            f"{VARIANT}.autoscaling",
            {"max_capacity": 3, "scheduled_actions": [{"at": "2m", "min_capacity": 4}]},
        ),
    ),
    case(
        "autoscaling-scheduled-bounds-cross-later",
        f"{VARIANT}.autoscaling.scheduled_actions[1].max_capacity",
        "min_capacity (3) must not exceed max_capacity (2), the bounds in effect from 300 s on",
        put(
            f"{VARIANT}.autoscaling",
            {
                "max_capacity": 4,
                "scheduled_actions": [{"at": "2m", "min_capacity": 3}, {"at": "5m", "max_capacity": 2}],
            },
        ),
    ),
    case(
        "autoscaling-scheduled-after-end",
        f"{VARIANT}.autoscaling.scheduled_actions[0].at",
        "before the end of the run",
        put(
            f"{VARIANT}.autoscaling",
            {"max_capacity": 3, "scheduled_actions": [{"at": "1h", "max_capacity": 2}]},
        ),
    ),
    case(
        "autoscaling-scheduled-changes-nothing",
        f"{VARIANT}.autoscaling.scheduled_actions[0]",
        "changes nothing",
        put(f"{VARIANT}.autoscaling", {"max_capacity": 3, "scheduled_actions": [{"at": "2m"}]}),
    ),
    case(
        "update-count-of-serverless",
        "endpoint.updates[0].instance_counts.a",
        "no instance count",
        drop(f"{VARIANT}.instance_type"),
        put(f"{VARIANT}.serverless", {"memory_mb": 2048, "max_concurrency": 5}),
        put("endpoint.updates", [{"at": "2m", "instance_counts": {"a": 2}}]),
    ),
    case(
        "check-bad-scenario",
        f"{VARIANT}.instance_count",
        "greater than or equal to 1",
        argv=("check", "{scenario}", "--set", f"{VARIANT}.instance_count=0"),
    ),
]


def _snapshot(directory: Path) -> dict[str, bytes | None]:
    """Every path under `directory` with its bytes (None for directories)."""
    return {
        str(path.relative_to(directory)): (None if path.is_dir() else path.read_bytes())
        for path in sorted(directory.rglob("*"))
    }


def overrides_and_options(args: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Split extra arguments into `--set` overrides and every other option."""
    overrides: list[str] = []
    options: list[str] = []
    rest = list(args)
    while rest:
        argument = rest.pop(0)
        if argument == "--set" and rest:
            overrides.append(rest.pop(0))
        else:
            options.append(argument)
    return overrides, options


def at_schema_seam(spec: Case) -> bool:
    """A rule about the scenario document (edits, files beside it, `--set` overrides), which the loader
    checks on its own (tests/test_schema_rules.py); the rest only the command line can see."""
    return spec.argv is None and not overrides_and_options(spec.args)[1] and "out" not in spec.files


def end_to_end(cases: list[Any], sample: set[str]) -> list[Any]:
    """The cases the CLI test runs: every command-line rule, and the sampled schema rules (one per
    section of the table) that show a schema error reaches the user as one line."""
    chosen = [param for param in cases if not at_schema_seam(param.values[0]) or param.id in sample]
    assert sample <= {param.id for param in chosen}, "a sampled case id is not in the table"
    return chosen


END_TO_END = {
    "yaml-unclosed-bracket",
    "yaml-empty-file",
    "unknown-key-variant",
    "missing-name",
    "distribution-unknown",
    "duration-unknown-unit",
    "catalog-negative-price",
    "profile-missing",
    "exponential-mean-negative",
    "variant-name-duplicate",
    "schedule-all-rates-zero",
    "trace-file-missing",
    "set-without-equals",
    "serverless-memory-not-multiple",
}


def scenario_document(spec: Case, base_scenario: dict[str, Any], tmp_path: Path) -> Any:
    """The case's scenario document (a dict, or raw YAML text), with its files written to tmp_path."""
    document: Any = base_scenario
    for edit in spec.edits:
        result = edit(document)
        if result is not None:
            document = result
    for name, content in spec.files.items():
        target = tmp_path / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return document


@pytest.mark.parametrize("spec", end_to_end(CASES, END_TO_END))
def test_bad_input_is_one_error_line(
    spec: Case,
    base_scenario: dict[str, Any],
    write_scenario: Callable[[Any], Path],
    cli: Callable[..., tuple[int, str, str]],
    tmp_path: Path,
) -> None:
    scenario = write_scenario(scenario_document(spec, base_scenario, tmp_path))
    out = tmp_path / "out"
    places = {"scenario": str(scenario), "out": str(out), "tmp": str(tmp_path)}
    argv = (
        [part.format(**places) for part in spec.argv]
        if spec.argv is not None
        else ["run", scenario, "--out", out, *spec.args]
    )
    before = _snapshot(tmp_path)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code, stdout, stderr = cli(*argv)
        except Exception as exc:  # a traceback is exactly what must never happen
            pytest.fail(f"sagesim raised {type(exc).__name__} (a traceback for the user): {exc}")

    expected = spec.path.format(**places)
    assert "Traceback" not in stdout + stderr
    assert not caught, f"warnings would reach stderr: {[str(w.message) for w in caught]}"
    assert code == 2, f"exit code {code}, stderr {stderr!r}"
    assert stderr.endswith("\n") and stderr.count("\n") == 1, f"not exactly one line: {stderr!r}"
    line = stderr.rstrip("\n")
    assert line.startswith(f"error: {expected}: "), f"expected path {expected!r} in {line!r}"
    reason = line.removeprefix(f"error: {expected}: ")
    assert reason.strip(), f"empty reason in {line!r}"
    assert spec.reason.lower() in reason.lower(), f"expected {spec.reason!r} in reason {reason!r}"
    assert stdout == ""
    assert _snapshot(tmp_path) == before, "files were written or changed"


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda path: path.stem)
def test_bundled_scenarios_check_ok(path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    code, stdout, stderr = cli("check", path)
    assert (code, stderr) == (0, "")
    assert stdout.startswith("ok: ")


def set_arguments(overrides: list[str]) -> list[str]:
    """`--set` command-line arguments for each PATH=VALUE override."""
    return [argument for override in overrides for argument in ("--set", override)]


SPOT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "spot-training.yaml"


TRAINING_CASES: list[tuple[list[str], str, str]] = [
    (["training_job.max_wait=1d"], "training_job.max_wait", "must be >= max_runtime"),
    (["training_job.checkpoint.interval=0"], "training_job.checkpoint.interval", "greater than 0"),
    (
        ["training_job.checkpoint.write_time=-5m"],
        "training_job.checkpoint.write_time",
        "greater than or equal",
    ),
    (["training_job.max_runtime=-1h"], "training_job.max_runtime", "greater than"),
    (
        ["training_job.max_runtime=29d"],
        "training_job.max_runtime",
        "over 28 days (2419200 s), SageMaker's limit",
    ),
    (
        ["training_job.instance_type=ml.p3.16xlarge", "training_job.spot.interruption_rate=null"],
        "training_job.spot.interruption_rate",
        "no spot interruption bucket",
    ),
    (["training_job.instance_type=ml.x9.huge"], "training_job.instance_type", "unknown"),
    (
        ["endpoint={name: ep, variants: [{name: a, model: m, instance_type: ml.c5.large}]}"],
        "training_job",
        "not both",
    ),
    (["training_job.download_bandwidth=true"], "training_job.download_bandwidth", "got a boolean"),
    (["training_job.download_bandwidth=.inf"], "training_job.download_bandwidth", "finite"),
    (["training_job.download_bandwidth=[1]"], "training_job.download_bandwidth", "such as 500MB/s"),
    (["training_job.download_bandwidth=fast"], "training_job.download_bandwidth", "cannot read bandwidth"),
    (
        ["training_job.download_bandwidth=1GB/0s"],
        "training_job.download_bandwidth",
        "period must be positive",
    ),
    (["training_job.download_bandwidth=1GB/s"], "training_job.download_bandwidth", "needs data_size"),
    (["training_job.data_size=10GB"], "training_job", "data_size needs download_bandwidth"),
    (
        [
            "training_job.data_size=10GB",
            "training_job.download_bandwidth=1GB/s",
            "training_job.download_time=5m",
        ],
        "training_job",
        "download_time or data_size with download_bandwidth, not both",
    ),
    (["training_job.work=null"], "training_job", "give either work or epochs"),
    (["training_job.work=null", "training_job.epochs=3"], "training_job", "give both epochs and epoch_time"),
    (
        ["training_job.checkpoint={interval: 1h, write_time: 5m, size: 1GB, write_bandwidth: 1GB/s}"],
        "training_job.checkpoint",
        "not both",
    ),
    (
        ["training_job.checkpoint={interval: 1h, write_bandwidth: 1GB/s}"],
        "training_job.checkpoint",
        "needs size",
    ),
    (
        ["training_job.checkpoint={interval: 1h, write_time: 5m, read_bandwidth: 1GB/s}"],
        "training_job.checkpoint",
        "read_bandwidth needs size",
    ),
    (
        ["training_job.checkpoint={interval: 1h, size: 1GB}"],
        "training_job.checkpoint",
        "size needs write_bandwidth",
    ),
    (
        ["training_job.checkpoint=null", "training_job.spot.checkpoint_on_notice=true"],
        "training_job.spot",
        "checkpoint_on_notice needs a checkpoint section",
    ),
    (["training_job.spot.trace=[3600]"], "training_job.spot", "give only one of"),
    (
        ["training_job.spot.interruption_rate=null", "training_job.spot.trace=[7200, 3600]"],
        "training_job.spot.trace",
        "increasing order",
    ),
    (["training_job.checkpoint.interval=0.01"], "training_job.checkpoint.interval", "checkpoints in one job"),
    (["training_job.spot.interruption_rate=1/ms"], "training_job.spot.interruption_rate", "interruptions"),
    (
        ["training_job.spot.interruption_rate=null", "training_job.spot.trace_file=no-such-notices.csv"],
        "training_job.spot.trace_file",
        "cannot read trace file",
    ),
]
"""Bad `--set` overrides of the spot training example: (overrides, YAML path, reason fragment)."""


@pytest.mark.parametrize(("overrides", "path", "fragment"), TRAINING_CASES[:1])
def test_training_job_bad_input_is_one_line(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path, overrides: list[str], path: str, fragment: str
) -> None:
    arguments = set_arguments(overrides)
    out = tmp_path / "out"
    code, stdout, stderr = cli("run", SPOT_SCENARIO, "--out", out, *arguments)
    assert code == 2 and stdout == "" and not out.exists()
    assert stderr.count("\n") == 1 and stderr.startswith(f"error: {path}: "), stderr
    assert fragment.lower() in stderr.lower()


def test_on_demand_jobs_ignore_max_wait(cli: Callable[..., tuple[int, str, str]]) -> None:
    """max_wait is MaxWaitTimeInSeconds of managed spot training: an on-demand job ignores it, as the
    schema says, instead of refusing one under max_runtime."""
    arguments = set_arguments(["training_job.spot=null", "training_job.max_wait=1h"])
    code, stdout, stderr = cli("check", SPOT_SCENARIO, *arguments)
    assert (code, stdout.strip(), stderr) == (0, "ok: spot-train", ""), stderr
