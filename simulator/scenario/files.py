"""Files a scenario refers to (samples, traces, profiles), resolved from the scenario's own folder."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from pydantic import ValidationInfo

from simulator.errors import ScenarioError
from simulator.inputs import MAX_DATA_BYTES, check_regular_file
from simulator.scenario.common import at_key


def resolve(path_value: object, info: ValidationInfo) -> Path:
    """An absolute path, or one relative to the scenario file's folder (validation context base_dir)."""
    path = Path(str(path_value))
    return path if path.is_absolute() else Path((info.context or {}).get("base_dir", ".")) / path


def checked(path_value: object, info: ValidationInfo, what: str) -> Path:
    """The resolved path of a data file, refused (as a field error) when it is not a readable regular file."""
    path = resolve(path_value, info)
    try:
        check_regular_file(path, str(path), MAX_DATA_BYTES)
    except ScenarioError as exc:
        raise ValueError(f"cannot read {what} {str(path)!r}: {exc.reason}") from None
    return path


def load_column(data: object, info: ValidationInfo, keys: tuple[str, str], what: str) -> object:
    """The raw model data with the file named under keys[0] read into keys[1], unless values are given.

    The file is one column of numbers (text or CSV); `#` starts a comment.
    """
    file_key, values_key = keys
    if not isinstance(data, dict) or data.get(file_key) is None or data.get(values_key) is not None:
        return data
    try:
        path = checked(data[file_key], info, what)
        values = _numbers(path, what)
    except ValueError as exc:
        raise at_key(file_key, data[file_key], str(exc)) from None
    return {**data, file_key: str(path.resolve()), values_key: tuple(float(v) for v in values)}


def _numbers(path: Path, what: str) -> np.ndarray:
    """The file's one column of numbers."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy warns on an empty file; callers report it themselves
            values = np.loadtxt(path, delimiter=",", ndmin=1, comments="#")
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read {what} {str(path)!r}: {exc}") from None
    if values.ndim != 1:
        raise ValueError(f"{what} {str(path)!r} must have one column")
    return values
