"""Managed spot training: a SimPy training job with interruptions, checkpoints and SageMaker billing.

Public API (what the scenario loader and CLI call):
- `TrainingJobSpec`: the schema under `training_job:`; `check_training_job` for catalog rules.
- `simulate_training(spec, catalog, seed_seq) -> TrainingRun`: one pure, reproducible replication.
- `run_replications`, `summarize_training`: Monte Carlo and summary.json content.
- `plot_training`: CDF plots; `optimize_checkpoint`: interval search beside Young's and Daly's formulas.
"""

# The scenario package imports training.spec (its schema holds a TrainingJobSpec); loading it first
# means that whichever package a caller imports first, spec.py never meets a half-initialised scenario.
import simulator.scenario  # noqa: F401  (import order, see above)
from simulator.training.accounting import TimelineEntry, TrainingRun
from simulator.training.check import check_training_job
from simulator.training.job import simulate_training
from simulator.training.montecarlo import replication_seed, run_replications, summarize_training
from simulator.training.optimizer import CheckpointOptimum, CurvePoint, optimize_checkpoint
from simulator.training.plots import plot_training
from simulator.training.spec import CheckpointSpec, RatePhase, SpotSpec, TrainingJobSpec

__all__ = [
    "CheckpointOptimum",
    "CheckpointSpec",
    "CurvePoint",
    "RatePhase",
    "SpotSpec",
    "TimelineEntry",
    "TrainingJobSpec",
    "TrainingRun",
    "check_training_job",
    "optimize_checkpoint",
    "plot_training",
    "replication_seed",
    "run_replications",
    "simulate_training",
    "summarize_training",
]
