"""The endpoint configurations a job tries, and the one-variant scenario that measures each."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from simulator.catalog import Catalog
from simulator.errors import ScenarioError
from simulator.hosting.service import service_plan
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.derive import derive
from simulator.scenario.kinds import EndpointScenario, RecommendScenario
from simulator.scenario.recommend_spec import (
    CandidateSpace,
    EndpointConfiguration,
    JobType,
    RecommendSpec,
)

VARIANT = "candidate"


@dataclass(frozen=True)
class Candidate:
    """One endpoint configuration: `instance_count` x `instance_type` (+ accelerator), or serverless."""

    instance_type: str | None = None
    instance_count: int = 1
    accelerator_type: str | None = None
    serverless_memory_mb: int | None = None
    serverless_max_concurrency: int | None = None
    serverless_provisioned_concurrency: int = 0

    @property
    def id(self) -> str:
        """A short unique name; its saved outcome's file name is made from it (store.file_name)."""
        if self.instance_type is None:
            provisioned = self.serverless_provisioned_concurrency
            return f"serverless-{self.serverless_memory_mb}MB-c{self.serverless_max_concurrency}" + (
                f"-p{provisioned}" if provisioned else ""
            )
        name = self.instance_type + (f"+{self.accelerator_type}" if self.accelerator_type else "")
        return name if self.instance_count == 1 else f"{self.instance_count}x{name}"

    @property
    def is_serverless(self) -> bool:
        return self.instance_type is None

    def variant(self, model: str) -> dict[str, Any]:
        """The scenario variant (plain data) serving `model` on this configuration."""
        variant: dict[str, Any] = {"name": VARIANT, "model": model}
        if self.is_serverless:
            variant["serverless"] = {
                "memory_mb": self.serverless_memory_mb,
                "max_concurrency": self.serverless_max_concurrency,
                "provisioned_concurrency": self.serverless_provisioned_concurrency,
            }
        else:
            variant["instance_type"] = self.instance_type
            variant["instance_count"] = self.instance_count
        if self.accelerator_type:
            variant["accelerator_type"] = self.accelerator_type
        return variant

    def endpoint_configuration(self) -> dict[str, Any]:
        """The Inference Recommender's EndpointConfiguration block (None for what the other kind has)."""
        serverless: dict[str, Any] | None = None
        if self.is_serverless:
            serverless = {
                "MemorySizeInMB": self.serverless_memory_mb,
                "MaxConcurrency": self.serverless_max_concurrency,
            }
            if self.serverless_provisioned_concurrency:
                serverless["ProvisionedConcurrency"] = self.serverless_provisioned_concurrency
        block: dict[str, Any] = {
            "InstanceType": self.instance_type,
            "InitialInstanceCount": self.instance_count if not self.is_serverless else None,
            "ServerlessConfig": serverless,
        }
        if self.accelerator_type:
            block["AcceleratorType"] = self.accelerator_type
        return block

    @classmethod
    def from_configuration(cls, configuration: EndpointConfiguration) -> Candidate:
        if configuration.serverless_config is not None:
            return cls(
                serverless_memory_mb=configuration.serverless_config.memory_size_in_mb,
                serverless_max_concurrency=configuration.serverless_config.max_concurrency,
                serverless_provisioned_concurrency=configuration.serverless_config.provisioned_concurrency,
            )
        return cls(
            instance_type=configuration.instance_type,
            instance_count=configuration.instance_count,
            accelerator_type=configuration.accelerator_type,
        )


def model_name(scenario: RecommendScenario) -> str:
    """The model the job recommends for (validated by the cross-reference rules)."""
    return scenario.recommend.model or next(iter(scenario.models))


