"""summary.json's JSON Schema, generated from the summary types so the contract cannot drift from them.

The types (summary_types.py) give one run's document; with replications its figures are means (request
counts too, so they may be fractional) and `replications` holds the same nested shape with each number
as its mean and 95% interval; a run may add `notes`.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from simulator.metrics.summary_types import Summary

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def summary_json_schema() -> dict[str, Any]:
    """The schema every summary.json a run writes validates against."""
    schema = TypeAdapter(Summary).json_schema(mode="serialization")
    definitions = schema.setdefault("$defs", {})
    for count in definitions["Requests"]["properties"].values():  # replicated: means, so fractional
        count["type"] = "number"
    definitions["Interval"] = {
        "type": "object",
        "description": "A figure across replications: its mean and Student-t 95% interval.",
        "properties": {name: {"type": ["number", "null"]} for name in ("mean", "ci95_low", "ci95_high")},
        "required": ["mean", "ci95_low", "ci95_high"],
        "additionalProperties": False,
    }
    definitions["Replicated"] = {
        "description": "One replicated figure, or a part of the summary with its figures replicated.",
        "anyOf": [
            {"$ref": "#/$defs/Interval"},
            {"type": "object", "additionalProperties": {"$ref": "#/$defs/Replicated"}},
        ],
    }
    schema["properties"]["replications"] = {
        "description": "With --replications N > 1: the figures above are means; here each with its interval.",
        "type": "object",
        "properties": {"n": {"type": "integer", "minimum": 2}},
        "required": ["n"],
        "additionalProperties": {"$ref": "#/$defs/Replicated"},
    }
    schema["properties"]["notes"] = {
        "description": "Remarks a reader needs beside the figures (e.g. a legacy service was simulated).",
        "type": "array",
        "items": {"type": "string"},
    }
    for part in [schema, *definitions.values()]:  # a key the types do not know is a contract change
        if "properties" in part:
            part.setdefault("additionalProperties", False)
    return {
        "$schema": DIALECT,
        "title": "sagesim summary.json",
        **{key: value for key, value in schema.items() if key != "title"},
    }
