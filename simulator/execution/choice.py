"""Pick an executor by the name a user gives on the command line."""

from __future__ import annotations

import re

from simulator.execution.dask_executor import DaskExecutor
from simulator.execution.executors import Executor, LocalPoolExecutor, SerialExecutor
from simulator.extras import require_extra

SCHEDULER_ADDRESS = re.compile(r"(tcp|tls|ws|wss|ucx|inproc)://[^\s/]+")
"""A Dask scheduler address: protocol://host[:port] (the forms distributed.Client connects to)."""


def make_executor(name: str, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """'local' (process pool), 'serial', or 'dask' (a cluster at `scheduler`, or a local one started here).

    A name that is not an executor, or --scheduler without dask, is a ValueError; dask without the
    'dask' extra installed is the one-line ScenarioError, raised here before any simulation starts.
    """
    if scheduler is not None and name != "dask":
        raise ValueError("--scheduler needs --executor dask")
    if scheduler is not None and not SCHEDULER_ADDRESS.fullmatch(scheduler):
        raise ValueError(f"a scheduler address looks like tcp://127.0.0.1:8786, not {scheduler!r}")
    if workers is not None and (name == "serial" or scheduler is not None):
        raise ValueError(
            "--workers counts the processes of a pool started here: serial runs none, and a --scheduler's"
            " cluster has its own workers"
        )
    if name == "serial":
        return SerialExecutor()
    if name == "local":
        return LocalPoolExecutor(workers)
    if name == "dask":
        require_extra("dask", "--executor", "dask")
        return DaskExecutor(scheduler=scheduler, workers=workers)
    raise ValueError(f"unknown executor {name!r} (choose local, serial or dask)")
