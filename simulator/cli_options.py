"""Command-line options every many-run command shares: where the runs go."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from simulator.errors import ScenarioError
from simulator.execution.choice import make_executor
from simulator.execution.executors import Executor

ExecutorOption = Annotated[str, typer.Option(help="local (process pool, all cores), serial or dask")]
WorkersOption = Annotated[
    int | None, typer.Option(min=1, help="worker processes (local pool or local Dask cluster)")
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        help="Dask scheduler, e.g. tcp://127.0.0.1:8786 (with --executor dask; default: a local cluster)"
    ),
]


def executor_from_options(name: str, workers: int | None, scheduler: str | None) -> Executor:
    """The executor the options name; a bad combination is a one-line error naming the option."""
    try:
        return make_executor(name, workers, scheduler)
    except ValueError as exc:
        raise ScenarioError("--scheduler" if "--scheduler" in str(exc) else "--executor", str(exc)) from None


def progress_bar(console: Console) -> Progress:
    """A progress bar on long runs, shown only on a terminal (CI logs stay clean)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
