"""Rollout planner: SageMaker blue/green deployments with traffic shifting, baking and auto-rollback."""
