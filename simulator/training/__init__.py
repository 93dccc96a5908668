"""Managed spot training: a SimPy training job with interruptions, checkpoints and SageMaker billing.

Public API (what the scenario loader and CLI call):
- `TrainingJobSpec` (schema under `training_job:`) and `check_training_job` live in `simulator.scenario`.
- `simulate_training(spec, catalog, seed_seq) -> TrainingRun`: one pure, reproducible replication.

Monte Carlo replications, their summary and the checkpoint optimiser are analyses over this runtime:
`simulator.training_analysis`.
"""

from simulator.scenario.training_check import check_training_job
from simulator.scenario.training_spec import TrainingJobSpec
from simulator.training.accounting import TrainingRun
from simulator.training.job import simulate_training

__all__ = [
    "TrainingJobSpec",
    "TrainingRun",
    "check_training_job",
    "simulate_training",
]
