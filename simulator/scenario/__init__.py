"""Scenario schema, loading, overrides and JSON Schema export."""

from simulator.scenario.kinds import Scenario
from simulator.scenario.loader import dump_resolved, load_scenario, load_scenario_dict

__all__ = ["Scenario", "dump_resolved", "load_scenario", "load_scenario_dict"]
