"""Dynamic batching trade-off: p99 latency against throughput for max batch sizes 1-32.

Each curve sweeps the offered rate for one max batch size on one variant (run alone, short runs,
common random numbers); larger batches reach higher throughput at the price of latency at low load.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps

from simulator.engine import simulate
from simulator.figures import subplots
from simulator.options import option_scenario
from simulator.scenario.schema import Scenario
from simulator.scenario.traffic import PoissonArrivals

BATCH_SIZES = (1, 2, 4, 8, 16, 32)


def batching_curves(
    scenario: Scenario,
    variant: str,
    rates: list[float],
    batch_sizes: tuple[int, ...] = BATCH_SIZES,
    duration: float = 60.0,
) -> pd.DataFrame:
    """Rows (max_batch_size, offered rate, throughput/s, p99 ms, error rate) for a batching variant."""
    base = option_scenario(scenario, variant)
    assert base.endpoint is not None and base.traffic is not None
    model_name = base.endpoint.variants[0].model
    model = base.models[model_name]
    assert model.batching is not None
    rows = []
    for size in batch_sizes:
        batching = model.batching.model_copy(update={"max_batch_size": size})
        models = {**base.models, model_name: model.model_copy(update={"batching": batching})}
        for rate in rates:
            arrivals = PoissonArrivals(process="poisson", rate=rate)
            run = base.model_copy(
                update={
                    "models": models,
                    "traffic": base.traffic.model_copy(update={"arrivals": arrivals}),
                    "duration": duration,
                    "warmup": duration / 6,
                }
            )
            summary = simulate(run).summary
            rows.append(
                {
                    "max_batch_size": size,
                    "offered_per_s": rate,
                    "throughput_per_s": summary["throughput_per_s"],
                    "p99_ms": summary["latency_ms"]["p99"],
                    "error_rate": summary["error_rate"],
                }
            )
    return pd.DataFrame(rows)


def plot_batching_curves(frame: pd.DataFrame, path: Path, title: str) -> Path:
    """One line per max batch size: p99 latency (log scale) against achieved throughput.

    Only sustained points are drawn; past saturation the backlog makes arrival-window figures meaningless.
    """
    fig, ax = subplots(figsize=(8, 5))
    colours = colormaps["viridis"](np.linspace(0, 0.9, frame["max_batch_size"].nunique()))
    for colour, (size, group) in zip(colours, frame.groupby("max_batch_size"), strict=True):
        ok = group[
            (group["error_rate"] < 0.01) & (group["throughput_per_s"] >= 0.95 * group["offered_per_s"])
        ]
        ax.plot(ok["throughput_per_s"], ok["p99_ms"], "o-", color=colour, label=f"max batch {size}")
    ax.set_xlabel("throughput (requests/s; sustained points: >= 95% of offered load, errors < 1%)")
    ax.set_ylabel("p99 latency (ms)")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path
