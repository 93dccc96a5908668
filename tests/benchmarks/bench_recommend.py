"""Recommender benchmark (`make bench-recommend`): a default job's wall time, and Dask scale-out.

1. `sagesim recommend scenarios/recommend-default.yaml` (fleet sizing off) as a whole process on the
   local process pool: wall time and candidate count. Target: >= 12 candidates in <= 60 s on 2 cores.
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
NO_FLEET = ["recommend.fleet_sizing=null"]


def whole_job(out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            "recommend",
            str(SCENARIO),
            "--out",
            str(out),
            "--quiet",
            "--set",
            NO_FLEET[0],
        ],
        check=True,
    )
    return time.perf_counter() - started


def timed(executor_name: str, workers: int) -> tuple[float, list[dict[str, object]]]:
    scenario = load_scenario(SCENARIO, NO_FLEET)
    started = time.perf_counter()
    result = run_job(scenario, make_executor(executor_name, workers))
    return time.perf_counter() - started, result.recommendations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-scaling", action="store_true", help="only the whole-job timing")
    arguments = parser.parse_args()
    candidates, _ = job_candidates(load_scenario(SCENARIO, NO_FLEET))
    with tempfile.TemporaryDirectory() as directory:
        wall = whole_job(Path(directory) / "job")
        response = json.loads((Path(directory) / "job" / "recommendations.json").read_text())
        count = len(response["InferenceRecommendations"])
    verdict = "ok" if len(candidates) >= 12 and wall <= 60 else "MISSED"
    print(
        f"default job: {len(candidates)} candidates ({count} recommended) in {wall:.1f} s wall, "
        f"whole process, local pool of 2  [target >= 12 in <= 60 s: {verdict}]"
    )
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
