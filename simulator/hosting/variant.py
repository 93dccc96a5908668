"""A production variant: its fleet of instances, how it picks one, and how its count changes."""

from __future__ import annotations

from collections.abc import Callable

from simulator.catalog import InstanceType
from simulator.core.rng import BlockSampler
from simulator.hosting.batching import BatchingInstance, BatchingPlan
from simulator.hosting.instance import DedicatedInstance, Instance, InstanceState, SharedCpuInstance, Wiring
from simulator.hosting.pipeline import PipelineInstance, Stage, StageRecord
from simulator.hosting.service import ServicePlan
from simulator.hosting.wakeup_instance import WakeupCpuInstance
from simulator.scenario.endpoint import Routing, VariantSpec


class Variant:
    """Instances of one variant; routes each request to one of its InService instances."""

    def __init__(
        self,
        index: int,
        spec: VariantSpec,
        instance_type: InstanceType,
        plan: ServicePlan,
        routing: Routing,
        service_sampler: BlockSampler,
        choice_sampler: BlockSampler,
        wiring: Wiring,
        new_instance_id: Callable[[], int],
        price_per_hour: float,
        stages: list[Stage] | None = None,
        batching: BatchingPlan | None = None,
    ) -> None:
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.instance_type = instance_type
        self.plan = plan
        self.routing = routing
        self.workers = spec.workers if spec.workers is not None else plan.devices
        self.price_per_hour = price_per_hour
        self.stages = stages
        self.stage_record = StageRecord([s.name for s in stages], 1024) if stages else None
        self.batching = batching
        if stages:
            self.workers = stages[0].workers
        self.service_sampler = service_sampler
        self.choice_sampler = choice_sampler
        self.wiring = wiring
        self._new_instance_id = new_instance_id
        self.active: list[Instance] = []
        self.fleet: list[Instance] = []  # every instance ever launched, for billing and timelines
        self.desired = 0
        self._area = 0.0  # integral of len(active) dt up to _area_time (autoscaling metrics)
        self._area_time = 0.0
        self.error_rate = 0.0  # the model's 5XX share (see Instance._answered)
        self.error_draws: BlockSampler | None = None
        self.wakeup_slice = 0.0  # the model's head start of a woken worker (see WakeupCpuInstance)

    def _account(self, now: float) -> None:
        self._area += len(self.active) * (now - self._area_time)
        self._area_time = now

    def active_area(self, now: float) -> float:
        """InService instance-seconds since the start of the run, up to `now`."""
        return self._area + len(self.active) * (now - self._area_time)

    def _make_instance(self, now: float) -> Instance:
        shared = self.plan.device == "cpu" and self.workers > self.plan.devices
        speeds = self.spec.instance_speeds or [1.0]
        speed = speeds[len(self.fleet) % len(speeds)]
        arguments = (
            self._new_instance_id(),
            self.workers,
            self.spec.max_queue,
            self.service_sampler,
            self.wiring,
            now,
            speed,
        )
        if self.stages is not None and self.stage_record is not None:
            return PipelineInstance(*arguments, stages=self.stages, record=self.stage_record)
        if self.batching is not None:
            return BatchingInstance(*arguments, plan=self.batching)
        if shared and self.wakeup_slice > 0:
            instance: Instance = WakeupCpuInstance(
                *arguments, vcpus=self.plan.devices, wakeup_slice=self.wakeup_slice
            )
        elif shared:
            instance = SharedCpuInstance(*arguments, vcpus=float(self.plan.devices))
        else:
            instance = DedicatedInstance(*arguments)
        instance.error_rate, instance.error_draws = self.error_rate, self.error_draws
        return instance

    def launch(self, now: float, ready_after: float) -> None:
        """Request a new instance; it joins routing once InService after `ready_after` seconds."""
        instance = self._make_instance(now)
        self.fleet.append(instance)
        if ready_after <= 0:
            self._bring_in_service(instance)
        else:
            event = self.wiring.env.timeout(ready_after)
            event.callbacks.append(lambda _event: self._bring_in_service(instance))

    def _bring_in_service(self, instance: Instance) -> None:
        if instance.state is not InstanceState.PENDING:
            return
        now = self.wiring.env.now
        self._account(now)
        instance.mark_in_service(now)
        self.active.append(instance)

    def set_desired(self, count: int, now: float, startup: Callable[[], float]) -> float:
        """UpdateEndpointWeightsAndCapacities / scaling: launch or retire (newest first) instances.
        Returns when the change completes: the last launched instance InService (now for a scale-in)."""
        self.desired = count
        live = [i for i in self.fleet if i.state in (InstanceState.PENDING, InstanceState.IN_SERVICE)]
        completes = now
        for _ in range(count - len(live)):
            ready_after = startup()
            self.launch(now, ready_after)
            completes = max(completes, now + ready_after)
        if count < len(live):
            pending = [i for i in live if i.state is InstanceState.PENDING]
            in_service = [i for i in live if i.state is InstanceState.IN_SERVICE]
            victims = (pending[::-1] + in_service[::-1])[: len(live) - count]
            self._account(now)
            for instance in victims:
                if instance in self.active:
                    self.active.remove(instance)
                instance.retire(now)
        return completes

    def pick(self) -> Instance | None:
        """RANDOM: uniform over InService instances; LEAST_OUTSTANDING_REQUESTS: fewest in flight."""
        active = self.active
        count = len(active)
        if count == 0:
            return None
        if count == 1:
            return active[0]
        offset = int(self.choice_sampler.next() * count)
        if self.routing is Routing.RANDOM:
            return active[offset]
        best = active[offset]
        best_outstanding = best.outstanding
        for step in range(1, count):
            candidate = active[(offset + step) % count]
            if candidate.outstanding < best_outstanding:
                best, best_outstanding = candidate, candidate.outstanding
        return best
