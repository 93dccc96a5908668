"""An Inference Recommender job for the imported traffic: which instance types (of the config's families,
and serverless) meet a latency SLO on the measured periods, sized and verified on them.

Written beside the imported scenario as recommend.yaml, so `sagesim recommend` answers "what should
serve this traffic" with the same models and the same measured schedule as the replay.
"""

from __future__ import annotations

import re
from typing import Any

from simulator.errors import ScenarioError

_SLO = re.compile(r"(?P<percentile>[Pp]9[59])=(?P<value>.+)")


def recommend_document(scenario: dict[str, Any], slo: str) -> dict[str, Any]:
    """recommend.yaml for the imported `scenario`; `slo` is PERCENTILE=LATENCY, e.g. P99=300ms."""
    match = _SLO.fullmatch(slo.strip())
    if match is None:
        raise ScenarioError("--recommend-slo", f"{slo!r}: give P95=LATENCY or P99=LATENCY, e.g. P99=300ms")
    variants = scenario["endpoint"]["variants"]
    families = sorted({v["instance_type"].split(".")[1] for v in variants if "instance_type" in v})
    candidates: dict[str, Any] = {"families": families} if families else {"include_gpu": False}
    job: dict[str, Any] = {"model": next(iter(scenario["models"]))} if len(scenario["models"]) > 1 else {}
    return {
        "name": f"{scenario['name']}-recommend",
        "description": f"Which instance types serve the traffic of {scenario['name']} within the"
        f" {match['percentile'].upper()} latency SLO",
        "region": scenario["region"],
        "models": scenario["models"],
        "recommend": {
            **job,
            "latency_threshold": {"percentile": match["percentile"].upper(), "value": match["value"]},
            "candidates": candidates,
            "fleet_sizing": {
                "arrivals": scenario["traffic"]["arrivals"],
                "duration": scenario["duration"],
            },
        },
    }
