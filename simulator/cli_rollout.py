"""`sagesim rollout` and `sagesim ab-test`: deployment guardrails and A/B detection time."""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from simulator import cli_options as opts
from simulator.errors import ScenarioError
from simulator.staging import check_out
from simulator.wording import counted, replications_text

if TYPE_CHECKING:  # annotations only: the A/B model and the scenario load when a command runs
    from simulator.rollout.abtest import Detection
    from simulator.scenario.kinds import EndpointScenario, RolloutScenario


class Metric(StrEnum):
    """What an A/B test compares."""

    latency = "latency"
    error_rate = "error-rate"


def _fraction(text: str, option: str, low: float = 0.0, high: float = 1.0) -> float:
    """'10%' or '0.1' -> 0.1, strictly between `low` and `high`."""
    try:
        value = float(text[:-1]) / 100.0 if text.strip().endswith("%") else float(text)
    except ValueError:
        raise ScenarioError(option, f"expected a fraction such as 0.1 or 10%, got {text!r}") from None
    if not (low < value < high) or math.isnan(value):
        raise ScenarioError(option, f"must be between {low:g} and {high:g} (exclusive), got {text!r}")
    return value


YEAR_S = 365.25 * 86400.0


def _seconds(value: float) -> str:
    if math.isinf(value):
        return "never (no difference)"
    if value > YEAR_S:  # a figure in the quintillions of seconds reads as a bug, not an answer
        return f"{value / YEAR_S:,.3g} years: not detectable in practice at this weight and traffic"
    if value >= 86400:
        return f"{value / 86400:,.1f} days"
    return f"{value:,.1f} s ({value / 60:,.1f} min)" if value >= 60 else f"{value:,.2f} s"


def detection_line(found: Detection) -> str:
    """One sentence: what is detected, at which weight, after how long and how many requests."""
    if found.metric == "latency":
        what = (
            f"mean latency {found.control_value * 1000:.1f} -> {found.treatment_value * 1000:.1f} ms "
            f"({found.difference * 1000:+.1f} ms)"
        )
    else:
        what = (
            f"error rate {found.control_value:.3%} -> {found.treatment_value:.3%} "
            f"({found.difference * 100:+.3f} points)"
        )
    head = f"A/B {found.metric}: {what} at {found.weight:.0%} of {found.rate:,.1f} req/s"
    if math.isinf(found.seconds):  # "inf requests on green" read like a figure
        return f"{head}: never: {found.treatment} and {found.control} do not differ in {found.metric}"
    few = min(found.treatment_requests, found.control_requests) < 30
    return (
        f"{head}, alpha {found.alpha:g}, power {found.power:.0%}: {_seconds(found.seconds)}, "
        f"{found.treatment_requests:,.0f} requests "
        f"on {found.treatment}, {found.control_requests:,.0f} on {found.control}"
        + (" (under 30 requests a side: the normal approximation is rough)" if few else "")
    )


def rollout(
    scenario_path: Annotated[Path, typer.Argument(help="scenario YAML with a rollout: section")],
    out: Annotated[Path, opts.out_option(None, "rollout.json, plots, report.html")] = Path("out/rollout"),
    overrides: opts.SetOption = None,
    seed: opts.SeedOption = None,
    replications: opts.ReplicationsOption = None,
    executor: opts.ExecutorOption = opts.ExecutorName.local,
    workers: opts.WorkersOption = None,
    scheduler: opts.SchedulerOption = None,
    quiet: opts.QuietOption = False,
) -> None:
    """Simulate a blue/green deployment: traffic steps, alarms, rollback, hurt requests, double-fleet cost."""
    from simulator.report.rollout_report import interval_rows, timeline_rows, write_rollout_outputs
    from simulator.rollout.replications import replicate_rollout
    from simulator.scenario import load_scenario
    from simulator.scenario.kinds import RolloutScenario

    scenario = load_scenario(scenario_path, opts.as_overrides(overrides, seed))
    if not isinstance(scenario, RolloutScenario):
        raise ScenarioError("rollout", "the scenario has no rollout: section")
    check_out(out, "rollout")
    pool = opts.executor_from_options(executor, workers, scheduler)
    runs = replicate_rollout(scenario, replications or scenario.replications, pool)
    found = _canary_detection(scenario)
    with opts.out_errors():
        write_rollout_outputs(runs, out, found)
    console = Console(width=140, quiet=quiet)
    spec = scenario.rollout
    title = f"rollout of {spec.green} over {spec.blue}: replication 1"
    opts.print_rows(console, title, ["time s", "event", "detail"], timeline_rows(runs.first))
    summary = runs.summary
    title = (
        f"{replications_text(summary.replications)}: rolled back {summary.rolled_back}, "
        f"completed {summary.completed}, reached 100% {summary.reached_full_traffic}"
    )
    opts.print_rows(console, title, ["figure", "mean", "95% CI"], interval_rows(summary))
    if found is not None:
        console.print(detection_line(found))
    console.print(f"report: {out / 'report.html'}  rollout: {out / 'rollout.json'}", soft_wrap=True)


