"""What a user sees while a calibration or validation of minutes runs: a line per finished level."""

from __future__ import annotations

from dataclasses import replace

from simulator.calibrate.host_speed import describe_record
from simulator.calibrate.interference import Interference
from simulator.calibrate.loads import Load, LoadResult, Record
from simulator.calibrate.measure import Level, pass_number, progress_line


def _level(attempts: int) -> Level:
    """100 requests of 20 ms, one every 0.1 s, after a second of warm-up."""
    load = Load("open", 10.0, 100, 11.0, warmup_s=1.0)
    records = [Record(t, t, t + 0.020, 200) for t in (1.0 + 0.1 * i for i in range(100))]
    return Level(LoadResult(load, records, elapsed=11.0), cpu_seconds=1.0, attempts=attempts)


def test_a_level_is_told_with_its_place_in_the_run_and_what_it_measured() -> None:
    line = progress_line("fit", 3, 13, _level(1))
    assert line == "fit 3/13: Poisson 10.0/s: 10.0/s, p50 20.0 ms, p95 20.0 ms"


def test_a_closed_loop_is_told_by_its_users() -> None:
    one = Level(LoadResult(Load("closed", 1, 10, 1.0, 0.0), [Record(0, 0, 0.01, 200)], elapsed=1.0), 0.01)
    assert progress_line("fit", 1, 9, one).startswith("fit 1/9: closed loop of 1 user: 1.0/s")
    eight = Level(LoadResult(Load("closed", 8, 10, 1.0, 0.0), [Record(0, 0, 0.01, 200)], elapsed=1.0), 0.01)
    assert progress_line("fit", 2, 9, eight).startswith("fit 2/9: closed loop of 8 users: ")


def test_a_level_measured_again_says_why_and_how_the_kept_one_stands() -> None:
    """A new user's trial saw four lines say 'disturbed' and the closing warning count three: the line
    now says whether the attempt kept was still over the bar (5% of the cores' time)."""
    assert progress_line("validate", 1, 10, _level(3)).endswith("(measured 3 times: disturbed; kept at 0.0%)")
    busy = replace(_level(3), interference=Interference(0.08, 0.0))
    assert progress_line("validate", 1, 10, busy).endswith(
        "(measured 3 times: disturbed; still disturbed, 8.0%)"
    )


def test_a_recorded_probe_reads_the_same_everywhere() -> None:
    figures = {"cores": "1", "seconds": 8.0, "blocks": 640, "block_ms": 12.0, "slow_share": 0.01}
    assert describe_record({**figures, "window_spread": 0.03}).startswith("steady: ")
    assert describe_record({"cores": "1", "error": "boom"}) == "not probed (boom)"
    assert describe_record({}) is None and describe_record(None) is None


def test_a_load_measured_again_says_which_pass_it_is() -> None:
    eight = Level(LoadResult(Load("closed", 8, 10, 1.0, 0.0), [Record(0, 0, 0.01, 200)], elapsed=1.0), 0.01)
    first, second = pass_number([], eight.load), pass_number([_level(1), eight], eight.load)
    assert (first, second) == (1, 2)
    assert ": closed loop of 8 users: " in progress_line("fit", 4, 13, eight, first)
    assert ": closed loop of 8 users #2: " in progress_line("fit", 5, 13, eight, second)
    assert ": Poisson 10.0/s #3: " in progress_line("validate", 9, 10, _level(1), 3)
