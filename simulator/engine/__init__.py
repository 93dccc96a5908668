"""The simulation run as a pure function."""

from simulator.engine.result import Result
from simulator.engine.simulate import simulate

__all__ = ["Result", "simulate"]
