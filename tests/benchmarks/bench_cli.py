"""CLI start-up: wall time of whole `sagesim` processes that need no simulation, and what they import.

Prints, for `sagesim --help`, `--version`, `check` and `schema`, the median and range of the wall
time of a whole process over several runs (the command a user types, from process start to exit),
then the modules `import simulator.cli` spends most time on (`python -X importtime`). The target is
`--help` under 0.5 s on a quiet machine; on a busy one, compare runs side by side.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAGESIM = [sys.executable, "-m", "simulator.cli"]
COMMANDS = (["--help"], ["--version"], ["check", "scenarios/quickstart.yaml"], ["schema"])


def wall_times(arguments: list[str], runs: int) -> list[float]:
    """Seconds per whole process, after one warm-up run (file cache, bytecode)."""
    subprocess.run([*SAGESIM, *arguments], cwd=ROOT, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*SAGESIM, *arguments], cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def import_breakdown(top: int) -> list[tuple[float, str]]:
    """The slowest cumulative imports of `import simulator.cli`, in seconds."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import simulator.cli"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]) / 1e6, parts[2].rstrip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'command':<40} {'median s':>9} {'min s':>7} {'max s':>7}")
    for arguments in COMMANDS:
        times = wall_times(arguments, args.runs)
        label = "sagesim " + " ".join(arguments)
        print(f"{label:<40} {statistics.median(times):>9.3f} {min(times):>7.3f} {max(times):>7.3f}")
    print("\nslowest imports of `import simulator.cli` (cumulative seconds):")
    for seconds, module in import_breakdown(8):
        print(f"  {seconds:>7.3f}  {module}")


if __name__ == "__main__":
    main()
