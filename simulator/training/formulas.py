"""Closed forms for checkpointed and restart-from-scratch jobs under exponential interruptions.

Symbols: M = MTBF of the whole job (1 / job-level rate), delta = checkpoint write time, R = restart
cost, tau = compute time between checkpoints, T_s = solve time (compute without failures).

References: J. W. Young, "A first order approximation to the optimum checkpoint interval", CACM 1974;
J. T. Daly, "A higher order estimate of the optimum checkpoint interval for restart dumps", FGCS 2006.
"""

from __future__ import annotations

import math

from scipy.optimize import brentq
from scipy.special import lambertw

from simulator.scenario.training_spec import TrainingJobSpec
from simulator.wording import signed_percent


def young_interval(delta: float, mtbf: float) -> float:
    """Young's first-order optimum sqrt(2 delta M): good when delta << M."""
    return math.sqrt(2.0 * delta * mtbf)


def daly_interval(delta: float, mtbf: float) -> float:
    """Daly's higher-order optimum: sqrt(2dM)[1 + sqrt(d/2M)/3 + (d/2M)/9] - d for d < 2M, else M."""
    if delta >= 2.0 * mtbf:
        return mtbf
    x = delta / (2.0 * mtbf)
    return math.sqrt(2.0 * delta * mtbf) * (1.0 + math.sqrt(x) / 3.0 + x / 9.0) - delta


def daly_exact_interval(delta: float, mtbf: float) -> float:
    """The exact minimiser of Daly's wall time: tau = M (1 + W0(-exp(-delta/M - 1))).

    Setting d/dtau [(e^((tau+delta)/M) - 1) / tau] = 0 gives (1 - tau/M) e^((tau+delta)/M) = 1.
    """
    return mtbf * (1.0 + float(lambertw(-math.exp(-delta / mtbf - 1.0)).real))


def daly_wall_time(solve_time: float, interval: float, delta: float, restart: float, mtbf: float) -> float:
    """Daly's expected wall time T_w = M e^(R/M) (e^((tau+delta)/M) - 1) T_s / tau.

    Exact when T_s / tau is a whole number of segments, each segment of tau compute ends in a checkpoint
    of delta (so does the last), interruptions are exponential and can hit compute, checkpoints and
    restarts alike, and every interruption is followed by a restart of R (no capacity wait).
    """
    return mtbf * math.exp(restart / mtbf) * math.expm1((interval + delta) / mtbf) * solve_time / interval


def segmented_wall_time(work: float, interval: float, delta: float, restart: float, mtbf: float) -> float:
    """Daly's model for a finite job: floor(W/tau) whole segments plus a last partial one of r + delta.

    Each segment that starts fresh takes M e^(R/M) (e^((len + delta)/M) - 1) on average (the same
    renewal argument as Daly's), so the last segment simply has a shorter compute length r = W mod tau.
    Equals `daly_wall_time` when W is a whole number of segments.
    """
    whole = math.floor(work / interval + 1e-9)
    rest = max(work - whole * interval, 0.0)

    def segment(length: float) -> float:
        return mtbf * math.exp(restart / mtbf) * math.expm1((length + delta) / mtbf)

    return whole * segment(interval) + (segment(rest) if rest > 1e-9 * interval else 0.0)


def restart_from_scratch_mean(
    attempt_length: float, rate: float, notice: float = 0.0, mean_wait: float = 0.0
) -> float:
    """Mean completion time of a job that restarts from scratch after every reclaim.

    An attempt needs L = startup + download + compute + upload of uninterrupted holding. Notices arrive
    at job rate lambda from the start of each attempt; the reclaim follows `notice` later (the job keeps
    running, so an attempt whose notice comes after L - notice still finishes). With L' = max(L - notice, 0)
    an attempt fails with probability 1 - e^(-lambda L'), so the number of failures K is geometric with
    E[K] = e^(lambda L') - 1. A failed attempt lasts T + notice with T ~ Exp(lambda) conditioned on T < L',
    then a capacity wait of mean w. Since E[K] E[T | T < L'] = E[K]/lambda - L', summing gives

        E[T_done] = (e^(lambda L') - 1) (1/lambda + notice + w) + L - L'

    which for notice = 0 is the classic (1/lambda + w)(e^(lambda L) - 1).
    """
    if rate <= 0:
        return attempt_length
    exposed = max(attempt_length - notice, 0.0)
    return math.expm1(rate * exposed) * (1.0 / rate + notice + mean_wait) + attempt_length - exposed


