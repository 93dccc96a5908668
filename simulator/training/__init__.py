"""Managed spot training: a SimPy training job with interruptions, checkpoints and SageMaker billing.

Public API (what the scenario loader and CLI call):
- `TrainingJobSpec` (schema under `training_job:`) and `check_training_job` live in `simulator.scenario`.
- `simulate_training(spec, catalog, seed_seq) -> TrainingRun`: one pure, reproducible replication.
- `run_replications`, `summarize_training`: Monte Carlo and summary.json content.
- `optimize_checkpoint`: interval search beside Young's and Daly's formulas.
"""

from simulator.scenario.training_check import check_training_job
from simulator.scenario.training_spec import CheckpointSpec, RatePhase, SpotSpec, TrainingJobSpec
from simulator.training.accounting import TimelineEntry, TrainingRun
from simulator.training.job import simulate_training
from simulator.training.montecarlo import replication_seed, run_replications, summarize_training
from simulator.training.optimizer import CheckpointOptimum, CurvePoint, optimize_checkpoint

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
    "replication_seed",
    "run_replications",
    "simulate_training",
    "summarize_training",
]
