"""The kinds of scenario: one typed model per job, chosen by which section the document gives.

The YAML format has no `kind:` key: an `endpoint:` makes an endpoint run, a `rollout:` or `options:`
beside it a rollout or an options comparison, and `training_job:`, `batch_transform:` or
`recommend:` their jobs. `section_problem` reports a document whose sections fit no kind (the same
one-line errors as before the kinds had models), and `kind_of` is the union's discriminator, so
each model's own sections are required fields rather than optional ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import Discriminator, Field, Tag, TypeAdapter

from simulator.scenario.endpoint import EndpointSpec
from simulator.scenario.options import OptionsSpec
from simulator.scenario.recommend_spec import RecommendSpec
from simulator.scenario.rollout_spec import RolloutSpec
from simulator.scenario.schema import MAX_DURATION, ScenarioBase
from simulator.scenario.suggest import closest
from simulator.scenario.traffic import TrafficSpec
from simulator.scenario.training_spec import TrainingJobSpec
from simulator.scenario.transform_spec import BatchTransformSpec
from simulator.scenario.units import Duration


class Kind(StrEnum):
    """What a scenario asks for; each value is the section that selects it."""

    ENDPOINT = "endpoint"
    ROLLOUT = "rollout"
    OPTIONS = "options"
    TRAINING_JOB = "training_job"
    BATCH_TRANSFORM = "batch_transform"
    RECOMMEND = "recommend"


class EndpointScenario(ScenarioBase):
    """An endpoint under traffic for `duration` seconds: what the engine simulates."""

    kind: ClassVar[Kind] = Kind.ENDPOINT
    duration: Duration = Field(gt=0, le=MAX_DURATION)
    endpoint: EndpointSpec
    traffic: TrafficSpec

    def measured_window(self) -> tuple[float, float]:
        """[warmup, duration): the interval the summary describes."""
        return self.warmup, self.duration

    def deployment(self) -> RolloutSpec | None:
        """The blue/green deployment the engine runs during the simulation (only a rollout has one)."""
        return None


class RolloutScenario(EndpointScenario):
    """An endpoint run during which a blue/green deployment shifts traffic to the green variant."""

    kind: ClassVar[Kind] = Kind.ROLLOUT
    rollout: RolloutSpec

    def deployment(self) -> RolloutSpec:
        return self.rollout


class OptionsScenario(EndpointScenario):
    """The endpoint's variants as alternatives, each alone under the whole traffic."""

    kind: ClassVar[Kind] = Kind.OPTIONS
    options: OptionsSpec


class TrainingScenario(ScenarioBase):
    """A training job, replicated as a Monte Carlo of its interruptions."""

    kind: ClassVar[Kind] = Kind.TRAINING_JOB
    training_job: TrainingJobSpec


class TransformScenario(ScenarioBase):
    """A batch transform job over a dataset."""

    kind: ClassVar[Kind] = Kind.BATCH_TRANSFORM
    batch_transform: BatchTransformSpec


class RecommendScenario(ScenarioBase):
    """An Inference Recommender job; an optional endpoint and traffic lend it overheads and payload."""

    kind: ClassVar[Kind] = Kind.RECOMMEND
    recommend: RecommendSpec
    endpoint: EndpointSpec | None = None
    traffic: TrafficSpec | None = None


_KINDS = (
    EndpointScenario,
    RolloutScenario,
    OptionsScenario,
    TrainingScenario,
    TransformScenario,
    RecommendScenario,
)
KIND_MODELS: dict[str, type[ScenarioBase]] = {kind.kind.value: kind for kind in _KINDS}
"""Each kind's model by its tag, the first part of every error location of SCENARIO."""
TOP_LEVEL_KEYS = sorted({field.alias or name for kind in _KINDS for name, field in kind.model_fields.items()})
"""Every key a scenario document may have at its top level, whatever its kind."""

_JOBS = (Kind.TRAINING_JOB, Kind.BATCH_TRANSFORM, Kind.RECOMMEND, Kind.ROLLOUT, Kind.OPTIONS)
_NOTHING = "nothing to simulate: give an endpoint, a training_job, a batch_transform or a recommend job"


