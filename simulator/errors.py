"""The one error type users see: a location in their input and what is wrong with it."""

from __future__ import annotations


class ScenarioError(Exception):
    """Bad input, reported as one line `error: <path>: <reason>` and exit code 2."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[str, str]]:
        """Picklable with both fields (subclasses too): errors raised in pool workers reach the CLI intact."""
        return type(self), (self.path, self.reason)

    def one_line(self) -> str:
        reason = " ".join(self.reason.split())
        path = " ".join(self.path.split())
        return f"error: {path}: {reason}"
