"""Experiments over training and batch transform jobs: Monte Carlo replications, their summary, and the
checkpoint-interval optimiser. They stand on the runtime in `simulator.training` and hand their
replications to an executor, like every other analysis.
"""

from simulator.training_analysis.montecarlo import run_replications, summarize_training
from simulator.training_analysis.optimizer import optimize_checkpoint
from simulator.training_analysis.transform_runs import transform_replications

__all__ = [
    "optimize_checkpoint",
    "run_replications",
    "summarize_training",
    "transform_replications",
]
