"""Scenario schema, loading, overrides and JSON Schema export."""

from simulator.scenario.loader import dump_resolved, load_scenario, load_scenario_dict
from simulator.scenario.schema import Scenario

__all__ = ["Scenario", "dump_resolved", "load_scenario", "load_scenario_dict"]
