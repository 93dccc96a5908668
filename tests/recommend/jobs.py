"""The example recommender jobs, computed once per test run however many xdist workers ask.

The first worker to ask computes the job under a file lock and pickles it into a directory shared by
the run's workers (named after xdist's PYTEST_XDIST_TESTRUNUID); the others wait and load it.
"""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from simulator.execution.executors import SerialExecutor
from simulator.recommend.job import JobResult, run_job
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent.parent


def _compute(stem: str) -> JobResult:
    return run_job(load_scenario(ROOT / "scenarios" / f"{stem}.yaml"), SerialExecutor())


@cache
def example_job(stem: str) -> JobResult:
    """The job of scenarios/<stem>.yaml, run serially (results do not depend on the executor)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        return _compute(stem)
    folder = Path(tempfile.gettempdir()) / f"sagesim-test-jobs-{run}"
    folder.mkdir(exist_ok=True)
    saved = folder / f"{stem}.pickle"
    with open(folder / f"{stem}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not saved.exists():
            result = _compute(stem)
            temporary = saved.with_suffix(".tmp")
            temporary.write_bytes(pickle.dumps(result))
            temporary.replace(saved)
            return result
    loaded: JobResult = pickle.loads(saved.read_bytes())
    return loaded


def job_summary(result: JobResult) -> dict[str, Any]:
    """What the golden file keeps of a job: recommendations, every candidate's answer, fleet sizing."""
    return {
        "recommendations": [item.as_dict() for item in result.recommendations],
        "candidates": {o.candidate.id: [o.max_invocations, o.reason] for o in result.outcomes},
        "excluded": [list(item) for item in result.excluded],
        "fleet": result.fleet,
    }


TIMES = ("CreationTime", "LastModifiedTime", "CompletionTime")


def without_times(out: Path) -> tuple[dict[str, Any], str]:
    """recommendations.json less its wall-clock times, and the detail file: what a job's results are."""
    response = json.loads((out / "recommendations.json").read_text())
    return {k: v for k, v in response.items() if k not in TIMES}, (
        out / "recommendations-detail.json"
    ).read_text()
