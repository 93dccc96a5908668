"""The options commands share, so one name means one thing everywhere (the CLI grammar).

`--out` is always a directory; `--workers` always counts pool processes (a model server's are
`--server-workers`); `--seed`, `--replications`, `--set`, `--quiet`, `--executor`, `--scheduler` are
spelled, bounded and explained the same way on every command that has them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from simulator.errors import ScenarioError
from simulator.execution.choice import make_executor
from simulator.execution.executors import Executor
from simulator.staging import staged_directory

MAX_REPLICATIONS = 100_000  # the scenario schema's bound on `replications`, the same on every command


class ExecutorName(StrEnum):
    """Where the runs go."""

    local = "local"
    serial = "serial"
    dask = "dask"


ExecutorOption = Annotated[
    ExecutorName, typer.Option(help="local (process pool, all cores), serial, or dask", case_sensitive=False)
]
WorkersOption = Annotated[
    int | None, typer.Option(min=1, help="worker processes (local pool or local Dask cluster)")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="override a scenario value: PATH=VALUE (repeatable)", show_default=False),
]
SeedOption = Annotated[
    int | None,
    typer.Option(min=0, max=2**63 - 1, help="root seed (default: the scenario's)", show_default=False),
]
ReplicationsOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=MAX_REPLICATIONS,
        help="independent replications (default: the scenario's)",
        show_default=False,
    ),
]


class EngineName(StrEnum):
    """Which simulation engine runs the endpoint simulations."""

    auto = "auto"
    simpy = "simpy"
    fast = "fast"


EngineOption = Annotated[
    EngineName | None,
    typer.Option(
        help="simulation engine: auto (the exact fast engine wherever it applies: static fleets, one"
        " serverless, pipeline or Elastic Inference variant, Invocations-based autoscaling; else SimPy),"
        " simpy, or fast (an error when a run needs SimPy); default: the scenario's `engine`",
        case_sensitive=False,
        show_default=False,
    ),
]
QuietOption = Annotated[bool, typer.Option(help="print nothing but errors")]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        help="Dask scheduler, e.g. tcp://127.0.0.1:8786 (with --executor dask; default: a local cluster)"
    ),
]


def out_option(default: str | None, what: str) -> object:
    """`--out DIR` (always a directory) with `what` it receives in the help."""
    return typer.Option(
        "--out", help=f"output directory: {what}" + (f" (default: {default})" if default else "")
    )


def as_overrides(given: list[str] | None, seed: int | None, engine: EngineName | None = None) -> list[str]:
    """`--seed N` and `--engine NAME` as more overrides, checked and recorded like the scenario's own."""
    options = {"seed": seed, "engine": engine}
    return [*(given or []), *(f"{key}={value}" for key, value in options.items() if value is not None)]


def executor_from_options(name: ExecutorName | str, workers: int | None, scheduler: str | None) -> Executor:
    """The executor the options name; a bad combination is a one-line error naming the option."""
    try:
        return make_executor(ExecutorName(name).value, workers, scheduler)
    except ValueError as exc:
        reason = str(exc)
        option = next((o for o in ("--workers", "--scheduler") if reason.startswith(o)), None)
        option = option or ("--scheduler" if "scheduler" in reason else "--executor")
        raise ScenarioError(option, reason) from None


def progress_bar(console: Console) -> Progress:
    """A progress bar on long runs, shown only on a terminal (CI logs stay clean).

    Redrawn at each update (`refresh=True`), with no refresh thread of its own: a process that runs
    one thread can fork its pool workers, which then start with the simulator imported."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
        auto_refresh=False,
    )


@contextmanager
def option_errors(option: str) -> Iterator[None]:
    """A ValueError from reading an option's value as one line naming the option."""
    try:
        yield
    except ValueError as exc:
        raise ScenarioError(option, str(exc)) from None


@contextmanager
def out_errors(failure: str = "cannot write results") -> Iterator[None]:
    """An OS error while writing --out (a full disk, no permission) as one line naming --out."""
    try:
        yield
    except OSError as exc:
        raise ScenarioError("--out", f"{failure}: {exc.strerror or exc}") from None


@contextmanager
def staged_out(out: Path, command: str, failure: str = "cannot write results") -> Iterator[Path]:
    """The staging directory that becomes --out only when the block succeeds; OS errors as out_errors."""
    with out_errors(failure), staged_directory(out, command) as staging:
        yield staging


def print_rows(console: Console, title: str, header: list[str], rows: list[list[str]]) -> None:
    """A titled table of ready-formatted cells."""
    table = Table(*header, title=title)
    for row in rows:
        table.add_row(*row)
    console.print(table)
