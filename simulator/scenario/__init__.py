"""Scenario schema, loading, overrides and JSON Schema export."""

from simulator.scenario.loader import load_scenario, load_scenario_dict

__all__ = ["load_scenario", "load_scenario_dict"]
