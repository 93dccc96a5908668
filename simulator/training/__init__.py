"""Managed spot training: a SimPy training job with interruptions, checkpoints and SageMaker billing.

Public API (what the CLI calls): `simulate_training(spec, catalog, seed_seq) -> TrainingRun`, one pure,
reproducible replication. The spec (`TrainingJobSpec`, schema under `training_job:`) and its checks
(`check_training_job`) live in `simulator.scenario`.

Monte Carlo replications, their summary and the checkpoint optimiser are analyses over this runtime:
`simulator.training_analysis`.
"""

from simulator.training.accounting import TrainingRun
from simulator.training.job import simulate_training

__all__ = ["TrainingRun", "simulate_training"]
