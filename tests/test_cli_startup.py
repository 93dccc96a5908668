"""An instant CLI: `--help`, `--version`, `check` and `schema` load none of the heavy libraries.

A test of what is imported, not of time (time is in `make bench`): pandas, matplotlib, scipy, Dask
and Docker each cost a fraction of a second to import, and none is needed to read a scenario.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

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


def test_version_names_the_installed_distribution() -> None:
    from importlib import metadata

    done = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "--version"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0 and done.stdout.strip() == f"sagesim {metadata.version('sagesim')}"
