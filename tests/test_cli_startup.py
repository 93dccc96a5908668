"""An instant CLI, and a base install without the extras.

`--help`, `--version`, `check` and `schema` load none of the heavy libraries: a test of what is
imported, not of time (time is in `make bench`): pandas, matplotlib, scipy, Dask and Docker each cost
a fraction of a second to import, and none is needed to read a scenario.

Docker (+ aiohttp) and Dask are the 'docker' and 'dask' extras: the simulation commands run in a
Python where they cannot be imported, and the commands that need one say so in one line.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from simulator.errors import ScenarioError
from simulator.execution.choice import make_executor
from simulator.extras import EXTRA_MODULES, require_extra
from tests.conftest import ROOT

HEAVY = ("pandas", "matplotlib", "scipy", "dask", "distributed", "docker", "simpy", "aiohttp")


@pytest.mark.parametrize(
    "arguments",
    [["--help"], ["--version"], ["check", "scenarios/quickstart.yaml"], ["schema"], ["catalog"]],
    ids=["help", "version", "check", "schema", "catalog"],
)
def test_light_commands_import_no_heavy_library(arguments: list[str]) -> None:
    script = (
        "import sys\n"
        "from simulator.cli import main\n"
        f"code = main({arguments!r})\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "LOADED []" in done.stderr, done.stderr[-500:]


@pytest.mark.parametrize("arguments", [["--help"], ["--version"]], ids=["help", "version"])
def test_help_and_version_load_no_scenario_model(arguments: list[str]) -> None:
    """The scenario model (pydantic, YAML, numpy: about 0.25 s) loads when a command reads a scenario,
    not for `--help`: the commands' modules check --out with simulator.staging, which must stay light."""
    light = ("pydantic", "yaml", "numpy", "simulator.scenario")
    script = (
        "import sys\n"
        "from simulator.cli import main\n"
        f"code = main({arguments!r})\n"
        f"print('LOADED', [m for m in {light!r} if m in sys.modules], file=sys.stderr)\n"
    )
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "LOADED []" in done.stderr, done.stderr[-500:]


def test_version_names_the_installed_distribution() -> None:
    from importlib import metadata

    done = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "--version"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0 and done.stdout.strip() == f"sagesim {metadata.version('sagesim')}"


# ---- a base install: the extras' modules cannot be imported -------------------------------------

EXTRAS_TOP_LEVEL = ("docker", "aiohttp", "distributed", "dask")

# sitecustomize runs at start-up in the CLI and in every pool worker it spawns (PYTHONPATH is inherited).
NO_EXTRAS_SITECUSTOMIZE = f"""
import sys

class NoExtras:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {EXTRAS_TOP_LEVEL!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, NoExtras())
"""

# Modules that import the 'docker' extra when loaded; only `calibrate` and `validate` load them.
NEEDS_DOCKER_EXTRA = {
    "simulator.calibrate._docker",
    "simulator.calibrate.campaign",
    "simulator.calibrate.images",
    "simulator.calibrate.loadgen",
    "simulator.calibrate.measure",
    "simulator.calibrate.provenance",
    "simulator.calibrate.runner",
    "simulator.calibrate.serve",
    "simulator.calibrate.train",
    "simulator.calibrate.train_runner",
    "simulator.calibrate.validate",
}


@pytest.fixture
def no_extras(tmp_path: Path) -> dict[str, str]:
    """Environment for a subprocess in which docker, aiohttp, distributed and dask cannot be imported."""
    site = tmp_path / "no-extras"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_EXTRAS_SITECUSTOMIZE)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}


# Many command lines in one interpreter (one start-up, not one each): exit code, stdout, stderr of each.
MANY_COMMANDS = """
import contextlib, io, json, sys
from simulator.cli import main

results = []
for arguments in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(arguments)
    results.append([code, out.getvalue(), err.getvalue()])
print(json.dumps(results))
"""


