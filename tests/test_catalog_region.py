"""A scenario's `region` prices its costs; `sagesim catalog --region` shows that region's prices."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from simulator.scenario import load_scenario
from simulator.scenario.crossref import scenario_catalog

QUICKSTART = Path(__file__).resolve().parent.parent / "scenarios" / "quickstart.yaml"


def test_the_default_region_is_us_east_1_and_a_region_reprices() -> None:
    east = scenario_catalog(load_scenario(QUICKSTART))
    ireland = scenario_catalog(load_scenario(QUICKSTART, ["region=eu-west-1"]))
    assert east.region == "us-east-1" and ireland.region == "eu-west-1"
    assert east.price_per_hour("ml.c5.xlarge") == 0.204
    assert ireland.price_per_hour("ml.c5.xlarge") > 0.204


def test_overrides_apply_on_top_of_the_region() -> None:
    cheaper = "catalog={ml.c5.xlarge: {price_per_hour: 0.15}}"
    scenario = load_scenario(QUICKSTART, ["region=us-west-2", cheaper])
    assert scenario_catalog(scenario).price_per_hour("ml.c5.xlarge") == 0.15


def test_todays_types_are_usable_in_a_scenario() -> None:
    scenario = load_scenario(QUICKSTART, ["endpoint.variants[0].instance_type=ml.c7g.xlarge"])
    assert scenario_catalog(scenario).instance("ml.c7g.xlarge").cpu_speed > 1.0


def test_catalog_command_prices_the_region(cli: Callable[..., tuple[int, str, str]]) -> None:
    code, stdout, _ = cli("catalog", "--region", "eu-west-1", "--json")
    data = json.loads(stdout)
    assert code == 0 and data["region"] == "eu-west-1" and len(data["instances"]) >= 120
    assert data["instances"]["ml.m5.xlarge"]["price_per_hour"] == 0.257
    code, stdout, _ = cli("catalog")
    assert code == 0 and "ml.p2.xlarge *" in stdout and "1 x A10G 24 GiB" in stdout
    assert "USD/hour us-east-1" in stdout


def test_an_unknown_region_is_one_line(cli: Callable[..., tuple[int, str, str]]) -> None:
    code, stdout, stderr = cli("catalog", "--region", "mars-1")
    assert code == 2 and stdout == ""
    assert stderr == "error: --region: unknown region 'mars-1' (priced: eu-west-1, us-east-1, us-west-2)\n"
