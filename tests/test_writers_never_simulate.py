"""Writers draw and write what an analysis computed; they never run a simulation, a load test or a container.

import-linter's `writers-never-simulate` contract stops a writer importing a runner-only module, but
several modules hold both the types a writer reads and the function that runs the experiment
(`Replicated` beside `replicate`). This test works by name: it finds every function below the writers
that runs something (it calls, or hands an executor, a function that does, down to the engine's and the
load generator's entry points) and refuses a writer that imports or calls one of those names.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "simulator"
ENTRY_POINTS = frozenset(
    {"simulate", "simulate_plan", "simulate_transform", "simulate_station", "run_load", "run_container"}
)
"""What runs an experiment at the bottom: the engine, the training and transform runtimes, the
calibration queue model, the load generator and the Docker runner."""
HANDED_ON = ("map", "partial", "submit")
"""Calls whose first argument is the function that will run (on an executor, or later)."""


def _used(tree: ast.AST) -> set[str]:
    """Names a piece of code calls, hands to an executor, or imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = (
            func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        )
        names.add(called)
        if called in HANDED_ON and node.args and isinstance(node.args[0], ast.Name):
            names.add(node.args[0].id)
    return names


def _is_writer_or_cli(path: Path) -> bool:
    part = path.relative_to(PACKAGE).parts[0]
    return part == "report" or part.startswith("cli") or "images" in path.parts


def runners() -> set[str]:
    """Every function below the writers that runs an experiment, directly or through another."""
    uses: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if _is_writer_or_cli(path):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("__"):
                uses.setdefault(node.name, set()).update(_used(node) - {"__init__"})
    found = set(ENTRY_POINTS)
    while grown := {name for name, used in uses.items() if used & found} - found:
        found |= grown
    return found


def violations(source: str, known_runners: set[str]) -> set[str]:
    """The runners a writer's source imports or calls."""
    return _used(ast.parse(source)) & known_runners


def test_the_runner_finder_reaches_every_experiment() -> None:
    found = runners()
    experiments = {
        "replicate",
        "replicate_rollout",
        "run_replications",
        "transform_replications",
        "optimize_checkpoint",
        "run_job",
        "compare_options",
        "batching_sweep",
        "compare_scenarios",
        "simulated_power",
        "calibrate_serve",
        "validate_serve",
    }
    assert experiments <= found, sorted(experiments - found)


def test_a_writer_that_runs_an_experiment_is_caught() -> None:
    found = runners()
    imported = "from simulator.execution.replications import Replicated, replicate\n"
    called = (
        "import simulator.training as training\n"
        "def f(spec, catalog, seed):\n    training.simulate_training(spec, catalog, seed)\n"
    )
    handed = "def f(pool, tasks):\n    return pool.map(evaluate_candidate, tasks)\n"
    assert violations(imported, found) == {"replicate"}
    assert violations(called, found) == {"simulate_training"}
    assert violations(handed, found) == {"evaluate_candidate"}
    assert violations("from simulator.execution.replications import Replicated\n", found) == set()


def test_no_writer_runs_an_experiment() -> None:
    found = runners()
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(violations(path.read_text(), found))
        for path in sorted((PACKAGE / "report").rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}
