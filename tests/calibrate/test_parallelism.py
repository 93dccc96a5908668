"""Runnable-thread sampling: a spinning process counts, a sleeping one does not; slots from the mean."""

from __future__ import annotations

import subprocess
import sys
import time

from simulator.calibrate.parallelism import (
    effective_parallelism,
    runnable_threads,
    sampling_runnable,
    worker_slots,
)


def test_a_spinning_process_is_runnable_and_a_sleeping_one_is_not() -> None:
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    sleeper = subprocess.Popen(
        [sys.executable, "-c", "import time; print('asleep', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sleeper.stdout is not None
        sleeper.stdout.readline()  # on a loaded machine its interpreter took over 0.5 s to get there
        time.sleep(0.1)
        with sampling_runnable(lambda: [spinner.pid, sleeper.pid], every_s=0.005) as samples:
            deadline = time.monotonic() + 10.0  # 0.5 s is enough on a quiet machine, not on a loaded one
            while len(samples) < 20 and time.monotonic() < deadline:
                time.sleep(0.1)
        assert len(samples) >= 20
        assert max(samples) == 1  # never the sleeper
        assert sum(samples) >= 0.8 * len(samples)  # the spinner almost always
        assert runnable_threads([sleeper.pid]) == 0
        assert runnable_threads([2**22 + 12345]) == 0  # a thread that is gone does not count
    finally:
        spinner.kill()
        sleeper.kill()
        spinner.wait()
        sleeper.wait()


def test_slots_round_the_mean_over_working_samples() -> None:
    assert effective_parallelism([0, 0, 4, 4, 3, 4]) == 3.75
    assert effective_parallelism([0, 0]) is None
    assert worker_slots(3.75, 1) == 4
    assert worker_slots(1.3, 1) == 1
    assert worker_slots(0.2, 2) == 1
    assert worker_slots(None, 2) == 2
