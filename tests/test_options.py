"""Options: every variant alone under the same traffic; the cheapest one meeting the SLO is named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simulator.options import compare_options, option_scenario, verdict
from simulator.scenario import load_scenario_dict

EXP = {"distribution": "exponential", "mean": "50ms"}


def options_doc(latency: str) -> dict[str, Any]:
    return {
        "name": "options",
        "seed": 2,
        "duration": "4m",
        "warmup": "30s",
        "replications": 2,
        "models": {"m": {"service_time": EXP}},
        "endpoint": {
            "name": "ep",
            "variants": [
                # 32 requests/s x 50 ms = 1.6 busy vCPUs: utilisation 0.4 on 4 vCPUs, 0.2 on 8
                {"name": "small", "model": "m", "instance_type": "ml.c5.xlarge", "weight": 5},
                {"name": "big", "model": "m", "instance_type": "ml.c5.2xlarge"},
                # 0.8 on 2 vCPUs: queueing makes its p99 clearly the worst
                {"name": "tiny", "model": "m", "instance_type": "ml.c5.large"},
            ],
        },
        "traffic": {"arrivals": {"process": "poisson", "rate": "32/s"}},
        "options": {"slo": {"percentile": "p99", "latency": latency}},
    }


def test_each_option_gets_the_whole_traffic() -> None:
    scenario = load_scenario_dict(options_doc("1s"))
    single = option_scenario(scenario, "small")
    assert [v.name for v in single.endpoint.variants] == ["small"]  # type: ignore[union-attr]
    assert single.endpoint.variants[0].weight == 1.0  # type: ignore[union-attr]
    summary = compare_options(scenario).summary
    throughput = [row.throughput_per_s.mean for row in summary.options.values()]
    assert throughput == pytest.approx([throughput[0]] * 3, rel=1e-9)  # same arrivals for every option
    assert throughput[0] == pytest.approx(32, rel=0.05)


def test_cheapest_option_meeting_the_slo_is_named() -> None:
    generous = compare_options(load_scenario_dict(options_doc("10s"))).summary
    assert all(row.meets_slo for row in generous.options.values())
    assert generous.cheapest_meeting_slo == "tiny"  # cheapest instance, same traffic
    tiny_p99 = generous.options["tiny"].latency_ms.ci95_low
    small_p99 = generous.options["small"].latency_ms.ci95_high
    big_p99 = generous.options["big"].latency_ms.ci95_high
    assert tiny_p99 is not None and small_p99 is not None and big_p99 is not None
    assert max(small_p99, big_p99) < tiny_p99
    between = (tiny_p99 + max(small_p99, big_p99)) / 2  # tiny misses, small and big meet
    strict = compare_options(load_scenario_dict(options_doc(f"{between}ms"))).summary
    assert not strict.options["tiny"].meets_slo
    assert strict.cheapest_meeting_slo == "small"
    assert "small" in verdict(strict)
    impossible = compare_options(load_scenario_dict(options_doc("1ms"))).summary
    assert impossible.cheapest_meeting_slo is None
    assert verdict(impossible).startswith("no option meets the SLO")


def test_summary_json_names_the_latency_by_its_percentile() -> None:
    document = {**options_doc("10s"), "duration": "1m", "warmup": "10s"}
    document["options"]["slo"]["percentile"] = "p95"
    data = compare_options(load_scenario_dict(document), replications=1).summary.as_dict()
    assert list(data) == ["replications", "slo", "options", "cheapest_meeting_slo"]  # no legacy: no notes
    assert list(data["slo"]) == ["percentile", "latency_ms", "max_error_rate", "rule"]
    hardware = ["instance_type", "accelerator_type", "price_per_hour", "instance_count"]
    figures = ["usd_per_million_inferences", "latency_p95_ms", "throughput_per_s", "error_rate"]
    assert list(data["options"]["small"]) == [*hardware, *figures, "meets_slo", "legacy"]
    assert list(data["options"]["small"]["error_rate"]) == ["mean", "ci95_low", "ci95_high"]


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_cli_prints_cost_p99_and_the_cheapest_option(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]], write_scenario: Callable[[Any], Path]
) -> None:
    document = options_doc("10s")
    document["endpoint"]["variants"][1]["accelerator_type"] = "ml.eia2.medium"
    document["models"]["m"]["elastic_inference"] = {"gflops": 1, "cpu_time": EXP}
    code, stdout, stderr = cli("run", write_scenario(document), "--out", tmp_path / "out")
    assert code == 0, stderr
    assert "USD per 1M inferences" in stdout and "p99 ms" in stdout
    assert "cheapest option meeting the SLO" in stdout
    assert "legacy" in stdout
    assert (tmp_path / "out" / "report.html").exists()


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_a_process_pool_gives_the_same_figures() -> None:
    from simulator.execution.executors import LocalPoolExecutor

    scenario = load_scenario_dict({**options_doc("10s"), "duration": "1m", "warmup": "10s"})
    serial = compare_options(scenario).summary
    pooled = compare_options(scenario, executor=LocalPoolExecutor(2)).summary
    assert pooled == serial
