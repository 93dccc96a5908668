"""The key an unknown key was probably meant to be (`instance_cont` -> instance_count), at any depth.

pydantic reports an unknown key with its location only; the keys allowed there are found by walking
the scenario's models along that location (fields, list items, mapping values, and tagged unions by
their tag), so the suggestion always comes from the model the key was checked against.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel


def _members(annotation: Any) -> list[Any]:
    """The types an annotation may hold: Annotated, Optional and unions unwrapped."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [member for arg in get_args(annotation) for member in _members(arg)]
    return [annotation]


def _models(annotations: Iterable[Any]) -> list[type[BaseModel]]:
    return [a for a in annotations if isinstance(a, type) and issubclass(a, BaseModel)]


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    """The model's keys as a document writes them (aliases first) and their annotations."""
    return {(field.alias or name): field.annotation for name, field in model.model_fields.items()}


def _tagged(model: type[BaseModel], tag: str) -> bool:
    """Whether some Literal field of `model` takes `tag`: pydantic puts a union member's tag in the
    error location (`lognormal` in service_time.lognormal.p999)."""
    return any(
        get_origin(member) is Literal and tag in get_args(member)
        for annotation in _fields(model).values()
        for member in _members(annotation)
    )


def _step(annotations: list[Any], part: str | int) -> list[Any]:
    """The types found one location part further in."""
    found: list[Any] = []
    for annotation in annotations:
        origin, args = get_origin(annotation), get_args(annotation)
        if isinstance(part, int) and origin in (list, tuple) and args:
            found += _members(args[0])
        elif isinstance(part, str) and origin is dict and len(args) == 2:
            found += _members(args[1])
        elif isinstance(part, str) and isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = _fields(annotation)
            if part in fields:
                found += _members(fields[part])
            elif _tagged(annotation, part):
                found.append(annotation)
    return found


def allowed_keys(root: type[BaseModel], location: tuple[str | int, ...]) -> list[str] | None:
    """The keys the object at `location` (below `root`) may have: None where any key goes (a mapping
    of the user's names, such as `models:`), [] when the walk loses its way."""
    annotations: list[Any] = [root]
    for part in location:
        annotations = _step(annotations, part)
        tagged = [a for a in _models(annotations) if isinstance(part, str) and _tagged(a, part)]
        annotations = tagged or annotations  # a union's tag names its member
    models = _models(annotations)
    if not models and any(get_origin(annotation) is dict for annotation in annotations):
        return None
    return sorted({key for model in models for key in _fields(model)})


def did_you_mean(
    root: type[BaseModel], location: tuple[str | int, ...], unknown: str, present: Iterable[str] = ()
) -> str | None:
    """The allowed key closest to `unknown` at `location`, when one is close and not already given."""
    given = set(present)
    return closest(unknown, [key for key in allowed_keys(root, location) or [] if key not in given])


def closest(unknown: str, candidates: Iterable[str]) -> str | None:
    """The candidate `unknown` is most likely a slip for (`duraton` -> duration), if any is close."""
    close = difflib.get_close_matches(unknown, list(candidates), n=1, cutoff=0.8)
    return close[0] if close else None


def unknown_instance_type(name: str, known: Iterable[str]) -> str:
    """The reason for an instance type the catalog lacks: the close one it was meant to be, or where
    the list is (printing all of them buries the line)."""
    guess = closest(name, known)
    hint = f"did you mean {guess}?" if guess else "`sagesim catalog` lists the known ones"
    return f"unknown instance type {name!r}: {hint}"
