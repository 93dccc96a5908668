"""The example recommender jobs, computed once per test process (their tests share an xdist group)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from simulator.execution.executors import SerialExecutor
from simulator.recommend.job import JobResult, run_job
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent.parent
GROUP = "recommend-examples"


@cache
def example_job(stem: str) -> JobResult:
    """The job of scenarios/<stem>.yaml, run serially (results do not depend on the executor)."""
    return run_job(load_scenario(ROOT / "scenarios" / f"{stem}.yaml"), SerialExecutor())


def job_summary(result: JobResult) -> dict[str, Any]:
    """What the golden file keeps of a job: recommendations, every candidate's answer, fleet sizing."""
    return {
        "recommendations": result.recommendations,
        "candidates": {o.candidate.id: [o.max_invocations, o.reason] for o in result.outcomes},
        "excluded": [list(item) for item in result.excluded],
        "fleet": result.fleet,
    }
