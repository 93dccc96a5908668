"""Bad input for pipelines, batching, GPUs, Elastic Inference, batch transform and options: one error line.

Same harness as test_validation.py: each case edits the small valid base scenario. Every case is
checked at the schema seam (tests/test_schema_rules.py); one per section also runs
`sagesim run SCENARIO --out DIR`, which must stop with exit code 2, one line naming the YAML path,
nothing on stdout and nothing written.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.test_validation import Case, case, drop, end_to_end, put
from tests.test_validation import test_bad_input_is_one_error_line as check_case

MODEL = "models.m1"
VARIANT = "endpoint.variants[0]"
DET = {"distribution": "deterministic", "value": "10ms"}


def containers(count: int) -> list[dict[str, Any]]:
    return [{"name": f"c{i}", "service_time": DET} for i in range(count)]


EI = {"gflops": 4, "cpu_time": DET}
BATCHING = {"max_batch_size": 8, "base": "5ms", "per_request": "1ms"}
TRANSFORM = {
    "model": "m1",
    "instance_type": "ml.c5.xlarge",
    "dataset": {"records": 1000, "record_size": "1KB"},
}


def transform_only(document: Any) -> None:
    """Replace the endpoint and traffic by a batch transform of model m1."""
    del document["endpoint"], document["traffic"], document["duration"], document["warmup"]
    document["batch_transform"] = copy.deepcopy(TRANSFORM)


SERVING_CASES = [
    # --- pipelines -------------------------------------------------------------------------------------
    case(
        "pipeline-one-container",
        f"{MODEL}.containers",
        "2-15 containers, got 1",
        put(f"{MODEL}.containers", containers(1)),
    ),
    case(
        "pipeline-16-containers",
        f"{MODEL}.containers",
        "2-15 containers, got 16",
        put(f"{MODEL}.containers", containers(16)),
    ),
    case(
        "pipeline-duplicate-container-names",
        MODEL,
        "duplicate container name 'c0'",
        put(f"{MODEL}.containers", [{"name": "c0", "service_time": DET}] * 2),
    ),
    case(
        "pipeline-container-bad-name",
        f"{MODEL}.containers[0].name",
        "pattern",
        put(
            f"{MODEL}.containers",
            [{"name": "bad name", "service_time": DET}, {"name": "b", "service_time": DET}],
        ),
    ),
    case(
        "pipeline-container-without-service-time",
        f"{MODEL}.containers[1].service_time",
        "required key is missing",
        put(f"{MODEL}.containers", [{"name": "a", "service_time": DET}, {"name": "b"}]),
    ),
    case(
        "pipeline-negative-output-ratio",
        f"{MODEL}.containers[0].output_ratio",
        "greater than or equal to 0",
        put(f"{MODEL}.containers", [{"name": "a", "service_time": DET, "output_ratio": -1}, *containers(1)]),
    ),
    case(
        "pipeline-hop-bandwidth-zero",
        f"{MODEL}.hop.bandwidth",
        "greater than 0",
        put(f"{MODEL}.hop", {"bandwidth": 0}),
    ),
    case("hop-without-containers", MODEL, "give containers", put(f"{MODEL}.hop", {"latency": "1ms"})),
    case(
        "pipeline-and-batching",
        MODEL,
        "not both",
        put(f"{MODEL}.containers", containers(2)),
        put(f"{MODEL}.batching", BATCHING),
    ),
    case(
        "pipeline-on-serverless",
        "endpoint.variants[1].serverless",
        "need instances",
        put(f"{MODEL}.containers", containers(2)),
        drop("endpoint.variants[1].instance_type"),
        put("endpoint.variants[1].serverless", {"memory_mb": 2048, "max_concurrency": 5}),
    ),
    case(
        "pipeline-streaming",
        "metrics.per_request_records",
        "pipeline stages",
        put(f"{MODEL}.containers", containers(2)),
        put("metrics.per_request_records", False),
    ),
    # --- batching and GPUs -----------------------------------------------------------------------------
    case(
        "batching-size-zero",
        f"{MODEL}.batching.max_batch_size",
        "greater than or equal to 1",
        put(f"{MODEL}.batching", {**BATCHING, "max_batch_size": 0}),
    ),
    case(
        "batching-per-request-zero",
        f"{MODEL}.batching.per_request",
        "greater than 0",
        put(f"{MODEL}.batching", {**BATCHING, "per_request": 0}),
    ),
    case(
        "batching-delay-too-long",
        f"{MODEL}.batching.max_queue_delay",
        "less than or equal",
        put(f"{MODEL}.batching", {**BATCHING, "max_queue_delay": "2m"}),
    ),
    case(
        "model-larger-than-gpu-memory",
        f"{MODEL}.memory",
        "GPU memory",
        put(f"{MODEL}.memory", "20GiB"),
        put(f"{MODEL}.gpu_service_time", DET),
        put(f"{VARIANT}.instance_type", "ml.p3.2xlarge"),
    ),
    case(
        "batch-larger-than-gpu-memory",
        f"{MODEL}.memory",
        "with a full batch",
        put(f"{MODEL}.batching", {**BATCHING, "max_batch_size": 64, "activation_memory": "256MiB"}),
        put(f"{VARIANT}.instance_type", "ml.g4dn.xlarge"),
    ),
    case(
        "batching-per-instance-type-unknown",
        f"{MODEL}.batching.per_instance_type.ml.x9.huge",
        "unknown instance type",
        put(
            f"{MODEL}.batching",
            {**BATCHING, "per_instance_type": {"ml.x9.huge": {"base": 0, "per_request": 1}}},
        ),
    ),
    case(
        "error-rate-with-batching",
        f"{VARIANT}.model",
        "not modelled with pipelines, batching",
        put(f"{MODEL}.error_rate", 0.01),
        put(f"{MODEL}.batching", BATCHING),
    ),
    # --- Elastic Inference -----------------------------------------------------------------------------
    case(
        "accelerator-unknown",
        f"{VARIANT}.accelerator_type",
        "unknown accelerator type 'ml.eia3.large'",
        put(f"{VARIANT}.accelerator_type", "ml.eia3.large"),
        put(f"{MODEL}.elastic_inference", EI),
    ),
    case(
        "accelerator-on-gpu-instance",
        f"{VARIANT}.accelerator_type",
        "has GPUs",
        put(f"{VARIANT}.instance_type", "ml.p3.2xlarge"),
        put(f"{VARIANT}.accelerator_type", "ml.eia2.medium"),
        put(f"{MODEL}.elastic_inference", EI),
    ),
    case(
        "model-larger-than-accelerator-memory",
        f"{MODEL}.memory",
        "ml.eia1.medium has 1 GiB",
        put(f"{MODEL}.memory", "1.5GiB"),
        put(f"{VARIANT}.accelerator_type", "ml.eia1.medium"),
        put(f"{MODEL}.elastic_inference", EI),
    ),
    case(
        "accelerator-without-elastic-inference-model",
        f"{MODEL}.elastic_inference",
        "required when a variant has an accelerator_type",
        put(f"{VARIANT}.accelerator_type", "ml.eia2.medium"),
    ),
    case(
        "accelerator-with-pipeline",
        f"{VARIANT}.accelerator_type",
        "not supported with containers",
        put(f"{VARIANT}.accelerator_type", "ml.eia2.medium"),
        put(f"{MODEL}.elastic_inference", EI),
        put(f"{MODEL}.containers", containers(2)),
    ),
    case(
        "accelerator-on-serverless",
        "endpoint.variants[1].accelerator_type",
        "serverless",
        drop("endpoint.variants[1].instance_type"),
        put("endpoint.variants[1].serverless", {"memory_mb": 2048, "max_concurrency": 5}),
        put("endpoint.variants[1].accelerator_type", "ml.eia2.medium"),
    ),
    case(
        "ei-gflops-zero",
        f"{MODEL}.elastic_inference.gflops",
        "greater than 0",
        put(f"{MODEL}.elastic_inference", {**EI, "gflops": 0}),
    ),
    case(
        "ei-efficiency-above-one",
        f"{MODEL}.elastic_inference.efficiency",
        "less than or equal to 1",
        put(f"{MODEL}.elastic_inference", {**EI, "efficiency": 1.5}),
    ),
    case(
        "ei-precision-unknown",
        f"{MODEL}.elastic_inference.precision",
        "fp32",
        put(f"{MODEL}.elastic_inference", {**EI, "precision": "int8"}),
    ),
    case(
        "ei-only-model-without-accelerator",
        f"{VARIANT}.instance_type",
        "no service time",
        drop(f"{MODEL}.service_time"),
        put(f"{MODEL}.elastic_inference", EI),
    ),
    # --- batch transform -------------------------------------------------------------------------------
    case("transform-with-endpoint", "batch_transform", "one thing", put("batch_transform", TRANSFORM)),
    case(
        "transform-unknown-model",
        "batch_transform.model",
        "unknown model 'zz'",
        transform_only,
        put("batch_transform.model", "zz"),
    ),
    case(
        "transform-unknown-instance-type",
        "batch_transform.instance_type",
        "unknown instance type",
        transform_only,
        put("batch_transform.instance_type", "ml.x9.huge"),
    ),
    case(
        "transform-records-and-size",
        "batch_transform.dataset",
        "not both",
        transform_only,
        put("batch_transform.dataset.size", "1GB"),
    ),
    case(
        "transform-no-records",
        "batch_transform.dataset",
        "give records or size",
        transform_only,
        drop("batch_transform.dataset.records"),
    ),
    case(
        "transform-record-above-max-payload",
        "batch_transform.dataset.record_size",
        "larger than max_payload",
        transform_only,
        put("batch_transform.max_payload", "500B"),
    ),
    case(
        "transform-max-payload-over-100mb",
        "batch_transform.max_payload",
        "less than or equal",
        transform_only,
        put("batch_transform.max_payload", "101MB"),
    ),
    case(
        "transform-bad-strategy",
        "batch_transform.batch_strategy",
        "MultiRecord",
        transform_only,
        put("batch_transform.batch_strategy", "AllRecords"),
    ),
    case(
        "transform-zero-transforms",
        "batch_transform.max_concurrent_transforms",
        "greater than or equal to 1",
        transform_only,
        put("batch_transform.max_concurrent_transforms", 0),
    ),
    case(
        "transform-instance-count-zero",
        "batch_transform.instance_count",
        "greater than or equal to 1",
        transform_only,
        put("batch_transform.instance_count", 0),
    ),
    case(
        "transform-model-too-big",
        "models.m1.memory",
        "does not fit",
        transform_only,
        put(f"{MODEL}.memory", "100GiB"),
    ),
    case(
        "transform-with-traffic",
        "endpoint",
        "traffic needs an endpoint",
        transform_only,
        put("traffic", {"arrivals": {"process": "poisson", "rate": "1/s"}}),
    ),
    # --- options ---------------------------------------------------------------------------------------
    case(
        "options-unknown-variant",
        "options.variants[0]",
        "unknown variant 'zz'",
        put("options", {"slo": {"latency": "100ms"}, "variants": ["zz"]}),
    ),
    case(
        "options-variant-twice",
        "options.variants",
        "a is listed more than once",
        put("options", {"slo": {"latency": "100ms"}, "variants": ["a", "b", "a"]}),
    ),
    case("options-missing-slo", "options.slo", "required key is missing", put("options", {})),
    case(
        "options-slo-latency-zero",
        "options.slo.latency",
        "greater than 0",
        put("options", {"slo": {"latency": 0}}),
    ),
    case(
        "options-slo-percentile-unknown",
        "options.slo.percentile",
        "p99",
        put("options", {"slo": {"latency": "1s", "percentile": "p42"}}),
    ),
    case(
        "options-with-updates",
        "endpoint.updates",
        "each variant alone",
        put("options", {"slo": {"latency": "1s"}}),
        put("endpoint.updates", [{"at": "2m", "weights": {"a": 2}}]),
    ),
    case(
        "options-with-target-variants",
        "traffic.target_variants",
        "each variant alone",
        put("options", {"slo": {"latency": "1s"}}),
        put("traffic.target_variants", [{"variant": "a", "share": 0.5}]),
    ),
    case(
        "options-with-rollout",
        "options",
        "options run each variant alone: remove rollout",
        put("options", {"slo": {"latency": "1s"}}),
        put("rollout", {"blue": "a", "green": "b"}),
    ),
    case(
        "recommend-with-options",
        "recommend",
        "a recommend job runs alone: remove options",
        put("options", {"slo": {"latency": "1s"}}),
        put("recommend", {}),
    ),
]


SERVING_END_TO_END = {
    "pipeline-one-container",
    "batching-size-zero",
    "accelerator-unknown",
    "transform-unknown-model",
    "options-missing-slo",
}


@pytest.mark.parametrize("spec", end_to_end(SERVING_CASES, SERVING_END_TO_END))
def test_serving_bad_input_is_one_error_line(
    spec: Case,
    base_scenario: dict[str, Any],
    write_scenario: Callable[[Any], Path],
    cli: Callable[..., tuple[int, str, str]],
    tmp_path: Path,
) -> None:
    check_case(spec, base_scenario, write_scenario, cli, tmp_path)