def default_candidates(
    scenario: RecommendScenario, catalog: Catalog
) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """Candidates of a default job, and (configuration, reason) for catalog types left out."""
    space: CandidateSpace = scenario.recommend.candidates
    model = scenario.models[model_name(scenario)]
    chosen: list[Candidate] = []
    excluded: list[tuple[str, str]] = []
    for name in space.instance_types or sorted(catalog.instances):
        instance = catalog.instance(name)
        if space.families and instance.family not in space.families:
            continue
        gpu = instance.gpu is not None
        if gpu and not space.include_gpu:
            continue
        on_gpu = model.gpu_service_time is not None or model.batching is not None
        if gpu and not on_gpu and name not in model.per_instance_type:
            excluded.append((name, "the model has no gpu_service_time: it would not use the GPU"))
            continue
        if (
            not gpu
            and model.service_time is None
            and not model.containers
            and name not in model.per_instance_type
        ):
            excluded.append((name, "the model has no CPU service_time"))
            continue
        if model.memory > instance.memory_gib * 1024**3:
            excluded.append((name, "the model does not fit in the instance's memory"))
            continue
        hosts = space.accelerator_hosts
        attachable = [] if gpu or (hosts is not None and name not in hosts) else space.accelerators
        for accelerator in [None, *attachable]:
            label = name + (f"+{accelerator}" if accelerator else "")
            price = catalog.price_per_hour(name, accelerator) * space.instance_count
            if space.max_price_per_hour is not None and price > space.max_price_per_hour:
                excluded.append((label, f"costs {price:.3f} USD/hour, above max_price_per_hour"))
            elif accelerator and model.memory > catalog.accelerators[accelerator].memory_gib * 1024**3:
                excluded.append((label, "the model does not fit in the accelerator's memory"))
            else:
                chosen.append(
                    Candidate(
                        instance_type=name, instance_count=space.instance_count, accelerator_type=accelerator
                    )
                )
    if model.service_time is not None and not model.containers and not model.batching:
        chosen.extend(
            Candidate(
                serverless_memory_mb=memory, serverless_max_concurrency=space.serverless_max_concurrency
            )
            for memory in space.serverless_memory_mb
        )
    return chosen, excluded


def advanced_candidates(spec: RecommendSpec) -> list[Candidate]:
    assert spec.advanced is not None
    candidates = [Candidate.from_configuration(c) for c in spec.advanced.endpoint_configurations]
    limit = spec.advanced.resource_limit.max_number_of_tests
    return candidates[:limit] if limit else candidates


def job_candidates(scenario: RecommendScenario) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """The configurations the job tests, and catalog types left out with the reason."""
    if scenario.recommend.job_type is JobType.ADVANCED:
        return advanced_candidates(scenario.recommend), []
    return default_candidates(scenario, scenario_catalog(scenario))


def check_has_candidates(scenario: RecommendScenario) -> None:
    """A job whose filters leave nothing to test is refused before anything is written, naming the
    filter that removed the last candidates (a price cap, or the space as a whole)."""
    candidates, excluded = job_candidates(scenario)
    if candidates:
        return
    priced_out = [label for label, reason in excluded if "above max_price_per_hour" in reason]
    if priced_out:
        space = scenario.recommend.candidates
        catalog = scenario_catalog(scenario)

        def price(label: str) -> float:
            name, _, accelerator = label.partition("+")
            return catalog.price_per_hour(name, accelerator or None) * space.instance_count

        cheapest = min(priced_out, key=price)
        raise ScenarioError(
            "recommend.candidates.max_price_per_hour",
            f"no candidate costs at most {space.max_price_per_hour:g} USD/hour (the cheapest,"
            f" {cheapest}, costs {price(cheapest):.3f})",
        )
    reasons = "; ".join(f"{label}: {reason}" for label, reason in excluded[:3])
    raise ScenarioError(
        "recommend.candidates", "no candidate is left to test" + (f" ({reasons})" if reasons else "")
    )