def young_penalty(delta: float, mtbf: float) -> float:
    """Relative extra expected wall time of Young's interval over the exact optimum (Daly's model)."""
    best = daly_exact_interval(delta, mtbf)
    return _segment_rate(young_interval(delta, mtbf), delta, mtbf) / _segment_rate(best, delta, mtbf) - 1.0


def _segment_rate(interval: float, delta: float, mtbf: float) -> float:
    return math.expm1((interval + delta) / mtbf) / interval


YOUNG_PENALTY_LIMIT = 0.01
"""Young's interval is called broken down when it costs more than 1% extra expected time."""


def young_breakdown(delta: float, mtbf: float) -> str:
    """One line saying how far Young's interval is from the optimum, and whether that matters here."""
    if delta <= 0 or not math.isfinite(mtbf):
        return "Young/Daly not applicable (no checkpoint cost or no interruptions)."
    try:
        young, best = young_interval(delta, mtbf), daly_exact_interval(delta, mtbf)
        penalty = young_penalty(delta, mtbf)
    except OverflowError:  # e^((tau + delta) / M) past a float: interruptions far outpace checkpoints
        return (
            f"Young/Daly not applicable: interruptions come every {mtbf:.3g} s on average, and one"
            f" checkpoint takes {delta:.3g} s; no checkpoint interval lets the job make progress."
        )
    verdict = "breaks down" if penalty > YOUNG_PENALTY_LIMIT else "holds"
    return (
        f"Young's approximation {verdict}: MTBF/delta = {mtbf / delta:.3g}; "
        f"sqrt(2 delta M) = {young:.0f} s is "
        f"{signed_percent(young / best - 1)} off the exact optimum of Daly's model, {best:.0f} s, and in"
        f" that model costs {100 * penalty:.2f}% extra expected time (it breaks down,"
        f" >{100 * YOUNG_PENALTY_LIMIT:.0f}%, once MTBF/delta < "
        f"{young_breakdown_ratio():.2g})."
    )


def young_breakdown_ratio() -> float:
    """The MTBF/delta below which Young's interval costs more than YOUNG_PENALTY_LIMIT extra time."""
    return float(brentq(lambda ratio: young_penalty(1.0, ratio) - YOUNG_PENALTY_LIMIT, 0.1, 1e4))


def young_table(
    delta: float, ratios: tuple[float, ...] = (1000, 100, 20, 10, 5, 2, 1, 0.5)
) -> list[dict[str, float]]:
    """Young vs Daly over MTBF/delta ratios: where the first-order formula stops being good enough."""
    rows = []
    for ratio in ratios:
        mtbf = ratio * delta
        best = daly_exact_interval(delta, mtbf)
        rows.append(
            {
                "mtbf_over_delta": ratio,
                "young_s": young_interval(delta, mtbf),
                "daly_s": daly_interval(delta, mtbf),
                "optimum_s": best,
                "young_error_pct": 100 * (young_interval(delta, mtbf) / best - 1),
                "young_time_penalty_pct": 100 * young_penalty(delta, mtbf),
            }
        )
    return rows


def on_demand_seconds(spec: TrainingJobSpec) -> float:
    """Completion time of the same job on on-demand instances (deterministic: never interrupted)."""
    work = spec.cluster_work()
    writing = 0.0  # periodic checkpoint writes: after every interval but the last
    if spec.checkpoint is not None and spec.checkpoint.interval is not None:
        writes = max(math.ceil(work / spec.checkpoint.interval - 1e-9) - 1, 0)
        writing = writes * spec.checkpoint.write_seconds()
    total = spec.startup_time + spec.download_seconds() + work + writing + spec.upload_time
    return min(total, spec.startup_time + spec.max_runtime)
