"""The imported scenario: endpoint, scaling, models and a traffic schedule replaying the measured periods.

Traffic: a `schedule` whose rate in each measured period is that period's Invocations (all variants
together) divided by its length, so each period's expected count is the measured one (arrivals within
a period are Poisson). Requests are split by the variant weights: the config's InitialVariantWeight,
or with `weights="measured"` each variant's share of the measured invocations (which also covers
traffic that named a TargetVariant).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from simulator.catalog import DEFAULT_REGION, bundled_regions, load_catalog
from simulator.errors import ScenarioError
from simulator.importing.endpoint_config import ImportedEndpoint, arn_region, read_config
from simulator.importing.invocations import MeasuredInvocations, read_invocations
from simulator.importing.scaling import ScalingInputs, endpoints_named, read_scaling
from simulator.importing.service_time import model_spec
from simulator.scenario.units import parse_typed_duration

NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")  # SageMaker EndpointName
_SLO = re.compile(r"(?P<percentile>[Pp]9[59])=(?P<value>.+)")


@dataclass
class ImportInputs:
    """The describe responses, already checked against their botocore shapes."""

    config: dict[str, Any]
    metrics: dict[str, Any]
    scaling: ScalingInputs = field(default_factory=ScalingInputs)


@dataclass
class ImportOptions:
    name: str | None = None
    endpoint_name: str | None = None
    region: str | None = None
    weights: str = "config"
    metric_period: int = 60
    profile: Path | None = None
    service_time: str | None = None


@dataclass
class ImportedScenario:
    document: dict[str, Any]
    files: dict[str, str]  # other files to write beside the scenario (a copied profile)
    notes: list[str]
    measured: MeasuredInvocations

    def text(self) -> str:
        """The scenario YAML under a header saying where each part came from."""
        measured = self.measured
        total = measured.total()
        end = measured.start + timedelta(seconds=measured.period * len(total))
        shares = ", ".join(
            f"{name} {counts.sum() / total.sum():.1%}" for name, counts in measured.counts.items()
        )
        lines = [
            "Imported by `sagesim import`. Traffic replays the measured Invocations: in each period the rate",
            "is that period's count (all variants) over its length; requests split by the variant weights.",
            f"Window: {measured.start.isoformat()} to {end.isoformat()}, {len(total)} periods of"
            f" {measured.period} s,",
            f"{total.sum():,.0f} invocations; measured share: {shares}.",
        ]
        if self.notes:
            lines.append("Read but not simulated (no bearing on capacity or latency):")
            lines.extend(f"  {note}" for note in self.notes)
        body = yaml.safe_dump(self.document, sort_keys=False, default_flow_style=None, width=110)
        return "".join(f"# {line}\n" if line else "#\n" for line in lines) + body


def _region(inputs: ImportInputs, options: ImportOptions) -> str:
    region = options.region or arn_region(inputs.config) or DEFAULT_REGION
    if region not in bundled_regions():
        where = "--region" if options.region else "--endpoint-config"
        prefix = "" if options.region else "EndpointConfigArn: "
        raise ScenarioError(
            where, f"{prefix}the catalog prices {', '.join(bundled_regions())}, not {region} (give --region)"
        )
    return region


def _endpoint_name(inputs: ImportInputs, options: ImportOptions, endpoint: ImportedEndpoint) -> str:
    if options.endpoint_name is not None:
        name = options.endpoint_name
    else:
        named = sorted(endpoints_named(inputs.scaling))
        if len(named) > 1:
            raise ScenarioError(
                "--endpoint-name", f"the scaling documents scale {', '.join(named)}: name the one to import"
            )
        name = named[0] if named else endpoint.config_name.removesuffix("-config")
    if not NAME.fullmatch(name):
        raise ScenarioError("--endpoint-name", f"{name!r} is not a SageMaker endpoint name")
    return name


def _schedule(measured: MeasuredInvocations) -> list[dict[str, float]]:
    steps: list[dict[str, float]] = []
    for index, count in enumerate(measured.total()):
        rate = round(float(count) / measured.period, 6)
        if not steps or steps[-1]["rate"] != rate:
            steps.append({"at": index * measured.period, "rate": rate})
    return steps


def build_scenario(inputs: ImportInputs, options: ImportOptions) -> ImportedScenario:
    """The scenario the documents describe; ScenarioErrors name the option and JSON path at fault."""
    region = _region(inputs, options)
    endpoint = read_config(inputs.config, load_catalog(region))
    name = _endpoint_name(inputs, options, endpoint)
    names = [variant["name"] for variant in endpoint.variants]
    scaling = read_scaling(inputs.scaling, name, names)
    measured = read_invocations(inputs.metrics, names, options.metric_period)
    spec, files = model_spec(options.profile, options.service_time)
    variants = [dict(variant) for variant in endpoint.variants]
    total = measured.total().sum()
    for variant in variants:
        if options.weights == "measured":
            variant["weight"] = round(float(measured.counts[variant["name"]].sum() / total), 6)
        if variant["name"] in scaling.by_variant:
            variant["autoscaling"] = scaling.by_variant[variant["name"]]
    routings = {variant.get("routing") for variant in variants if "routing" in variant}
    section: dict[str, Any] = {"name": name}
    if len(routings) == 1:
        section["routing"] = routings.pop()
        for variant in variants:
            variant.pop("routing", None)
    section["variants"] = variants
    document = {
        "name": options.name or name,
        "description": f"Endpoint config {endpoint.config_name} replaying {len(measured.total())} measured"
        f" periods of Invocations from {measured.start.isoformat()}",
        "duration": measured.period * len(measured.total()),
        "region": region,
        "models": {model: dict(spec) for model in endpoint.models},
        "endpoint": section,
        "traffic": {"arrivals": {"process": "schedule", "steps": _schedule(measured)}},
    }
    notes = [f"--endpoint-config {note}" for note in endpoint.notes] + scaling.notes
    return ImportedScenario(document, files, notes, measured)


def recommend_document(scenario: dict[str, Any], slo: str) -> dict[str, Any]:
    """recommend.yaml for the imported `scenario`; `slo` is PERCENTILE=LATENCY, e.g. P99=300ms. An Inference
    Recommender job: which instance types (of the config's families, and serverless) meet the SLO on the
    measured periods, sized and verified on them. Written beside the imported scenario, so `sagesim
    recommend` answers "what should serve this traffic" with the same models and measured schedule."""
    match = _SLO.fullmatch(slo.strip())
    if match is None:
        raise ScenarioError("--recommend-slo", f"{slo!r}: give P95=LATENCY or P99=LATENCY, e.g. P99=300ms")
    try:
        parse_typed_duration(match["value"])
    except ValueError as exc:
        raise ScenarioError("--recommend-slo", str(exc)) from None
    variants = scenario["endpoint"]["variants"]
    families = sorted({v["instance_type"].split(".")[1] for v in variants if "instance_type" in v})
    candidates: dict[str, Any] = {"families": families} if families else {"include_gpu": False}
    job: dict[str, Any] = {"model": next(iter(scenario["models"]))} if len(scenario["models"]) > 1 else {}
    return {
        "name": f"{scenario['name']}-recommend",
        "description": f"Which instance types serve the traffic of {scenario['name']} within the"
        f" {match['percentile'].upper()} latency SLO",
        "region": scenario["region"],
        "models": scenario["models"],
        "recommend": {
            **job,
            "latency_threshold": {"percentile": match["percentile"].upper(), "value": match["value"]},
            "candidates": candidates,
            "fleet_sizing": {
                "arrivals": scenario["traffic"]["arrivals"],
                "duration": scenario["duration"],
            },
        },
    }
