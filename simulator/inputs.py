"""Reading what users hand us: regular files of bounded size, and YAML without its traps.

Every file sagesim reads on a user's behalf (scenario, AWS request, profile, samples, trace) goes
through `read_text`: a FIFO or a device such as /dev/zero would hang or fill memory, so only regular
files are read, and never more than a stated number of bytes. `load_yaml` reads YAML 1.2 numbers
(`1:30` is text, not 90 as YAML 1.1 would have it), rejects a key given twice in one mapping
(YAML 1.1 keeps the last silently) and a document nested deeper than any scenario needs.
Errors are ScenarioErrors naming the file (and line) in one line.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from simulator.errors import ScenarioError

MAX_DOCUMENT_BYTES = 16 * 2**20  # scenario, request, profile: all far smaller
MAX_DATA_BYTES = 512 * 2**20  # samples and traces: millions of numbers
MAX_DEPTH = 64  # nesting of a document; a scenario uses under 10

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"


def _refusal(path: Path, label: str, reason: str) -> ScenarioError:
    """The file is named once: by the label when the label is its path, else in the reason."""
    if label != str(path):
        reason = f"cannot read {str(path)!r}: {reason}"
    return ScenarioError(label, reason)


def check_regular_file(path: Path, label: str, limit: int = MAX_DOCUMENT_BYTES) -> None:
    """A ScenarioError unless path is a regular file of at most limit bytes."""
    try:
        status = os.stat(path)
    except OSError as exc:
        raise _refusal(path, label, str(exc.strerror or exc)) from None
    if stat.S_ISDIR(status.st_mode):
        raise _refusal(path, label, "a directory, not a file")
    if not stat.S_ISREG(status.st_mode):
        raise _refusal(path, label, "not a regular file (a device, pipe or socket)")
    if status.st_size > limit:
        raise _refusal(path, label, f"{status.st_size:,} bytes; the limit is {limit:,}")


def read_bytes(path: Path, label: str, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of a regular file of at most limit bytes (checked again while reading)."""
    check_regular_file(path, label, limit)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise _refusal(path, label, str(exc.strerror or exc)) from None
    if len(data) > limit:
        raise _refusal(path, label, f"grew past the limit of {limit:,} bytes while read")
    return data


def read_text(path: Path, label: str, limit: int = MAX_DOCUMENT_BYTES) -> str:
    """The UTF-8 text of a regular file of at most limit bytes."""
    data = read_bytes(path, label, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refusal(path, label, f"not UTF-8 text (byte {exc.start})") from None


def read_file_named(path: Path, what: str = "file") -> str:
    """`read_text` of a file given by its own path (a scenario, a profile, a run's results): the error
    names the path and says what could not be read, as `cannot read profile: No such file...`."""
    try:
        return read_text(path, str(path))
    except ScenarioError as exc:
        raise ScenarioError(str(path), f"cannot read {what}: {exc.reason}") from None


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema numbers and duplicate keys refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if duplicate:
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"duplicate key {key!r}",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    return int(text, {"0o": 8, "0x": 16}.get(text[:2], 10))  # int() accepts the prefix of its base


_Loader.add_constructor(_INT, _construct_int)


def load_yaml(text: str, label: str) -> Any:
    """One YAML document: YAML 1.2 numbers, no duplicate keys, at most MAX_DEPTH levels deep."""
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "malformed YAML"
        raise ScenarioError(label, f"invalid YAML{where}: {problem}") from None
    except RecursionError:
        raise ScenarioError(label, f"nested more than {MAX_DEPTH} levels deep") from None
    check_depth(data, label)
    return data


def load_json(text: str, label: str) -> Any:
    """One JSON document, duplicate keys refused, at most MAX_DEPTH levels deep."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        for key in keys:
            if keys.count(key) > 1:
                raise ScenarioError(label, f"duplicate key {key!r}")
        return dict(pairs)

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            label, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise ScenarioError(label, f"nested more than {MAX_DEPTH} levels deep") from None
    check_depth(data, label)
    return data


def check_depth(data: Any, label: str) -> None:
    """A ScenarioError when lists and mappings nest deeper than MAX_DEPTH (checked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > MAX_DEPTH:
                    raise ScenarioError(label, f"nested more than {MAX_DEPTH} levels deep")
                stack.append((child, depth + 1))
