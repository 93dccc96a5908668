"""Hardware options side by side: every variant alone under the full traffic, against the scenario's SLO.

Answers "which is the cheapest option that meets the SLO" for e.g. GPU vs CPU + Elastic Inference vs
CPU. Every option runs replications 0..n-1 of the scenario's seed (common random numbers: identical
arrivals), so differences come from the hardware, not from the traffic draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.core.slo import RULE, interval_meets
from simulator.core.stats import format_figure
from simulator.execution.executors import Executor, SerialExecutor
from simulator.execution.replications import Replication, summary_of
from simulator.metrics.serving import LEGACY_NOTE
from simulator.metrics.summary_types import Summary, combine
from simulator.options.options_summary import Estimate, Option, OptionsSummary, Slo
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.derive import derive, plain
from simulator.scenario.kinds import EndpointScenario, OptionsScenario


@dataclass(frozen=True)
class OptionsResult:
    summary: OptionsSummary
    """summary.json content: per option figures with 95% CIs, the SLO and the cheapest option meeting it."""
    first_summaries: dict[str, Summary]
    """Replication 0's full summary of each option (pipeline breakdowns, batching figures)."""


def option_scenario(scenario: OptionsScenario, name: str) -> EndpointScenario:
    """The endpoint run of variant `name` alone (weight 1), without the options section."""
    variant = next(v for v in scenario.endpoint.variants if v.name == name)
    alone = [{**plain(variant), "weight": 1.0}]
    return derive(scenario, {"endpoint.variants": alone, "options": None}, EndpointScenario)


def compare_options(
    scenario: OptionsScenario, replications: int | None = None, executor: Executor | None = None
) -> OptionsResult:
    """Run every option; the cheapest per inference among those meeting the SLO is named.

    Every (option, replication) run goes to `executor` (default: serial in this process).
    """
    catalog = scenario_catalog(scenario)
    count = replications or scenario.replications
    slo = scenario.options.slo
    names = scenario.options.variants or [v.name for v in scenario.endpoint.variants]
    rows: dict[str, Option] = {}
    firsts = {}
    singles = {name: option_scenario(scenario, name) for name in names}
    jobs = [Replication(singles[name], index) for name in names for index in range(count)]
    results = list((executor or SerialExecutor()).map(summary_of, jobs))
    for position, name in enumerate(names):
        summaries = results[position * count : (position + 1) * count]
        firsts[name] = summaries[0]
        combined = combine(summaries)
        spec = singles[name].endpoint.variants[0]
        latency = combined["latency_ms"][slo.percentile.value]
        errors = combined["error_rate"]
        rows[name] = Option(
            instance_type=spec.instance_type,
            accelerator_type=spec.accelerator_type,
            price_per_hour=None
            if spec.instance_type is None
            else catalog.price_per_hour(spec.instance_type, spec.accelerator_type) * spec.instance_count,
            instance_count=spec.instance_count,
            usd_per_million_inferences=Estimate(**combined["cost_usd"]["per_million_inferences"]),
            latency_ms=Estimate(**latency),
            throughput_per_s=Estimate(**combined["throughput_per_s"]),
            error_rate=Estimate(**errors),
            meets_slo=interval_meets(latency, slo.latency * 1000.0)
            and interval_meets(errors, slo.max_error_rate),
            legacy=spec.accelerator_type is not None,
        )
    meeting = [n for n in names if rows[n].meets_slo and rows[n].usd_per_million_inferences.mean]
    cheapest = min(meeting, key=lambda n: rows[n].usd_per_million_inferences.mean or 0.0, default=None)
    summary = OptionsSummary(
        replications=count,
        slo=Slo(slo.percentile.value, slo.latency * 1000.0, slo.max_error_rate, RULE),
        options=rows,
        cheapest_meeting_slo=cheapest,
        notes=[LEGACY_NOTE] if any(row.legacy for row in rows.values()) else None,
    )
    return OptionsResult(summary=summary, first_summaries=firsts)


def options_rows(summary: OptionsSummary) -> tuple[list[str], list[list[str]]]:
    """One row per option for the terminal table and the HTML report."""
    columns: list[tuple[str, Callable[[Option], str]]] = [
        ("hardware", _hardware),
        ("USD/hour", lambda r: "-" if r.price_per_hour is None else f"{r.price_per_hour:.4f}"),
        ("USD per 1M inferences", lambda r: format_figure(r.usd_per_million_inferences.as_dict(), "{:.2f}")),
        (f"{summary.slo.percentile} ms", lambda r: format_figure(r.latency_ms.as_dict(), "{:.1f}")),
        ("error rate", lambda r: format_figure(r.error_rate.as_dict(), "{:.4f}")),
        ("SLO", lambda r: "met" if r.meets_slo else "missed"),
    ]
    rows = [[name, *(cell(row) for _, cell in columns)] for name, row in summary.options.items()]
    return ["option", *(header for header, _ in columns)], rows


def _hardware(row: Option) -> str:
    hardware = f"{row.instance_count} x {row.instance_type}" if row.instance_type else "serverless"
    return hardware + (f" + {row.accelerator_type} (legacy)" if row.accelerator_type else "")


def verdict(summary: OptionsSummary) -> str:
    slo = summary.slo
    target = f"{slo.percentile} <= {slo.latency_ms:g} ms, error rate <= {slo.max_error_rate:g}"
    cheapest = summary.cheapest_meeting_slo
    if cheapest is None:
        return f"no option meets the SLO ({target})"
    cost = summary.options[cheapest].usd_per_million_inferences.mean or 0.0
    return f"cheapest option meeting the SLO ({target}): {cheapest} at {cost:.2f} USD per 1M inferences"
