"""Inference Recommender in seconds: max throughput under an SLO per candidate, ranked by cost."""
