"""A Dask distributed cluster as an executor: an existing scheduler, or a local cluster started here.

Functions and items travel by pickle, so they must be importable module-level objects (they are:
the recommender and replications hand over plain functions and scenarios). Results come back in
input order, identical to the local executor's.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from simulator.errors import ScenarioError
from simulator.execution.executors import Executor, Finished

CONNECT_TIMEOUT_S = 10


class ExecutorError(ScenarioError):
    """The cluster could not be reached or started: a one-line error naming the option at fault."""


class DaskExecutor(Executor):
    """`scheduler` like tcp://127.0.0.1:8786; None starts a LocalCluster of `workers` processes."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        self.scheduler = scheduler
        self.workers = workers or os.cpu_count() or 1

    def _client(self) -> tuple[Any, Any]:
        from distributed import Client, LocalCluster

        try:
            if self.scheduler is not None:
                return Client(self.scheduler, timeout=CONNECT_TIMEOUT_S), None
            cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            return Client(cluster), cluster
        except (OSError, TimeoutError, ValueError) as exc:  # ValueError: an address distributed cannot parse
            option = "--scheduler" if self.scheduler is not None else "--executor"
            where = self.scheduler or "a local cluster"
            raise ExecutorError(option, f"cannot reach {where}: {exc}") from None

    def _finished(self, function: Callable[[Any], Any], work: list[Any]) -> Finished:
        from distributed import as_completed

        if not work:
            return
        client, cluster = self._client()
        futures: list[Any] = []
        try:
            futures = client.map(function, work, pure=False)
            position = {future.key: index for index, future in enumerate(futures)}
            for future in as_completed(futures):
                yield position[future.key], future.result()
        except BaseException:
            client.cancel(futures)
            raise
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