def _each(env: dict[str, str], commands: list[list[str]]) -> list[tuple[list[str], int, str, str]]:
    done = subprocess.run(
        [sys.executable, "-c", MANY_COMMANDS, json.dumps(commands)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [(command, *result) for command, result in zip(commands, json.loads(done.stdout), strict=True)]


def test_the_harness_hides_the_extras(no_extras: dict[str, str]) -> None:
    for module in (*EXTRAS_TOP_LEVEL, "distributed.client"):
        done = subprocess.run(
            [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, env=no_extras
        )
        assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr, (module, done.stderr)


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_every_module_but_the_docker_harness_imports_without_the_extras(no_extras: dict[str, str]) -> None:
    """Every module, imported in one interpreter without the extras: none outside the Docker harness
    loads an extra at module level, and each listed harness module really needs it (no stale list)."""
    script = (
        "import importlib, json, pkgutil, simulator\n"
        "failed = {}\n"
        "for info in pkgutil.walk_packages(simulator.__path__, 'simulator.'):\n"
        "    try:\n"
        "        importlib.import_module(info.name)\n"
        "    except ModuleNotFoundError as exc:\n"
        "        failed[info.name] = exc.name\n"
        "print(json.dumps(failed))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=no_extras, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    failed = json.loads(done.stdout)
    assert set(failed) == NEEDS_DOCKER_EXTRA, failed
    assert {missing.partition(".")[0] for missing in failed.values()} <= {"docker", "aiohttp"}, failed


def test_commands_run_without_the_extras(no_extras: dict[str, str]) -> None:
    commands = [
        ["--help"],
        ["check", "scenarios/quickstart.yaml"],
        ["schema"],
        ["catalog"],
        *([command, "--help"] for command in ("run", "recommend", "rollout", "ab-test", "compare")),
        *([command, "--help"] for command in ("crossover", "optimize-checkpoint", "calibrate", "validate")),
        ["calibrate", "serve", "--help"],
    ]
    for command, code, out, err in _each(no_extras, commands):
        assert code == 0 and out.strip(), (command, err[-2000:])


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_run_simulates_without_the_extras(no_extras: dict[str, str], tmp_path: Path) -> None:
    """A real run with the default process pool: the spawned workers lack the extras too."""
    out = tmp_path / "quickstart"
    command = ["run", "scenarios/quickstart.yaml", "--set", "duration=2m", "--set", "warmup=10s"]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            *command,
            "--replications",
            "2",
            "--workers",
            "2",
            "--out",
            out,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=no_extras,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads((out / "summary.json").read_text())["requests"]["completed"] > 0


def test_calibrate_file_commands_run_without_the_docker_extra(
    no_extras: dict[str, str], tmp_path: Path
) -> None:
    """Writing request bodies, summarising validation runs and probing the cores touch no container."""
    bodies = tmp_path / "bodies.jsonl"
    validation = str(ROOT / "reports" / "calibration" / "serve" / "validation.json")
    another = str(ROOT / "reports" / "calibration" / "stacks" / "flask-nginx" / "validation.json")
    commands = [
        ["calibrate", "digits-jsonl", str(bodies), "--bodies", "3"],
        ["calibrate", "summarise", validation, another],
        ["calibrate", "host-check", "--seconds", "2"],
    ]
    (_, wrote, _, err), (_, summarised, table, err2), (_, checked, verdict, err3) = _each(no_extras, commands)
    assert (wrote, summarised) == (0, 0), (err, err2)
    assert checked in (0, 1) and verdict.startswith(("steady:", "unsteady:")), err3
    assert len(bodies.read_text().splitlines()) == 3
    assert table.startswith("|"), table


DASK_LINE = (
    "error: --executor: dask needs the 'dask' extra (no module 'distributed'): pip install 'sagesim[dask]'"
)


def _docker_line(command: str) -> str:
    return (
        f"error: {command}: Docker calibration needs the 'docker' extra (no module 'docker'): "
        "pip install 'sagesim[docker]'"
    )


MISSING_EXTRA_CASES: list[tuple[list[str], str]] = [
    (["run", "scenarios/quickstart.yaml", "--executor", "dask", "--out", "{tmp}/out"], DASK_LINE),
    (
        [
            "run",
            "scenarios/quickstart.yaml",
            "--out",
            "{tmp}/out",
            "--executor",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:1",
        ],
        DASK_LINE,
    ),
    (
        ["recommend", "scenarios/recommend-default.yaml", "--executor", "dask", "--out", "{tmp}/out"],
        DASK_LINE,
    ),
    (
        ["compare", "scenarios/quickstart.yaml", "scenarios/flash-crowd.yaml", "--executor", "dask"],
        DASK_LINE,
    ),
    (["crossover", "scenarios/serverless-vs-realtime.yaml", "--executor", "dask"], DASK_LINE),
    (["optimize-checkpoint", "scenarios/spot-training.yaml", "--executor", "dask"], DASK_LINE),
    (["calibrate", "serve", "--out", "{tmp}/out"], _docker_line("calibrate serve")),
    (["calibrate", "train", "--out", "{tmp}/out"], _docker_line("calibrate train")),
    (["calibrate", "build", "serve"], _docker_line("calibrate build")),
    (["calibrate", "build-base"], _docker_line("calibrate build-base")),
    (
        ["calibrate", "report", "--work", "{tmp}/work", "--out", "{tmp}/out"],
        _docker_line("calibrate report"),
    ),
    (
        ["validate", "--profile", "reports/calibration/serve/profile.yaml", "--out", "{tmp}/out"],
        _docker_line("validate"),
    ),
]


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_a_missing_extra_is_one_line_and_exit_2(no_extras: dict[str, str], tmp_path: Path) -> None:
    commands = [
        [argument.replace("{tmp}", str(tmp_path)) for argument in arguments]
        for arguments, _ in MISSING_EXTRA_CASES
    ]
    results = _each(no_extras, commands)
    for (command, code, _, err), (_, line) in zip(results, MISSING_EXTRA_CASES, strict=True):
        assert (code, err) == (2, line + "\n"), command
    assert not (tmp_path / "out").exists() and not (tmp_path / "work").exists()


# ---- the same rule in-process, and the extras as pyproject declares them -------------------------


def test_require_extra_names_the_missing_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(EXTRA_MODULES, "dask", ("simulator_no_such_module",))
    with pytest.raises(ScenarioError) as caught:
        make_executor("dask")
    assert caught.value.one_line() == (
        "error: --executor: dask needs the 'dask' extra (no module 'simulator_no_such_module'): "
        "pip install 'sagesim[dask]'"
    )
    require_extra("docker", "calibrate serve", "Docker calibration")  # installed here: no error


def test_pyproject_declares_the_extras_the_code_checks() -> None:
    """Base dependencies hold none of the extras; each extra lists the distributions of its modules."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert {"dev", "docker", "dask", "aws"} <= set(extras)

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower() for requirement in requirements}

    providers = metadata.packages_distributions()
    for extra, modules in EXTRA_MODULES.items():
        wanted = {dist.lower() for module in modules for dist in providers[module]}
        assert wanted <= names(extras[extra]), (extra, wanted)
        assert not wanted & names(project["dependencies"]), extra
