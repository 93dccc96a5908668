"""`sagesim compare` and `sagesim crossover`: elastic-capacity commands, registered on the main app."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from simulator import cli_options as opts
from simulator.errors import ScenarioError
from simulator.staging import check_out
from simulator.wording import replications_text

if TYPE_CHECKING:  # pandas loads only when a command draws a table
    import pandas as pd

_COMPARE_COLUMNS = [
    ("scenario", "{}"),
    ("cost_usd", "{:,.4f}"),
    ("usd_per_million_inferences", "{:,.2f}"),
    ("p99_ms", "{:,.1f}"),
    ("error_rate", "{:.2%}"),
    ("instances_mean", "{:.2f}"),
    ("instances_max", "{:.0f}"),
    ("scaling_activities", "{:.0f}"),
    ("cold_starts", "{:.0f}"),
]
"""The figures the printed table shows (the deciding ones with their 95% CI); compare.csv has every
column: p50, p95, completed and errors too."""

_COMPARE_HEADINGS = {
    "scenario": "scenario",
    "cost_usd": "cost USD",
    "usd_per_million_inferences": "USD / 1M inferences",
    "p50_ms": "p50 ms",
    "p95_ms": "p95 ms",
    "p99_ms": "p99 ms",
    "completed": "completed",
    "errors": "errors",
    "error_rate": "error rate",
    "instances_mean": "instances mean",
    "instances_max": "instances max",
    "scaling_activities": "scaling activities",
    "cold_starts": "cold starts",
}


def _cell(value: object, pattern: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return pattern.format(value)


def _print_frame(
    frame: pd.DataFrame,
    columns: list[tuple[str, str]],
    title: str,
    quiet: bool,
    headings: dict[str, str] | None = None,
) -> None:
    """One row per record; a figure with `<name>_ci95_low/high` columns shows `mean [low, high]`."""
    from simulator.core.stats import format_figure  # scipy: loaded when a table is drawn, not on --help

    rows = []
    for record in frame.to_dict("records"):
        row = []
        for name, pattern in columns:
            low, high = record.get(f"{name}_ci95_low"), record.get(f"{name}_ci95_high")
            interval = low is not None and high is not None and not (math.isnan(low) or math.isnan(high))
            figure = {"mean": record[name], "ci95_low": low, "ci95_high": high}
            row.append(format_figure(figure, pattern) if interval else _cell(record[name], pattern))
        rows.append(row)
    names = [(headings or {}).get(name, name) for name, _ in columns]
    opts.print_rows(Console(width=200, quiet=quiet), title, names, rows)


def compare(
    scenario_paths: Annotated[list[Path], typer.Argument(help="scenario YAML files (2 or more)")],
    overrides: opts.SetOption = None,
    set_for: Annotated[
        list[str] | None,
        typer.Option("--set-for", help="override for one scenario: N:PATH=VALUE (N counts from 1)"),
    ] = None,
    seed: opts.SeedOption = None,
    replications: opts.ReplicationsOption = None,
    out: Annotated[Path | None, opts.out_option(None, "compare.csv (the table)")] = None,
    executor: opts.ExecutorOption = opts.ExecutorName.local,
    workers: opts.WorkersOption = None,
    scheduler: opts.SchedulerOption = None,
    engine: opts.EngineOption = None,
    quiet: opts.QuietOption = False,
) -> None:
    """Policies side by side under the same traffic (common random numbers): cost, latency, errors...

    Every scenario runs the same replications (default: the first scenario's) of the same seed (--seed,
    default: the first scenario's).
    """
    from simulator.compare import compare_scenarios
    from simulator.engine.choice import check_engine
    from simulator.scenario import load_scenario
    from simulator.scenario.kinds import EndpointScenario

    if len(scenario_paths) < 2:
        raise ScenarioError(
            "SCENARIO_PATHS", "compare needs 2 or more scenarios (the same one twice with --set-for)"
        )
    extra: dict[int, list[str]] = {}
    for item in set_for or []:
        number, _, assignment = item.partition(":")
        if not number.isdigit() or not 1 <= int(number) <= len(scenario_paths) or "=" not in assignment:
            raise ScenarioError(
                "--set-for", f"expected N:PATH=VALUE with N in 1..{len(scenario_paths)}: {item!r}"
            )
        extra.setdefault(int(number), []).append(assignment)
    loaded = []
    for number, path in enumerate(scenario_paths, start=1):
        own = [*(overrides or []), *extra.get(number, [])]
        scenario = load_scenario(path, opts.as_overrides(own, None, engine))
        if not isinstance(scenario, EndpointScenario):
            raise ScenarioError(str(path), "compare needs endpoint scenarios")
        try:
            check_engine(scenario)
        except ScenarioError as refused:  # name the scenario among several
            raise ScenarioError(f"{path}: {refused.path}", refused.reason) from None
        label = f"{number}: {path.stem}" + (" (" + ", ".join(extra[number]) + ")" if number in extra else "")
        loaded.append((label, scenario))
    if out is not None:
        check_out(out, "compare")
    pool = opts.executor_from_options(executor, workers, scheduler)
    count = replications or loaded[0][1].replications
    frame = compare_scenarios(loaded, seed, count, pool)
    _print_frame(
        frame,
        _COMPARE_COLUMNS,
        f"same traffic, common random numbers: {replications_text(count)}"
        + (" (95% CI in brackets)" if count > 1 else ""),
        quiet,
        _COMPARE_HEADINGS,
    )
    if out is not None:
        with opts.staged_out(out, "compare") as staging:
            frame.to_csv(staging / "compare.csv", index=False)
        Console(quiet=quiet).print(f"table: {out / 'compare.csv'}", soft_wrap=True)


_CROSSOVER_COLUMNS = [
    ("rate_per_s", "{:g}"),
    ("serverless_usd_per_million_inferences", "{:,.2f}"),
    ("serverless_p99_ms", "{:,.1f}"),
    ("serverless_cold_start_pct", "{:.3f}"),
    ("serverless_meets_slo", "{}"),
    ("realtime_instances", "{:.0f}"),
    ("realtime_usd_per_million_inferences", "{:,.2f}"),
    ("realtime_p99_ms", "{:,.1f}"),
]


def crossover(
    scenario_path: Annotated[Path, typer.Argument(help="scenario with a serverless and a real-time variant")],
    rates: Annotated[str, typer.Option(help="comma-separated request rates, e.g. 0.5,1,5/s,300/min")] = (
        "0.2,0.5,1,2,5,10,20,50"
    ),
    slo_p99: Annotated[str, typer.Option(help="p99 latency SLO, e.g. 500ms")] = "1s",
    duration: Annotated[str, typer.Option(help="simulated time per point")] = "30m",
    out: Annotated[Path, opts.out_option(None, "crossover.csv, crossover.png, report.html")] = Path(
        "out/crossover"
    ),
    overrides: opts.SetOption = None,
    seed: opts.SeedOption = None,
    replications: opts.ReplicationsOption = None,
    executor: opts.ExecutorOption = opts.ExecutorName.local,
    workers: opts.WorkersOption = None,
    scheduler: opts.SchedulerOption = None,
    quiet: opts.QuietOption = False,
) -> None:
    """USD per 1M inferences of serverless vs real-time against request rate, and the crossover rate.

    A configuration meets the SLO when the upper end of the 95% CI of its p99 and error rate over the
    replications is at or below the limit (one replication: the value itself); the same rule as
    `recommend` and `options:`.
    """
    from simulator.compare import serverless_crossover
    from simulator.report.crossover_outputs import write_crossover_outputs
    from simulator.scenario import load_scenario
    from simulator.scenario.kinds import EndpointScenario
    from simulator.scenario.units import parse_rate

    scenario = load_scenario(scenario_path, opts.as_overrides(overrides, seed))
    if not isinstance(scenario, EndpointScenario):
        raise ScenarioError(str(scenario_path), "crossover needs an endpoint scenario")
    check_out(out, "crossover")
    with opts.option_errors("--rates"):
        points = sorted(parse_rate(_number(part.strip())) for part in rates.split(",") if part.strip())
    if not points or min(points) <= 0:
        raise ScenarioError("--rates", "give positive request rates")
    repeated = sorted({f"{rate:g}/s" for rate in points if points.count(rate) > 1})
    if repeated:  # 1,60/min is one rate twice: simulated twice and listed twice
        raise ScenarioError("--rates", f"{', '.join(repeated)} is given more than once")
    slo = _positive_duration(slo_p99, "--slo-p99")
    seconds = _positive_duration(duration, "--duration")
    count = replications or scenario.replications
    if max(points) * seconds > MAX_POINT_REQUESTS:
        raise ScenarioError(
            "--rates",
            f"{max(points):g}/s for {seconds:g} s is {max(points) * seconds:,.0f} requests a point; the limit"
            f" is {MAX_POINT_REQUESTS:,} (shorten --duration or lower the rates)",
        )
    pool = opts.executor_from_options(executor, workers, scheduler)
    result = serverless_crossover(scenario, points, slo, seconds, executor=pool, replications=count)
    _print_frame(
        result.table,
        _CROSSOVER_COLUMNS,
        f"USD per 1M inferences, p99 SLO {slo * 1000:g} ms, {replications_text(count)} a point",
        quiet,
    )
    line = (
        f"crossover: real-time becomes cheaper above {result.rate:.3g} requests/s"
        if result.rate is not None
        else "crossover: none in the given range of rates"
    )
    report = write_crossover_outputs(scenario.name, result, slo, line, out)
    stdout = Console(quiet=quiet, highlight=False)
    stdout.print(line, soft_wrap=True)
    stdout.print(f"report: {report}", soft_wrap=True)


MAX_POINT_REQUESTS = 5_000_000  # per simulated point: every request's record is kept (~1 GiB)


def _positive_duration(text: str, option: str) -> float:
    from simulator.scenario.units import parse_typed_duration

    with opts.option_errors(option):
        value = parse_typed_duration(text)
    if not 0 < value < math.inf:
        raise ScenarioError(option, f"must be a positive duration, got {text!r}")
    return value


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text
