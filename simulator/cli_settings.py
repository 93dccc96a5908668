"""The command line's part of a run, as every job of the registry (cli_jobs.JOBS) receives it.

Its own module so that the jobs, the registry and the commands feeding it import it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.execution.executors import Executor


@dataclass(frozen=True)
class RecommendSettings:
    """What `sagesim recommend` adds to a run's settings: the scenario file (named in the resume hint),
    the AWS request, whether the job resumes, and the option naming the executor when it fails."""

    scenario_path: Path
    aws_request: dict[str, Any] | None
    resume: bool
    executor_option: str


@dataclass(frozen=True)
class RunSettings:
    """The command line's part of a run: replications, executor, output directory, quietness."""

    count: int
    pool: Executor
    out: Path
    quiet: bool
    recommend: RecommendSettings | None = None
    """`sagesim recommend`'s own options; `sagesim run` has none, so a recommend job is refused."""
