"""The training job as a SimPy process: attempts, reclaims, checkpoints and resume.

Structure follows SimPy's machine_shop example: every wait is a `timeout` that a reclaim (or the
MaxWait timer) can cut short with `simpy.Interrupt`; on an interrupt the job keeps the work done so far
and, after a reclaim, falls back to its last completed checkpoint (or to zero without checkpoints).

Lifecycle of one attempt (the hazard of a reclaim runs from the start of Starting until the attempt
ends; a notice comes `notice_s` before the reclaim):
  Starting -> Downloading -> [restore if a checkpoint exists] -> Training: compute `interval_s`, write
  checkpoint, ... -> Uploading -> Completed.
After a reclaim: Interrupted (capacity wait) -> next attempt. Stops: MaxWaitTimeExceeded (wall time
since creation reaches max_wait, waits included) and MaxRuntimeExceeded (billable runtime reaches
max_runtime). An interrupted upload loses the work since the last checkpoint, like any other reclaim.

Daly's model is the special case notice 0, no capacity wait, restart cost R = startup_time (with
download, restore 0) and upload_time = checkpoint write time (the last segment ends in a write too).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from simulator.catalog import Catalog
from simulator.scenario.training_spec import TrainingJobSpec
from simulator.training.accounting import TimelineEntry, TrainingRun
from simulator.training.plan import JobPlan, build_plan

NOTICE = "notice"
RECLAIM = "reclaim"
MAX_WAIT = "MaxWaitTimeExceeded"
MAX_RUNTIME = "MaxRuntimeExceeded"
_EPS = 1e-9

Hold = Generator[simpy.Event, Any, tuple[str | None, float]]
Step = Generator[simpy.Event, Any, str | None]


def stream(seed_seq: np.random.SeedSequence, name: str) -> np.random.Generator:
    """A named child stream: same name, same numbers, whatever else the run draws (no spawn counter)."""
    key = (*seed_seq.spawn_key, zlib.crc32(name.encode()))
    return np.random.default_rng(np.random.SeedSequence(seed_seq.entropy, spawn_key=key))


class TrainingJob:
    """State and SimPy process of one job; read the attributes after `env.run(until=job.process)`."""

    def __init__(
        self,
        env: simpy.Environment,
        plan: JobPlan,
        interruption_rng: np.random.Generator,
        capacity_rng: np.random.Generator,
        record: bool = True,
    ) -> None:
        self.env = env
        self.plan = plan
        self._interruption_rng = interruption_rng
        self._capacity_rng = capacity_rng
        self.progress = 0.0
        self.checkpoint = 0.0
        self.runtime = 0.0
        self.training_start: float | None = None
        self.interruptions = 0
        self.checkpoints = 0
        self.lost_work = 0.0
        self.capacity_wait = 0.0
        self.outcome = ""
        self.timeline: list[TimelineEntry] = []
        self._record = record
        self._attempt = 0
        self._noticed = False
        self._reclaim_at = math.inf
        self.process = env.process(self._run())
        if math.isfinite(plan.max_wait_s):
            env.process(self._max_wait_timer())

    # -- bookkeeping -------------------------------------------------------------------------------
    def _log(self, status: str, activity: str = "") -> None:
        if self._record:
            self.timeline.append(
                TimelineEntry(self.env.now, status, activity, self.progress, self.checkpoint)
            )

    def _hold(self, duration: float, billable: bool) -> Hold:
        """Wait `duration` unless interrupted: (cause or None, elapsed). Billable waits stop at MaxRuntime."""
        if duration <= 0:
            return None, 0.0
        limit, cause_at_limit = duration, None
        if billable and self.runtime + duration > self.plan.max_runtime_s:
            limit, cause_at_limit = max(self.plan.max_runtime_s - self.runtime, 0.0), MAX_RUNTIME
        start = self.env.now
        try:
            yield self.env.timeout(limit)
            cause = cause_at_limit
        except simpy.Interrupt as interrupt:
            cause = interrupt.cause
        elapsed = self.env.now - start
        if billable:
            self.runtime += elapsed
        return cause, elapsed

    def _phase(self, duration: float, billable: bool) -> Step:
        """A phase that a notice does not change (it only remembers it); returns a stopping cause."""
        remaining = duration
        while True:
            cause, elapsed = yield from self._hold(remaining, billable)
            if cause != NOTICE:
                return cause
            self._noticed = True
            remaining -= elapsed

    # -- processes ---------------------------------------------------------------------------------
    def _max_wait_timer(self) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(self.plan.max_wait_s)
        if self.process.is_alive:
            self.process.interrupt(MAX_WAIT)

    def _reclaimer(self, attempt: int, notice_at: float) -> Generator[simpy.Event, Any, None]:
        if self.plan.checkpoint_on_notice and self.plan.notice_s > 0:
            yield self.env.timeout(notice_at - self.env.now)
            if self._attempt != attempt or not self.process.is_alive:
                return
            self.process.interrupt(NOTICE)
        yield self.env.timeout(self._reclaim_at - self.env.now)
        if self._attempt == attempt and self.process.is_alive:
            self.process.interrupt(RECLAIM)

    def _run(self) -> Generator[simpy.Event, Any, None]:
        plan = self.plan
        while True:
            if self._attempt > 0:
                self._log("Interrupted", "capacity-wait")
                wait = 0.0
                if plan.capacity_wait is not None:
                    wait = float(plan.capacity_wait.sample(self._capacity_rng, 1)[0])
                cause, elapsed = yield from self._hold(wait, billable=False)
                self.capacity_wait += elapsed
                if cause is not None:
                    self._end(cause)
                    return
            self._noticed = False
            self._reclaim_at = math.inf
            if plan.market is not None:
                notice_at = plan.market.next_notice(self.env.now, self._interruption_rng)
                if math.isfinite(notice_at):
                    self._reclaim_at = notice_at + plan.notice_s
                    self.env.process(self._reclaimer(self._attempt, notice_at))
            cause = yield from self._attempt_steps()
            self._attempt += 1
            if cause != RECLAIM:
                self._end(cause or "Completed")
                return
            self._log("Interrupted", "reclaim")
            self.interruptions += 1
            self.lost_work += self.progress - self.checkpoint
            self.progress = self.checkpoint

    def _attempt_steps(self) -> Step:
        plan = self.plan
        self._log("Starting")
        if cause := (yield from self._phase(plan.startup_s, billable=False)):
            return cause
        if self.training_start is None:
            self.training_start = self.env.now
        self._log("Downloading")
        if cause := (yield from self._phase(plan.download_s, billable=True)):
            return cause
        if self.checkpoint > 0:
            self._log("Training", "restore")
            if cause := (yield from self._phase(plan.restore_s, billable=True)):
                return cause
        finishing = False
        while self.progress < plan.work_s - _EPS:
            if self._noticed and not finishing:
                finishing = self._can_finish()
                if not finishing:
                    return (yield from self._on_notice())
            target = plan.work_s
            if plan.interval_s is not None and not finishing:
                target = min(self.checkpoint + plan.interval_s, plan.work_s)
            self._log("Training", "compute")
            cause, elapsed = yield from self._hold(target - self.progress, billable=True)
            self.progress = target if cause is None else min(self.progress + elapsed, target)
            if cause == NOTICE:
                self._noticed = True
                continue
            if cause is not None:
                return cause
            periodic = plan.interval_s is not None and not finishing
            if periodic and self.progress < plan.work_s - _EPS:
                cause = yield from self._write_checkpoint("checkpoint")
                if cause is not None:
                    return cause
        self.progress = plan.work_s
        self._log("Uploading")
        return (yield from self._phase(plan.upload_s, billable=True))

    def _can_finish(self) -> bool:
        """On a notice: keep going if the rest of the work and the upload fit before the reclaim."""
        left = self._reclaim_at - self.env.now
        return (self.plan.work_s - self.progress) + self.plan.upload_s <= left

    def _write_checkpoint(self, activity: str) -> Step:
        """Write a checkpoint of the current progress; it counts only once the write completes."""
        self._log("Training", activity)
        saved = self.progress
        cause = yield from self._phase(self.plan.write_s, billable=True)
        if cause is None:
            self.checkpoint = saved
            self.checkpoints += 1
        return cause

    def _on_notice(self) -> Step:
        """Checkpoint what is unsaved, then hold the instances (billed) until the reclaim arrives."""
        if self.progress > self.checkpoint + _EPS and (
            cause := (yield from self._write_checkpoint("notice-checkpoint"))
        ):
            return cause
        self._log("Training", "await-reclaim")
        cause, _ = yield from self._hold(math.inf, billable=True)
        return cause

    def _end(self, cause: str) -> None:
        self.outcome = cause
        self._log(cause)


def simulate_training(
    spec: TrainingJobSpec, catalog: Catalog, seed_seq: np.random.SeedSequence
) -> TrainingRun:
    """One replication: pure and bit-reproducible from `seed_seq` (streams 'interruptions', 'capacity')."""
    return simulate_plan(build_plan(spec, catalog), seed_seq)


def simulate_plan(plan: JobPlan, seed_seq: np.random.SeedSequence, record: bool = True) -> TrainingRun:
    """One replication of a resolved plan (the optimiser reuses one plan per interval, without timeline)."""
    env = simpy.Environment()
    job = TrainingJob(env, plan, stream(seed_seq, "interruptions"), stream(seed_seq, "capacity"), record)
    env.run(until=job.process)
    return _account(job, env.now)


def _account(job: TrainingJob, end: float) -> TrainingRun:
    """The job's SageMaker figures at `end`, by the rules of accounting.py's docstring (billable seconds
    are discounted seconds for spot; savings 0 when nothing ran; costs at the on-demand price)."""
    plan = job.plan
    training = end - job.training_start if job.training_start is not None else 0.0
    billable = job.runtime * (1.0 - plan.spot_discount) if plan.spot else job.runtime
    return TrainingRun(
        status="Completed" if job.outcome == "Completed" else "Stopped",
        secondary_status=job.outcome,
        completion_time_s=end,
        training_time_s=training,
        billable_time_s=billable,
        runtime_s=job.runtime,
        savings_pct=(1.0 - billable / training) * 100.0 if plan.spot and training > 0 else 0.0,
        cost_usd=billable * plan.instance_count * plan.on_demand_price_per_hour / 3600.0,
        cost_on_demand_usd=job.runtime * plan.instance_count * plan.on_demand_price_per_hour / 3600.0,
        interruptions=job.interruptions,
        checkpoints=job.checkpoints,
        lost_work_s=job.lost_work,
        capacity_wait_s=job.capacity_wait,
        work_s=plan.work_s,
        work_done_s=job.progress,
        instance_count=plan.instance_count,
        spot=plan.spot,
        timeline=tuple(job.timeline),
    )
