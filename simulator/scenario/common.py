"""Base model shared by every scenario object: unknown keys are errors, never silently defaulted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

Problem = tuple[str, str]  # a cross-reference problem: (yaml path, reason)
Name = Annotated[str, Field(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", max_length=63)]  # SageMaker's names


class StrictModel(BaseModel):
    """Rejects unknown keys (a typo must not fall back to a default) and validates defaults too."""

    model_config = ConfigDict(extra="forbid", validate_default=True, populate_by_name=True)


def at_key(key: str, value: object, reason: str) -> ValidationError:
    """An error a whole-object check finds in one of its keys, placed at that key (`file`, not the
    object holding it): pydantic prefixes the object's own path, so the YAML path names the key."""
    error = PydanticCustomError("value_error", "{reason}", {"reason": reason})
    return ValidationError.from_exception_data(
        "value_error", [InitErrorDetails(type=error, loc=(key,), input=value)]
    )


def error_reason(error: Any) -> str:
    """The reason of one pydantic error (an entry of `ValidationError.errors()`), as scenario errors say."""
    if error["type"] in ("extra_forbidden", "missing"):
        return "unknown key" if error["type"] == "extra_forbidden" else "required key is missing"
    context = {key: str(value).replace("'", "") for key, value in (error.get("ctx") or {}).items()}
    if error["type"] == "union_tag_invalid":  # `process: poison`
        return f"unknown {context['discriminator']} {context['tag']!r}: one of {context['expected_tags']}"
    if error["type"] == "union_tag_not_found":
        return f"the key {context['discriminator']} is missing: it says which kind this is"
    return str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")


def distribution_error_path(value: object, error: Any) -> str:
    """Where inside a distribution mapping one pydantic error is, as scenario paths say it ('mean',
    'cv'): the tagged union's own tag (the `distribution:` value) left out; '' for the whole."""
    tag = value.get("distribution") if isinstance(value, dict) else None
    return ".".join(str(part) for part in error["loc"] if part != tag)


def cased(how: Callable[[str], str]) -> BeforeValidator:
    """Applies `how` (str.upper, str.lower, ...) to a string before validation: people write enum values
    in any case. Anything else is left for the field's own validation to report."""
    return BeforeValidator(lambda value: how(value) if isinstance(value, str) else value)
