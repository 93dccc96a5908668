"""Recommender benchmark (`make bench-recommend`): a default job's wall time, and Dask scale-out.

1. `sagesim recommend scenarios/recommend-default.yaml` (fleet sizing off) and
   `sagesim recommend scenarios/recommend-today.yaml` (today's families: c7i, c7g, m7i, g5, g6,
   serverless) as whole processes on the local process pool: wall time and candidate count.
   Target: >= 12 candidates in <= 60 s on 2 cores.
2. The same job on a local Dask cluster of 1 and of 2 worker processes (and the local pool with 1 and 2),
   measured side by side in this run: the speed-up of 2 workers over 1, and that every run gives the
   same recommendations. The machines are shared and noisy: compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simulator.execution.choice import make_executor
from simulator.recommend.job import job_candidates, run_job
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent.parent
SCENARIO = ROOT / "scenarios" / "recommend-default.yaml"
TODAY = ROOT / "scenarios" / "recommend-today.yaml"
NO_FLEET = ["recommend.fleet_sizing=null"]


def whole_job(scenario: Path, out: Path) -> float:
    """Wall seconds of `sagesim recommend SCENARIO --out OUT --quiet --set recommend.fleet_sizing=null`."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "simulator.cli", "recommend", str(scenario), "--out", str(out)]
    subprocess.run([*command, "--quiet", "--set", NO_FLEET[0]], check=True)
    return time.perf_counter() - started


def report_whole_job(label: str, scenario: Path, directory: Path) -> None:
    """One whole-process job: its wall time, candidate count and the verdict against the target."""
    candidates, _ = job_candidates(load_scenario(scenario, NO_FLEET))
    wall = whole_job(scenario, directory / label)
    response = json.loads((directory / label / "recommendations.json").read_text())
    count = len(response["InferenceRecommendations"])
    verdict = "ok" if len(candidates) >= 12 and wall <= 60 else "MISSED"
    print(
        f"{label}: {len(candidates)} candidates ({count} recommended) in {wall:.1f} s wall, "
        f"whole process, local pool of 2  [target >= 12 in <= 60 s: {verdict}]"
    )


def timed(executor_name: str, workers: int) -> tuple[float, list[dict[str, object]]]:
    scenario = load_scenario(SCENARIO, NO_FLEET)
    started = time.perf_counter()
    result = run_job(scenario, make_executor(executor_name, workers))
    return time.perf_counter() - started, result.recommendations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-scaling", action="store_true", help="only the whole-job timing")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        report_whole_job("default job", SCENARIO, Path(directory))
        report_whole_job("today's families", TODAY, Path(directory))
    if arguments.skip_scaling:
        return
    runs = {}
    for name, workers in (("dask", 1), ("dask", 2), ("local", 1), ("local", 2)):
        runs[(name, workers)] = timed(name, workers)
        print(f"{name:>5} x{workers}: {runs[(name, workers)][0]:.1f} s")
    answers = {json.dumps(recommendations, sort_keys=True) for _, recommendations in runs.values()}
    print(f"identical recommendations across executors and worker counts: {len(answers) == 1}")
    for name in ("dask", "local"):
        print(f"{name} speed-up, 2 workers over 1: {runs[(name, 1)][0] / runs[(name, 2)][0]:.2f}x")


if __name__ == "__main__":
    main()