def capacity_estimate(scenario: RecommendScenario, catalog: Catalog, candidate: Candidate) -> float | None:
    """Requests per second the configuration can serve at full utilisation (a starting bracket only);
    None when there is no simple bound."""
    model = scenario.models[model_name(scenario)]
    if candidate.is_serverless:
        assert model.service_time is not None and candidate.serverless_memory_mb is not None
        share = min(1.0, candidate.serverless_memory_mb / catalog.serverless.mb_per_vcpu)
        return (candidate.serverless_max_concurrency or 1) * share / model.service_time.mean()
    assert candidate.instance_type is not None
    instance = catalog.instance(candidate.instance_type)
    if candidate.accelerator_type is not None and model.elastic_inference is not None:
        accelerator = catalog.accelerators[candidate.accelerator_type]
        payload = scenario.traffic.payload_size if scenario.traffic is not None else 1024.0
        busy = model.elastic_inference.accelerator_time(
            accelerator.fp32_tflops, accelerator.fp16_tflops, payload
        )
        cpu = instance.vcpus * instance.cpu_speed / max(model.elastic_inference.cpu_time.mean(), 1e-9)
        return candidate.instance_count * min(cpu, 1.0 / busy)
    if model.containers or model.batching:
        return None  # pipelines and batching: no simple bound; the search brackets from 1 request/s
    plan = service_plan(model, instance, catalog)
    return candidate.instance_count * plan.devices / max(plan.mean(), 1e-9)


def trial_scenario(
    scenario: RecommendScenario,
    candidate: Candidate,
    arrivals: dict[str, Any],
    duration: float,
    warmup: float,
    period: float = 60.0,
    fleet: dict[str, Any] | None = None,
) -> EndpointScenario:
    """A one-variant scenario: the job's model on `candidate` (with `fleet`'s variant fields, a sized
    fleet's count and autoscaling) under `arrivals`, with the job's endpoint overheads, payload and
    catalog overrides; every request recorded.

    `period` is the metrics datapoint length: short trials use 1 s so utilisation has datapoints.
    """
    model = model_name(scenario)
    variant = {**candidate.variant(model), **(fleet or {})}
    endpoint: dict[str, Any] = {"name": "recommender", "variants": [variant]}
    if scenario.endpoint is not None:
        endpoint["overhead"] = scenario.endpoint.overhead
        endpoint["network_bandwidth"] = scenario.endpoint.network_bandwidth
    payload = scenario.traffic.payload_size if scenario.traffic is not None else 1024.0
    changes = {
        "name": f"{scenario.name}-{'fleet-' if fleet else ''}{candidate.id}",
        "description": None,
        "replications": None,
        "duration": duration,
        "warmup": warmup,
        "models": {model: scenario.models[model]},
        "endpoint": endpoint,
        "traffic": {"arrivals": arrivals, "payload_size": payload},
        "metrics": {"per_request_records": True, "period": period},
        "recommend": None,
        "engine": scenario.engine,
    }
    return derive(scenario, changes, EndpointScenario)


MIN_TRIAL_SECONDS = 10.0
SERVERLESS_MIN_WARMUP_SECONDS = 30.0
"""Serverless trials warm up past the first cold starts (median 8 s by default, p99 20 s)."""


def poisson_trial(
    scenario: RecommendScenario, candidate: Candidate, rate: float, requests: int, warmup_fraction: float
) -> EndpointScenario:
    """Poisson load at `rate` long enough for about `requests` measured requests (at least 10 s)."""
    measured = max(requests / rate, MIN_TRIAL_SECONDS)
    warmup = measured * warmup_fraction / (1 - warmup_fraction)
    if candidate.is_serverless:
        warmup = max(warmup, SERVERLESS_MIN_WARMUP_SECONDS)
    return trial_scenario(
        scenario,
        candidate,
        {"process": "poisson", "rate": rate},
        duration=warmup + measured,
        warmup=warmup,
        period=1.0,
    )


def floor_per_minute(rate_per_second: float) -> int:
    """Invocations per minute, rounded down so the reported figure is one the search found sustainable."""
    return max(0, math.floor(rate_per_second * 60.0 + 1e-9))
