"""Closed-form queue results the simulator is checked against."""

from __future__ import annotations

import math


def erlang_c_wait(arrival_rate: float, service_mean: float, servers: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    offered = arrival_rate * service_mean
    utilisation = offered / servers
    assert utilisation < 1
    terms = sum(offered**k / math.factorial(k) for k in range(servers))
    top = offered**servers / math.factorial(servers) / (1 - utilisation)
    probability_wait = top / (terms + top)
    return probability_wait * service_mean / (servers * (1 - utilisation))


def pollaczek_khinchine_wait(arrival_rate: float, service_mean: float, service_variance: float) -> float:
    """Mean wait in queue of M/G/1: lambda E[S^2] / (2 (1 - rho))."""
    utilisation = arrival_rate * service_mean
    assert utilisation < 1
    second_moment = service_variance + service_mean**2
    return arrival_rate * second_moment / (2 * (1 - utilisation))


def md1_wait(arrival_rate: float, service_time: float) -> float:
    """Mean wait in queue of M/D/1: rho S / (2 (1 - rho))."""
    utilisation = arrival_rate * service_time
    return utilisation * service_time / (2 * (1 - utilisation))


def processor_sharing_sojourn(arrival_rate: float, service_mean: float) -> float:
    """Mean sojourn of M/G/1-PS (insensitive to the service distribution): S / (1 - rho)."""
    return service_mean / (1 - arrival_rate * service_mean)


def lcfs_preemptive_sojourn_moments(
    arrival_rate: float, service_mean: float, service_second_moment: float
) -> tuple[float, float]:
    """Mean and second moment of M/G/1 preemptive-resume LCFS sojourn: a request's sojourn is the busy
    period its own service starts, E[B] = E[S] / (1 - rho), E[B^2] = E[S^2] / (1 - rho)^3."""
    utilisation = arrival_rate * service_mean
    assert utilisation < 1
    return service_mean / (1 - utilisation), service_second_moment / (1 - utilisation) ** 3
