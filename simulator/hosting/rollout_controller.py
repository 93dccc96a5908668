"""The deployment itself: a SimPy process that provisions green, shifts traffic, bakes, and rolls back.

Timeline (SageMaker blue/green with deployment guardrails):
1. at `start`, UpdateEndpoint: green's instances are launched; traffic stays on blue until every
   green instance is InService;
2. each traffic step sets green's share, then bakes for `wait_interval`; the alarms are evaluated at
   every period end from the first step on (a datapoint ending exactly when a bake ends still counts);
3. an alarm in ALARM, or `maximum_execution_timeout` after `start` without completing, rolls back:
   all traffic returns to blue at once and green's instances are retired (drained, killed after 30 s);
4. after the last bake the deployment is complete; blue's instances are retired `termination_wait`
   later.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from simulator.core.records import RequestLog
from simulator.hosting.alarms import COMPARE, Alarm, FinishedRequests, datapoint
from simulator.hosting.routing import TrafficSplitter
from simulator.hosting.updates import set_count
from simulator.hosting.variant import Variant
from simulator.scenario.kinds import EndpointScenario
from simulator.scenario.rollout_plan import split_weights, traffic_steps
from simulator.scenario.rollout_spec import RolloutSpec

_EPSILON = 1e-9


@dataclass
class RolloutLog:
    """What happened, as it happened: events, traffic steps, alarm datapoints."""

    events: list[dict[str, Any]] = field(default_factory=list)
    """time_s, event (provisioning, green_in_service, step, alarm, rollback, timeout, completed,
    blue_terminated), detail."""
    steps: list[dict[str, Any]] = field(default_factory=list)
    """time_s, green_share, blue_weight, green_weight (weights out of blue's original weight)."""
    datapoints: list[dict[str, Any]] = field(default_factory=list)
    """time_s (period end), alarm, value (None: missing), breaching, in_alarm."""
    outcome: str = "not started"
    """not started | provisioning | shifting | completed | rolled back."""
    updates: list[dict[str, Any]] = field(default_factory=list)
    """The same changes as UpdateEndpointWeightsAndCapacities rows (Result.updates, updates.csv)."""


class RolloutController:
    """Drives one blue/green deployment on a running endpoint (a built engine/build.py Model)."""

    def __init__(self, spec: RolloutSpec, scenario: EndpointScenario, model: Any) -> None:
        specs = {variant.name: variant for variant in scenario.endpoint.variants}
        by_name: dict[str, Variant] = {variant.name: variant for variant in model.variants}
        self.env: simpy.Environment = model.env
        self.spec = spec
        self.blue = by_name[spec.blue]
        self.green = by_name[spec.green]
        self.green_count = specs[spec.green].instance_count
        self.blue_weight = specs[spec.blue].weight
        self._weights = {
            name: specs[name].weight for name in (spec.blue, spec.green)
        }  # as updates.csv last said
        self.splitter: TrafficSplitter = model.splitter
        self.startups: list[Callable[[], float]] = model.startup_samplers
        self.record = RolloutLog()
        self._alarms = [Alarm(alarm.evaluation_periods, alarm.needed) for alarm in spec.alarms]
        self._finished = [FinishedRequests(model.log, self.green.index) for _ in spec.alarms]
        self._log: RequestLog = model.log
        self._next_look = [math.inf for _ in spec.alarms]

    def _event(self, name: str, detail: str = "") -> None:
        self.record.events.append({"time_s": self.env.now, "event": name, "detail": detail})

    def _set_share(self, share: float) -> None:
        self.splitter.share = share
        blue, green = split_weights(self.blue_weight, share)
        now = self.env.now
        self.record.steps.append(
            {"time_s": now, "green_share": share, "blue_weight": blue, "green_weight": green}
        )
        for variant, weight in ((self.blue, blue), (self.green, green)):
            before, self._weights[variant.name] = self._weights[variant.name], weight
            self.record.updates.append(
                {"time_s": now, "variant": variant.name, "change": "weight", "from": before, "to": weight}
            )

    def _set_count(self, variant: Variant, count: int, startup: Callable[[], float] | None = None) -> None:
        startup = startup or self.startups[variant.index]
        self.record.updates.append(set_count(variant, count, self.env.now, startup))

    def _provision(self) -> float:
        """Launch green's instances; returns when the last is InService."""
        draws: list[float] = []
        sampler = self.startups[self.green.index]

        def timed() -> float:
            draws.append(sampler())
            return draws[-1]

        self._set_count(self.green, self.green_count, timed)  # from 0: a rollout launches green
        return self.env.now + max(draws, default=0.0)

    def _start_watching(self) -> None:
        now = self.env.now
        for index, alarm in enumerate(self.spec.alarms):
            period = alarm.period
            self._next_look[index] = (math.floor(now / period + _EPSILON) + 1) * period

    def _look(self) -> str | None:
        """Evaluate every alarm whose period ends now; the name of one now in ALARM, if any."""
        now = self.env.now
        fired = None
        for index, (alarm, state) in enumerate(zip(self.spec.alarms, self._alarms, strict=True)):
            if abs(self._next_look[index] - now) > _EPSILON:
                continue
            requests = self._finished[index].between(now - alarm.period, now)
            value = datapoint(alarm, self._log, requests)
            breaching = value is not None and COMPARE[alarm.comparison](value, alarm.threshold)
            in_alarm = state.push(breaching)
            self.record.datapoints.append(
                {
                    "time_s": now,
                    "alarm": alarm.name,
                    "value": value,
                    "breaching": breaching,
                    "in_alarm": in_alarm,
                }
            )
            self._next_look[index] = now + alarm.period
            if in_alarm and fired is None:
                fired = alarm.name
        return fired

    def _wait_until(self, deadline: float, watching: bool) -> Generator[simpy.Event, Any, str | None]:
        """Sleep until `deadline`, evaluating alarms on the way; returns why it stopped early, if it did."""
        timeout_at = self.spec.start + self.spec.maximum_execution_timeout
        while True:
            now = self.env.now
            look = min(self._next_look, default=math.inf) if watching else math.inf
            until = min(deadline, look, timeout_at)
            if until > now:
                yield self.env.timeout(until - now)
            now = self.env.now
            if watching and abs(look - now) <= _EPSILON:
                fired = self._look()
                if fired is not None:
                    return f"alarm {fired}"
            if abs(timeout_at - now) <= _EPSILON or now > timeout_at:
                return "maximum_execution_timeout"
            if now >= deadline - _EPSILON:
                return None

    def _rollback(self, reason: str) -> None:
        self._event("alarm" if reason.startswith("alarm") else "timeout", reason)
        self._set_share(0.0)
        self._set_count(self.green, 0)
        self._event("rollback", "traffic back on blue; green instances retired")
        self.record.outcome = "rolled back"

    def run(self) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(self.spec.start)
        self.record.outcome = "provisioning"
        self._event("provisioning", f"{self.green_count} green instances launched")
        ready = self._provision()
        stopped = yield from self._wait_until(ready, watching=False)
        if stopped is not None:
            self._rollback(stopped)
            return
        self._event("green_in_service", f"{self.green_count} green instances InService")
        self.record.outcome = "shifting"
        self._start_watching()
        wait = self.spec.traffic_routing.wait_interval
        for number, share in enumerate(traffic_steps(self.spec.traffic_routing, self.green_count), start=1):
            self._set_share(share)
            self._event("step", f"step {number}: green takes {share:.0%} of blue's traffic")
            stopped = yield from self._wait_until(self.env.now + wait, watching=bool(self._alarms))
            if stopped is not None:
                self._rollback(stopped)
                return
        self.record.outcome = "completed"
        self._event("completed", "all traffic on green after the last bake")
        yield self.env.timeout(self.spec.termination_wait)
        self._set_count(self.blue, 0)
        self._event("blue_terminated", "blue instances retired after the termination wait")


def attach_rollout(scenario: EndpointScenario, model: Any) -> RolloutLog | None:
    """Start the scenario's rollout on a built model (engine/build.py Model) as a process whose log
    fills in as the run goes; None without one."""
    rollout = scenario.deployment()
    if rollout is None or model.splitter is None:
        return None
    controller = RolloutController(rollout, scenario, model)
    model.env.process(controller.run())
    return controller.record