def _given(data: Mapping[str, Any]) -> set[str]:
    """The top-level keys with a value (`endpoint: null` is no endpoint, as before)."""
    return {key for key, value in data.items() if value is not None}


def without_empty_sections(data: Mapping[str, Any]) -> dict[str, Any]:
    """The document without `section: null` keys, which always meant "no such section"."""
    sections = {kind.value for kind in Kind} | {"traffic", "duration"}
    return {key: value for key, value in data.items() if value is not None or key not in sections}


def section_problem(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """(yaml path, reason) when the document's sections fit no kind; None when they fit one."""
    given = _given(data)
    if {"endpoint", "training_job"} <= given:
        return "training_job", "a scenario simulates an endpoint or a training job, not both"
    if "batch_transform" in given and given & {"endpoint", "training_job"}:
        return "batch_transform", "a scenario simulates one thing: remove endpoint or training_job"
    if "recommend" in given:
        others = sorted(given & {"training_job", "batch_transform", "rollout", "options"})
        if others:
            return "recommend", f"a recommend job runs alone: remove {' and '.join(others)}"
    if "rollout" in given and "options" in given:
        return "options", "options run each variant alone: remove rollout"
    if "endpoint" not in given:
        if "traffic" in given:
            return "endpoint", "traffic needs an endpoint to send it to"
        if "rollout" in given:
            return "rollout", "a rollout needs an endpoint"
        if "options" in given:
            return "options", "options compare the variants of an endpoint: give an endpoint"
        if not given & {"training_job", "batch_transform", "recommend"}:
            return "endpoint", _NOTHING
        return None
    if "traffic" not in given:
        return "traffic", "an endpoint needs traffic"
    if "duration" not in given:
        return "duration", "an endpoint simulation needs a duration"
    return None


def misspelled_key(
    data: Mapping[str, Any], wanted: str | None = None, written: Mapping[str, Any] | None = None
) -> tuple[str, str] | None:
    """(yaml path, reason) for a top-level key that is no scenario key but close to one (`duraton:`),
    else None. With `wanted`, only a misspelling of that key counts: a missing section is then
    reported where the user wrote it, not as missing. A key the file already has is no suggestion
    for another key of the file, but is for one a `--set` added (absent from `written`, the file)."""
    for key in (key for key in data if isinstance(key, str) and key not in TOP_LEVEL_KEYS):
        from_file = written is None or key in written
        candidates = (
            [wanted]
            if wanted is not None
            else [known for known in TOP_LEVEL_KEYS if not (from_file and known in data)]
        )
        guess = closest(key, candidates)
        if guess is not None:
            return key, f"unknown key: did you mean {guess}?"
    return None


def kind_of(data: Any) -> str | None:
    """The union's discriminator: the first job section given, else an endpoint run."""
    if isinstance(data, ScenarioBase):
        kind = getattr(data, "kind", None)
        return kind.value if isinstance(kind, Kind) else None
    if not isinstance(data, Mapping):
        return None
    given = _given(data)
    return next((kind.value for kind in _JOBS if kind.value in given), Kind.ENDPOINT.value)


Scenario = Annotated[
    Annotated[EndpointScenario, Tag(Kind.ENDPOINT.value)]
    | Annotated[RolloutScenario, Tag(Kind.ROLLOUT.value)]
    | Annotated[OptionsScenario, Tag(Kind.OPTIONS.value)]
    | Annotated[TrainingScenario, Tag(Kind.TRAINING_JOB.value)]
    | Annotated[TransformScenario, Tag(Kind.BATCH_TRANSFORM.value)]
    | Annotated[RecommendScenario, Tag(Kind.RECOMMEND.value)],
    Discriminator(kind_of),
]
"""Any scenario: validate with SCENARIO (the loader adds the cross-reference checks)."""

SCENARIO: TypeAdapter[Scenario] = TypeAdapter(Scenario)


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file: one strict object schema per kind, exactly one of which fits."""
    return {
        "title": "Scenario",
        "description": "A sagesim scenario: an endpoint run, a rollout, options, a training job,"
        " a batch transform or a recommend job, told apart by which of those sections it gives.",
        **SCENARIO.json_schema(by_alias=True),
    }
