"""Request and response shapes from botocore's shipped service models, not copies of them.

Requests (what sagesim reads, and what it writes for a user to send) are checked with botocore's own
ParamValidator, the check boto3 runs before any call. Responses (recommendations.json is a
DescribeInferenceRecommendationsJob response) have no public validator in botocore, so
`output_errors` walks the response's Shape objects: required members present, no unknown keys, no
nulls, strings within their enums, integers where the model says integer.

botocore is the optional `aws` extra; without it these functions raise a one-line ScenarioError
naming the install command, so only the commands that read or write AWS documents need it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from simulator.errors import ScenarioError
from simulator.extras import require_extra

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

WHAT = "checking AWS-shaped documents"
SAGEMAKER = "sagemaker"
AUTOSCALING = "application-autoscaling"
CLOUDWATCH = "cloudwatch"


def operation(service: str, name: str, option: str) -> OperationModel:
    """botocore's model of one operation (`service` as botocore names it); `option` is what the user
    gave that needs it, named by the error when botocore is not installed."""
    require_extra("aws", option, WHAT)
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    return model.operation_model(name)


def input_errors(service: str, name: str, document: Any, option: str) -> list[str]:
    """botocore's ParamValidator report on `document` as the operation's request, one line a problem."""
    from botocore.validate import ParamValidator

    shape = operation(service, name, option).input_shape
    assert shape is not None
    report = ParamValidator().validate(document, shape)
    if not report.has_errors():
        return []
    return [line.strip() for line in report.generate_report().splitlines() if line.strip()]


def check_request(service: str, name: str, document: Any, option: str) -> None:
    """A ScenarioError (`option: <first problem>`) unless `document` is a valid `name` request:
    botocore's ParamValidator first, then the checks it leaves out (a string within its enum: a
    JobType 'Fancy' passed it and was taken for a Default job)."""
    problems = input_errors(service, name, document, option)
    if not problems:
        shape = operation(service, name, option).input_shape
        assert shape is not None
        _check(shape, document, "", problems)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ScenarioError(option, f"not a valid {name} request: {problems[0]}{more}")


def output_errors(service: str, name: str, document: Any, option: str = "botocore") -> list[str]:
    """Every way `document` departs from the operation's response shape, as `path: problem` lines."""
    shape = operation(service, name, option).output_shape
    assert shape is not None
    problems: list[str] = []
    _check(shape, document, "", problems)
    return problems


_INTEGERS = {"integer", "long"}
_FLOATS = {"float", "double"}
_CONTAINERS = {"structure": (dict, "an object"), "list": (list, "a list"), "map": (dict, "a map")}


def _check(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    """Append to `problems` what is wrong with `value` as `shape` (recursively)."""
    where = path or "(document)"
    kind = shape.type_name
    if value is None:
        problems.append(f"{where}: null (omit the key instead)")
    elif kind in _CONTAINERS and not isinstance(value, _CONTAINERS[kind][0]):
        problems.append(f"{where}: expected {_CONTAINERS[kind][1]}, got {type(value).__name__}")
    elif kind == "structure":
        members = shape.members  # type: ignore[attr-defined]
        for required in shape.required_members:  # type: ignore[attr-defined]
            if required not in value:
                problems.append(f"{where}: missing required key {required}")
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if key not in members:
                problems.append(f"{inner}: not in the {shape.name} shape")
            else:
                _check(members[key], item, inner, problems)
    elif kind == "list":
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}[{index}]", problems)  # type: ignore[attr-defined]
    elif kind == "map":
        for key, item in value.items():
            _check(shape.key, key, f"{path}.<key>", problems)  # type: ignore[attr-defined]
            _check(shape.value, item, f"{path}.{key}", problems)  # type: ignore[attr-defined]
    else:
        problem = _scalar_problem(shape, value)
        if problem:
            problems.append(f"{where}: {problem}")


def _scalar_problem(shape: Shape, value: Any) -> str | None:
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            return f"expected a string, got {type(value).__name__}"
        enum = shape.enum  # type: ignore[attr-defined]
        if enum and value not in enum:
            return f"{value!r} is not one of the {len(enum)} values of {shape.name}"
        return _string_problem(shape, value)
    if kind in _INTEGERS:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected an integer, got {value!r}"
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{value} is outside {shape.name}'s range [{low}, {high}]"
        return None
    if kind in _FLOATS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected a number, got {value!r}"
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else f"expected true or false, got {value!r}"
    if kind == "timestamp":
        return _timestamp_problem(value)
    if kind == "blob":
        return None if isinstance(value, str | bytes) else f"expected bytes, got {type(value).__name__}"
    return f"unsupported shape type {kind}"


def _string_problem(shape: Shape, value: str) -> str | None:
    """Length bounds and the pattern of a named string shape (a pattern Python cannot read is skipped)."""
    low, high = shape.metadata.get("min", 0), shape.metadata.get("max")
    if len(value) < low or (high is not None and len(value) > high):
        return f"{value!r} has {len(value)} characters; {shape.name} allows {low} to {high}"
    pattern = shape.metadata.get("pattern")
    if pattern:
        try:
            matches = re.fullmatch(pattern, value, flags=re.DOTALL) is not None
        except re.error:
            return None
        if not matches:
            return f"{value!r} does not match {shape.name}'s pattern {pattern}"
    return None


def _timestamp_problem(value: Any) -> str | None:
    """Timestamps as the AWS CLI prints them (ISO 8601 with a zone) or as boto3 returns them."""
    if isinstance(value, datetime):
        return None if value.tzinfo is not None else "a timestamp needs a time zone"
    if not isinstance(value, str):
        return f"expected an ISO 8601 timestamp, got {value!r}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not an ISO 8601 timestamp"
    return None if parsed.tzinfo is not None else f"{value!r} has no time zone"
