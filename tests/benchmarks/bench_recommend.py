"""Recommender benchmark (`make bench-recommend`): a default job's wall time, and Dask scale-out.

1. `sagesim recommend scenarios/recommend-default.yaml` (fleet sizing off) and
   `sagesim recommend scenarios/recommend-today.yaml` (today's families: c7i, c7g, m7i, g5, g6,
   serverless) as whole processes on the local process pool: wall time and candidate count.
   Target: >= 12 candidates in <= 60 s on 2 cores.
2. The same job on a local Dask cluster of 1 and of 2 worker processes (and the local pool with 1 and 2),
   measured side by side in this run: the speed-up of 2 workers over 1, and that every run gives the
   same recommendations. The machines are shared and noisy: compare the ratios, not the seconds.

`--fleet` also times the default job as shipped (fleet sizing on; the search alone is the job with it
off). `--baseline DIR` times another source tree (e.g. `git archive <commit> | tar -x -C DIR`) in the same
run, alternately with this one, and checks both write the same recommendations.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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


def whole_job(scenario: Path, out: Path, tree: Path = ROOT, fleet: bool = False) -> float:
    """Wall seconds of `sagesim recommend SCENARIO --out OUT --quiet` (fleet sizing off unless `fleet`),
    running the `simulator` package of the source tree `tree`."""
    started = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "simulator.cli",
        "recommend",
        str(scenario),
        "--out",
        str(out),
        "--quiet",
    ]
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run(command + ([] if fleet else ["--set", NO_FLEET[0]]), check=True, cwd=tree, env=environment)
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


TIMES = ("CreationTime", "LastModifiedTime", "CompletionTime")


def results(out: Path) -> tuple[str, str]:
    """recommendations.json less its wall-clock times, and the detail file."""
    response = json.loads((out / "recommendations.json").read_text())
    kept = {key: value for key, value in response.items() if key not in TIMES}
    return json.dumps(kept, sort_keys=True), (out / "recommendations-detail.json").read_text()


def side_by_side(baseline: Path, directory: Path, fleet: bool, repeats: int) -> None:
    """The default job (search alone, and as shipped with `fleet`) on `baseline` and on this tree,
    alternately `repeats` times: median wall times, the median of the pairwise ratios, the targets
    (as shipped <= 15 s, search alone <= 5 s) and whether every run gives the same results."""
    jobs = [("search alone", False, 5.0)] + ([("as shipped, fleet sizing", True, 15.0)] if fleet else [])
    for label, with_fleet, target in jobs:
        walls: dict[str, list[float]] = {"baseline": [], "this tree": []}
        answers = set()
        for repeat in range(repeats):
            for name, tree in (("baseline", baseline), ("this tree", ROOT)):
                out = directory / f"{name}-{with_fleet}-{repeat}".replace(" ", "-")
                walls[name].append(whole_job(SCENARIO, out, tree, with_fleet))
                answers.add(results(out))
        ratios = [old / new for old, new in zip(walls["baseline"], walls["this tree"], strict=True)]
        mine = statistics.median(walls["this tree"])
        print(
            f"default job, {label}: baseline {statistics.median(walls['baseline']):.1f} s, this tree"
            f" {mine:.1f} s wall (medians of {repeats}; this tree {min(walls['this tree']):.1f}-"
            f"{max(walls['this tree']):.1f} s); baseline / this tree {statistics.median(ratios):.2f}x;"
            f" target <= {target:.0f} s: {'met' if mine <= target else 'MISSED'};"
            f" same results: {len(answers) == 1}"
        )


def timed(executor_name: str, workers: int) -> tuple[float, list[dict[str, object]]]:
    scenario = load_scenario(SCENARIO, NO_FLEET)
    started = time.perf_counter()
    result = run_job(scenario, make_executor(executor_name, workers))
    return time.perf_counter() - started, [item.as_dict() for item in result.recommendations]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-scaling", action="store_true", help="only the whole-job timing")
    parser.add_argument("--fleet", action="store_true", help="also the default job with fleet sizing")
    parser.add_argument("--baseline", type=Path, help="a source tree to time side by side with this one")
    parser.add_argument("--repeats", type=int, default=3, help="alternate runs per tree with --baseline")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        if arguments.baseline is not None:
            side_by_side(arguments.baseline.resolve(), Path(directory), arguments.fleet, arguments.repeats)
        elif arguments.fleet:
            wall = whole_job(SCENARIO, Path(directory) / "fleet", fleet=True)
            print(
                f"default job as shipped (fleet sizing on): {wall:.1f} s wall, whole process, local pool of 2"
            )
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
