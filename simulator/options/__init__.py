"""Which hardware: every variant alone under the full traffic against the scenario's SLO, and the dynamic
batching trade-off of a batching option. Analyses only: writers draw what these return."""

from simulator.options.batching import batching_curves, batching_sweep
from simulator.options.hardware import OptionsResult, compare_options, option_scenario, options_rows, verdict

__all__ = [
    "OptionsResult",
    "batching_curves",
    "batching_sweep",
    "compare_options",
    "option_scenario",
    "options_rows",
    "verdict",
]
