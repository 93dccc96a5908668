"""Monte Carlo summary (summary.json content) and plots for the example scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from simulator.core.rng import replication_seed
from simulator.report.training_plots import plot_training
from simulator.scenario.training_spec import TrainingJobSpec
from simulator.training import simulate_training
from simulator.training.formulas import on_demand_seconds
from simulator.training_analysis import run_replications, summarize_training

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "spot-training.yaml"
REQUIRED = {
    "completion_time_s": ("mean", "p50", "p90"),
    "training_time_s": ("mean",),
    "billable_time_s": ("mean",),
    "savings_pct": ("mean",),
    "cost_usd": ("mean",),
    "interruptions": ("mean",),
}


@pytest.fixture(scope="module")
def example():
    from simulator.catalog import load_catalog

    doc = yaml.safe_load(SCENARIO.read_text())
    job = TrainingJobSpec.model_validate({**doc["training_job"], "deadline": "30h"})
    catalog = load_catalog()
    runs = run_replications(job, catalog, doc["seed"], doc["replications"])
    return job, catalog, runs


def _means(node: object) -> list[dict]:
    """Every dict in the summary that has a 'mean'."""
    found = []
    if isinstance(node, dict):
        if "mean" in node:
            found.append(node)
        for value in node.values():
            found.extend(_means(value))
    return found


def test_summary_has_the_contract_keys_and_cis(example) -> None:
    job, catalog, runs = example
    summary = summarize_training(job, catalog, runs).as_dict()
    json.loads(json.dumps(summary))  # plain JSON, no numpy or inf
    for key, fields in REQUIRED.items():
        for field in fields:
            assert isinstance(summary[key][field], float), (key, field)
    assert 0 <= summary["max_wait_exceeded_fraction"] <= 1
    for node in _means(summary):
        assert node["ci95_low"] <= node["mean"] <= node["ci95_high"], node
    assert summary["replications"] == 200
    assert 0 <= summary["deadline_miss_probability"] <= 1
    assert summary["probabilities"]["deadline_missed"]["mean"] == summary["deadline_miss_probability"]


def test_summary_json_key_order_and_optional_parts(example) -> None:
    job, catalog, runs = example
    summary = summarize_training(job, catalog, runs).as_dict()
    head = ["kind", "replications", "instance_type", "instance_count", "spot", "spot_discount", "work_s"]
    head += ["job_mtbf_s", "max_runtime_s", "max_wait_s"]
    metrics = ["completion_time_s", "training_time_s", "billable_time_s", "runtime_s", "savings_pct"]
    metrics += ["cost_usd", "cost_on_demand_usd", "interruptions", "checkpoints", "lost_work_s"]
    metrics += ["capacity_wait_s"]
    tail = ["deadline_s", "deadline_miss_probability", "probabilities", "completed_fraction"]
    tail += ["max_wait_exceeded_fraction", "max_runtime_exceeded_fraction", "on_demand", "spot_vs_on_demand"]
    assert list(summary) == head + metrics + tail
    assert list(summary["on_demand"]) == [*metrics, "status"]
    spread = ["mean", "ci95_low", "ci95_high", "std", "min", "p50", "p90", "p95", "p99", "max"]
    assert list(summary["completion_time_s"]) == spread
    # without a deadline its figures are left out, not written as null
    plain = summarize_training(job.model_copy(update={"deadline": None}), catalog, runs[:20]).as_dict()
    assert "deadline_s" not in plain and "deadline_missed" not in plain["probabilities"]
    assert plain["kind"] == "training_job" and plain["replications"] == 20


def test_spot_beside_on_demand(example) -> None:
    job, catalog, runs = example
    summary = summarize_training(job, catalog, runs)
    on_demand = summary.on_demand
    assert on_demand.completion_time_s == pytest.approx(on_demand_seconds(job))  # 20 h + 19 checkpoints
    assert on_demand.interruptions == 0 and on_demand.savings_pct == 0
    side = summary.spot_vs_on_demand
    assert side.cost_usd.on_demand == pytest.approx(on_demand_seconds(job) * 3.825 / 3600)
    # spot is slower (interruptions, waits, redone work) but cheaper (70% discount) for this job
    assert side.completion_time_s.spot.ci95_low > side.completion_time_s.on_demand
    saving = side.cost_saving_vs_on_demand_pct
    assert saving is not None and saving.ci95_low > 50 and saving.ci95_high < 70
    # SageMaker's savings figure counts waiting time as saved, so it exceeds the plain price discount
    assert summary.savings_pct.mean > 70
    assert summary.job_mtbf_s == pytest.approx(6 * 3600)
    assert summary.interruptions.mean > 2
    assert summary.completed_fraction == summary.probabilities.completed.mean


def test_replications_use_documented_seeds(example) -> None:
    job, catalog, runs = example
    assert runs[7] == simulate_training(job, catalog, replication_seed(3, 7))
    assert runs[7] != runs[8]


def test_plots(example, tmp_path: Path) -> None:
    job, _, runs = example
    paths = plot_training(runs, job, tmp_path / "plots")
    assert {p.name for p in paths} == {
        "training_completion_cdf.png",
        "training_cost_cdf.png",
        "training_timeline.png",
    }
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_the_table_of_an_on_demand_job_says_so(example) -> None:
    """A trial: an on-demand job's table was headed "spot" and listed savings and MaxWait rows."""
    from simulator.report.training_outputs import training_rows

    job, catalog, _ = example
    on_demand = job.model_copy(update={"spot": None, "max_wait": None})
    runs = run_replications(on_demand, catalog, 1, 3)
    header, rows = training_rows(summarize_training(on_demand, catalog, runs))
    labels = [row[0] for row in rows]
    assert header[1] == "this job: mean [95% CI]"
    assert "savings %" not in labels and "MaxWait exceeded (fraction)" not in labels
    header, rows = training_rows(summarize_training(job, catalog, example[2]))
    assert header[1] == "spot: mean [95% CI]" and "savings %" in [row[0] for row in rows]
