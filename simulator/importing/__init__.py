"""`sagesim import`: what SageMaker users have (describe-endpoint-config, scaling policies and targets,
CloudWatch alarms and an Invocations export) turned into a scenario that replays the measured minutes.

Every document is first checked against botocore's response shape of the call that produced it; then
each setting is either simulated, noted as having no bearing on capacity, or refused with a one-line
reason naming its JSON path. Nothing here writes files: simulator/cli_import.py stages the output.
"""
