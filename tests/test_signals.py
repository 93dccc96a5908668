"""SIGINT and SIGTERM on a long command: one line, exit 130, no worker left running, nothing half-written."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _descendants(pid: int) -> set[int]:
    """Every process below pid (from /proc/<pid>/task/*/children)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_a_signal_stops_the_run_and_its_workers(tmp_path: Path, signum: signal.Signals) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "simulator.cli", "run", "scenarios/quickstart.yaml", "--out", str(out)]
    proc = subprocess.Popen(
        [*command, "--replications", "400", "--executor", "local", "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as from a terminal
    )
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline:  # the pool is up and working
            assert proc.poll() is None, proc.communicate()[1]
            workers = _descendants(proc.pid)
            time.sleep(0.2)
        assert len(workers) >= 2, "the pool never started"
        time.sleep(1.0)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "error: interrupted"
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "workers outlived the run"
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.slow
def test_sigkill_of_the_parent_leaves_no_worker_behind(tmp_path: Path) -> None:
    """SIGKILL cannot be caught: the pool workers (and multiprocessing's resource tracker, which only
    spawned workers need) notice the parent is gone and exit by themselves."""
    command = [sys.executable, "-m", "simulator.cli", "run", "scenarios/quickstart.yaml"]
    proc = subprocess.Popen(
        [*command, "--out", str(tmp_path / "out"), "--replications", "400", "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline:  # the two workers
            assert proc.poll() is None
            workers = _descendants(proc.pid)
            time.sleep(0.2)
        assert len(workers) >= 2, f"the pool never started: {workers}"
        time.sleep(1.0)
        workers = _descendants(proc.pid)  # the resource tracker too, if there is one
        proc.kill()
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # do not leave them to the next test, but fail
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, "workers outlived a killed parent"