def _canary_detection(scenario: RolloutScenario) -> Detection | None:
    """Time to detect green's latency change at the first traffic step's share (None if it is 100%)."""
    from simulator.rollout.abtest import detect
    from simulator.scenario.crossref import scenario_catalog
    from simulator.scenario.rollout_plan import traffic_steps

    spec = scenario.rollout
    count = next(v.instance_count for v in scenario.endpoint.variants if v.name == spec.green)
    share = traffic_steps(spec.traffic_routing, count)[0]
    if share >= 1.0:
        return None
    return detect(scenario, scenario_catalog(scenario), "latency", spec.blue, spec.green, share, 0.05, 0.8)


def _pair(scenario: EndpointScenario, control: str | None, treatment: str | None) -> tuple[str, str]:
    names = [variant.name for variant in scenario.endpoint.variants]
    rollout = scenario.deployment()
    default = (rollout.blue, rollout.green) if rollout else tuple(names[:2])
    chosen = (control or default[0], treatment or (default[1] if len(default) > 1 else None))
    for option, name in zip(("--control", "--treatment"), chosen, strict=True):
        if name is None:
            raise ScenarioError(
                option, f"the endpoint has one variant ({names[0]}): an A/B test needs a second to compare"
            )
        if name not in names:
            raise ScenarioError(option, f"unknown variant {name!r} (variants: {', '.join(names)})")
        variant = next(v for v in scenario.endpoint.variants if v.name == name)
        if variant.instance_type is None:
            raise ScenarioError(option, f"variant {name!r} is serverless: give an instance-based variant")
    if chosen[0] == chosen[1]:
        raise ScenarioError("--treatment", "must differ from --control")
    return chosen[0], chosen[1]  # type: ignore[return-value]


def ab_test(
    scenario_path: Annotated[Path, typer.Argument(help="scenario YAML (variants, models, traffic rate)")],
    metric: Annotated[
        Metric, typer.Option(help="latency (Welch test of means) or error-rate (two proportions)")
    ] = Metric.latency,
    weight: Annotated[str, typer.Option(help="treatment's share of traffic, e.g. 10% or 0.1")] = "10%",
    difference: Annotated[
        str | None,
        typer.Option(
            help="difference to detect: latency e.g. 5ms, error rate e.g. 0.5% (default: the models')"
        ),
    ] = None,
    alpha: Annotated[str, typer.Option(help="significance level (two-sided)")] = "0.05",
    power: Annotated[str, typer.Option(help="probability of detecting the difference")] = "0.8",
    control: Annotated[str | None, typer.Option(help="control variant (default: rollout blue)")] = None,
    treatment: Annotated[str | None, typer.Option(help="treatment variant (default: rollout green)")] = None,
    check: Annotated[
        int,
        typer.Option(
            min=0,
            max=opts.MAX_REPLICATIONS,
            help="replications of a simulated A/B test at that time (0: none)",
        ),
    ] = 0,
    executor: opts.ExecutorOption = opts.ExecutorName.local,
    workers: opts.WorkersOption = None,
    scheduler: opts.SchedulerOption = None,
    overrides: opts.SetOption = None,
    seed: opts.SeedOption = None,
) -> None:
    """Time an A/B test needs to detect a latency or error-rate difference at a traffic weight."""
    from simulator.rollout.abtest import check_scenario, detect, simulated_power
    from simulator.scenario import load_scenario
    from simulator.scenario.crossref import scenario_catalog
    from simulator.scenario.kinds import EndpointScenario
    from simulator.scenario.units import parse_typed_duration

    scenario = load_scenario(scenario_path, opts.as_overrides(overrides, seed))
    if not isinstance(scenario, EndpointScenario):
        raise ScenarioError("endpoint", "an A/B test needs an endpoint")
    share = _fraction(weight, "--weight")
    level = _fraction(alpha, "--alpha", 0.0, 0.5)
    wanted = _fraction(power, "--power", level, 1.0)
    names = _pair(scenario, control, treatment)
    delta = None
    if difference is not None:
        with opts.option_errors("--difference"):
            delta = (
                parse_typed_duration(difference)
                if metric is Metric.latency
                else _fraction(difference, "--difference", -1.0, 1.0)
            )
        if delta == 0:
            raise ScenarioError("--difference", "must not be 0")
    with opts.option_errors("--difference"):
        found = detect(
            scenario,
            scenario_catalog(scenario),
            "latency" if metric is Metric.latency else "error_rate",
            names[0],
            names[1],
            share,
            level,
            wanted,
            delta,
        )
    if check:
        with opts.option_errors("--check"):
            check_scenario(scenario, found, found.seconds)
        pool = opts.executor_from_options(executor, workers, scheduler)
    typer.echo(detection_line(found))
    if check:
        share_found, low, high = simulated_power(scenario, found, check, executor=pool)
        typer.echo(
            f"check: {counted(check, 'simulated A/B test')} of {_seconds(found.seconds)} detected it in "
            f"{share_found:.0%} [95% CI {low:.0%}, {high:.0%}] (stated power {found.power:.0%})"
        )
