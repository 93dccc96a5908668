"""sagesim: a discrete-event simulator and capacity planner for SageMaker-style deployments."""
