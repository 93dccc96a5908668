"""Optional extras: the modules each needs, and the one-line error when one is missing.

Docker (calibration), Dask (a cluster executor) and AWS (botocore's service models, for AWS-shaped
documents) are extras, not base dependencies, so a plain
`pip install sagesim` runs every simulation. A command that needs an extra calls `require_extra`
before any work and tells the user what to install instead of failing on an import deep inside.
"""

from __future__ import annotations

import importlib
from typing import Literal

from simulator.errors import ScenarioError

Extra = Literal["docker", "dask", "aws"]

# The modules imported from each extra's distributions (pyproject's [project.optional-dependencies]).
EXTRA_MODULES: dict[Extra, tuple[str, ...]] = {
    "docker": ("docker", "aiohttp"),
    "dask": ("distributed",),
    "aws": ("botocore",),
}


def require_extra(extra: Extra, where: str, what: str) -> None:
    """Raise the one-line ScenarioError `<where>: <what> needs the '<extra>' extra ...` if it is missing.

    Importing (not just finding) the modules also catches an extra half installed, e.g. distributed
    without the dask it depends on; the command imports them next anyway.
    """
    for module in EXTRA_MODULES[extra]:
        try:
            importlib.import_module(module)
        except ImportError:
            raise ScenarioError(
                where,
                f"{what} needs the '{extra}' extra (no module {module!r}): pip install 'sagesim[{extra}]'",
            ) from None
