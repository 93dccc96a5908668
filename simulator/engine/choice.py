"""Which engine runs a scenario: the exact fast path where it applies, SimPy for everything else."""

from __future__ import annotations

from simulator.catalog import Catalog
from simulator.engine.fast.eligibility import fast_path_obstacle
from simulator.engine.ring import ring_capacity
from simulator.errors import ScenarioError
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.kinds import EndpointScenario, Scenario, TrainingScenario, TransformScenario


def choose_engine(scenario: EndpointScenario, catalog: Catalog, streaming: bool) -> str:
    """ "fast" or "simpy" for `scenario.engine` (auto: fast whenever it is exact for this run).

    `engine: fast` on a run that needs SimPy is an error naming what needs it.
    """
    if scenario.engine == "simpy":
        return "simpy"
    obstacle = fast_path_obstacle(scenario, catalog, streaming)
    if obstacle is None:
        return "fast"
    if scenario.engine == "fast":
        raise ScenarioError(
            "engine", f"the fast engine cannot run this scenario: {obstacle} (use simpy or auto)"
        )
    return "simpy"


def check_engine(scenario: Scenario) -> None:
    """Refuse `engine: fast` before any work when the scenario's endpoint run needs SimPy, and on a
    training job or batch transform, which have SimPy models of their own (it would be ignored)."""
    if scenario.engine != "auto" and isinstance(scenario, TrainingScenario | TransformScenario):
        job = "a training job" if isinstance(scenario, TrainingScenario) else "a batch transform"
        raise ScenarioError(
            "engine",
            f"{scenario.engine!r} chooses an endpoint engine; {job} has its own simulator (use auto)",
        )
    if scenario.engine == "fast" and isinstance(scenario, EndpointScenario):
        choose_engine(scenario, scenario_catalog(scenario), streaming=bool(ring_capacity(scenario)))
