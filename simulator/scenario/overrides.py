"""`--set path=value` overrides, applied to the raw YAML mapping before validation.

Paths use the same spelling errors print: `endpoint.variants[0].instance_count=3` (`variants.0` works
too). The value is read as YAML, so `3`, `true`, `250ms` and `{distribution: exponential, mean: 1s}`
all mean what they would in the file.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from simulator.errors import ScenarioError
from simulator.inputs import load_yaml
from simulator.scenario.suggest import closest
from simulator.wording import counted

_PATH = re.compile(r"\.?(?:[^.\[\]]+|\[\d+\])(?:\.?\[\d+\]|\.[^.\[\]]+)*")  # names after dots, [indices]
_PART = re.compile(r"[^.\[\]]+")


def split_path(path: str) -> list[str | int]:
    """'a.b[2].c' -> ['a', 'b', 2, 'c']; digits after a dot become list indices too."""
    if not _PATH.fullmatch(path):
        raise ValueError(f"cannot read path {path!r}")
    return [int(part) if part.isdigit() else part for part in _PART.findall(path)]


def set_path(document: Any, parts: list[str | int], value: Any, where: str) -> None:
    """Set `parts` in plain data in place, creating missing mappings; errors name `where`."""
    node = document
    for depth, part in enumerate(parts):
        above = ".".join(map(str, parts[:depth])) or "top level"
        last = depth == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(node, list):
                raise ScenarioError(where, f"{above} is not a list")
            if not -len(node) <= part < len(node):
                raise ScenarioError(
                    where, f"index {part} is out of range (the list has {counted(len(node), 'item')})"
                )
        elif not isinstance(node, dict):
            raise ScenarioError(where, f"{above} is not a mapping")
        elif not last and node.get(part) is None:
            if parts[:depth] == ["models"]:  # a misspelt model would be a new, unused one
                known = ", ".join(map(str, node)) or "none"
                raise ScenarioError(
                    where,
                    f"there is no model {part!r} (models: {known});"
                    f" to add one, set models.{part}={{...}} whole",
                )
            if isinstance(parts[depth + 1], int):  # no list there to index: a slip, or a new list
                here = ".".join(map(str, [*parts[:depth], part]))
                guess = closest(str(part), [key for key in node if isinstance(key, str)])
                hint = f"did you mean {guess}? " if guess else ""
                raise ScenarioError(
                    where, f"{here} is not in the scenario: {hint}a new list is set whole, {here}=[...]"
                )
            node[part] = {}
        if last:
            node[part] = value
        else:
            node = node[part]


def apply_overrides(document: dict[str, Any], assignments: list[str]) -> dict[str, Any]:
    """A copy of `document` with every `path=value` assignment applied in order."""
    result = copy.deepcopy(document)
    for assignment in assignments:
        if "=" not in assignment:
            raise ScenarioError(f"--set {assignment}", "expected PATH=VALUE")
        path, raw_value = assignment.split("=", 1)
        try:
            parts = split_path(path.strip())
        except ValueError:
            raise ScenarioError(
                f"--set {assignment}", "cannot read the path: names after dots, list indices as [0]"
            ) from None
        value = load_yaml(raw_value, f"--set {assignment}") if raw_value.strip() else ""
        set_path(result, parts, value, f"--set {assignment}")
    return result
