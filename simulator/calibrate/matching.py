"""The service-time factor with which the model reproduces one measured open-loop level."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from simulator.calibrate.predict import predict
from simulator.calibrate.profiles import ServeProfile
from simulator.calibrate.rate_scale import scaled_service

if TYPE_CHECKING:  # measure needs the docker extra; fitting does not
    from simulator.calibrate.measure import Level


def matching_factor(profile: ServeProfile, level: Level, statistic: str, *, replications: int = 8) -> float:
    """The factor on the profile's service time with which the model, replaying the level's send
    times at the host's pace second by second (`speed_trace`), gives the level's measured statistic
    (bisection on a log scale). With the pace in, the factor is the server's cost at this rate, not
    the slow spells the host had while it was measured."""
    measured = level.summary()[statistic]
    arrivals = level.sent_times()  # replayed: see predict()
    pace = level.speed_trace
    low, high = 0.4, 2.5
    for _ in range(14):
        mid = math.sqrt(low * high)
        predicted = predict(
            scaled_service(profile, mid),
            level.load,
            backend="internal",
            arrivals=arrivals,
            replications=replications,
            speed=pace,
        )[statistic]
        low, high = (mid, high) if predicted < measured else (low, mid)
    return math.sqrt(low * high)
