"""Base model shared by every scenario object: unknown keys are errors, never silently defaulted."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Rejects unknown keys (a typo must not fall back to a default) and validates defaults too."""

    model_config = ConfigDict(extra="forbid", validate_default=True, populate_by_name=True)
