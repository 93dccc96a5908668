"""Outcomes -> Inference Recommender recommendations, ranked by cost per inference; Pareto front."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.recommend.candidates import Candidate
from simulator.recommend.measure import TrialPoint
from simulator.recommend.search import Outcome
from simulator.scenario.recommend_spec import LatencyThreshold


def cost_per_inference(cost_per_hour: float, per_minute: float) -> float:
    """The published identity: CostPerHour / (MaxInvocations per minute x 60)."""
    return cost_per_hour / (per_minute * 60.0)


@dataclass(frozen=True)
class Recommendation:
    """A candidate meeting the SLO, at its place in the ranking: the service's metrics, sagesim's own."""

    outcome: Outcome
    rank: int
    """From 1, cheapest per inference first."""
    slo: LatencyThreshold

    @property
    def candidate(self) -> Candidate:
        return self.outcome.candidate

    @property
    def best(self) -> TrialPoint:
        """The trial at MaxInvocations: every figure of the recommendation comes from it."""
        best = self.outcome.best
        assert best is not None and self.outcome.max_invocations > 0
        return best

    @property
    def metrics(self) -> dict[str, float | None]:
        """RecommendationMetrics, unrounded (recommendations.json rounds those the API has as integers)."""
        best, invocations = self.best, self.outcome.max_invocations
        return {
            "CostPerHour": best.cost_per_hour,
            "CostPerInference": cost_per_inference(best.cost_per_hour, invocations),
            "MaxInvocations": invocations,
            "ModelLatency": best.slo_ms,
            "CpuUtilization": best.cpu_utilization,
            "MemoryUtilization": best.memory_utilization,
            "ModelSetupTime": best.model_setup_time_ms,
        }

    @property
    def figures(self) -> dict[str, Any]:
        """sagesim's own figures, which the service's shape cannot hold (recommendations-detail.json)."""
        best, slo = self.best, self.slo
        return {
            "candidate": self.candidate.id,
            "latency_threshold": {"percentile": slo.percentile, "value_ms": slo.value * 1000.0},
            "model_latency_percentile": slo.percentile,
            "model_latency_ci95_ms": list(best.slo_ci95),
            "model_latency_ms": {"p50": best.p50_ms, "p95": best.p95_ms, "p99": best.p99_ms},
            "error_rate": best.error_rate,
            "gpu_utilization": best.gpu_utilization,
            "throughput_per_s": best.throughput,
            "trials": len(self.outcome.trials),
            "units": "ModelLatency and ModelSetupTime in ms; utilisation in % (x cores, as CloudWatch)",
            "rank": self.rank,
        }

    def as_dict(self) -> dict[str, Any]:
        """The service's InferenceRecommendation shape, sagesim's figures under `sagesim`."""
        return {
            "EndpointConfiguration": self.candidate.endpoint_configuration(),
            "Metrics": self.metrics,
            "sagesim": self.figures,
        }


def rank(outcomes: list[Outcome]) -> list[Outcome]:
    """The candidates that meet the SLO, cheapest per inference first (ties: by id)."""
    meeting = [o for o in outcomes if o.best is not None and o.max_invocations > 0]
    return sorted(
        meeting, key=lambda o: (cost_per_inference(o.best.cost_per_hour, o.max_invocations), o.candidate.id)
    )


def recommendations(ranked: list[Outcome], slo: LatencyThreshold) -> list[Recommendation]:
    """Ranked candidates as recommendations, ranked from 1."""
    return [Recommendation(outcome, position, slo) for position, outcome in enumerate(ranked, start=1)]


def pareto_front(points: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """(cost per inference, latency, label) points no other point beats on both, by rising cost."""
    front: list[tuple[float, float, str]] = []
    for cost, latency, label in sorted(points, key=lambda p: (p[0], p[1])):
        if not front or latency < front[-1][1]:
            front.append((cost, latency, label))
    return front


def curve_points(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Every trial of every candidate as a flat row (the throughput-latency curves, CSV-ready)."""
    rows = []
    for outcome in outcomes:
        for trial in outcome.trials:
            per_minute = trial.throughput * 60.0
            cost = cost_per_inference(trial.cost_per_hour, per_minute) if per_minute > 0 else None
            rows.append(
                {
                    "candidate": outcome.candidate.id,
                    "offered_rate_per_s": trial.rate,
                    "throughput_per_s": trial.throughput,
                    "invocations_per_minute": per_minute,
                    "p50_ms": trial.p50_ms,
                    "p95_ms": trial.p95_ms,
                    "p99_ms": trial.p99_ms,
                    "error_rate": trial.error_rate,
                    "cost_per_hour": trial.cost_per_hour,
                    "cost_per_inference": cost,
                    "meets_slo": trial.feasible,
                }
            )
    return rows
