"""Managed spot training: a SimPy training job with interruptions, checkpoints, SageMaker billing."""
