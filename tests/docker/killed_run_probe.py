"""A test run that is killed while it serves: not collected by the suite (no `test_` file prefix);
`test_errors` runs it in a child pytest, sends it SIGTERM, and checks its container is gone."""

from __future__ import annotations

import time

from simulator.calibrate.placement import place
from simulator.calibrate.runner import serving


def test_serves_until_killed(serve_image: str) -> None:
    with serving(serve_image, place(1)):
        print("serving", flush=True)
        time.sleep(120)  # the parent kills the run long before this ends
