"""A real Dask scheduler and two worker processes on loopback give the local executor's answers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.recommend.jobs import without_times

pytestmark = pytest.mark.slow  # minutes of simulation: `make test` runs it, `make test-fast` does not

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """`dask scheduler` plus two `dask worker` processes on 127.0.0.1; yields the scheduler address."""
    from distributed import Client

    scheduler_file = tmp_path / "scheduler.json"
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--port",
                "0",
                "--scheduler-file",
                str(scheduler_file),
                *common,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_worker",
                        address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        *common,
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
            assert len(client.scheduler_info()["workers"]) == 2
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def test_dask_cluster_gives_the_local_executors_recommendations(
    cli: Cli,
    write_scenario: Callable[..., Path],
    small_job: dict[str, Any],
    tmp_path: Path,
    dask_cluster: str,
) -> None:
    scenario = write_scenario(small_job)
    local, distributed = tmp_path / "local", tmp_path / "dask"
    assert cli("recommend", scenario, "--out", local, "--workers", "2")[0] == 0
    code, _, stderr = cli(
        "recommend", scenario, "--out", distributed, "--executor", "dask", "--scheduler", dask_cluster
    )
    assert code == 0, stderr
    for name in ("recommendations.csv", "curves.csv", "candidates.csv"):
        assert (local / name).read_text() == (distributed / name).read_text(), name
    assert without_times(local) == without_times(distributed)
