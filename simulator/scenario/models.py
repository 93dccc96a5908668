"""Model definitions: how long one inference takes, on which hardware, and how much memory it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, TypeAdapter, ValidationError, ValidationInfo, model_validator

from simulator.errors import ScenarioError
from simulator.inputs import load_yaml, read_text
from simulator.scenario.common import distribution_error_path, error_reason
from simulator.scenario.distributions import Distribution, ServiceTime
from simulator.scenario.files import resolve
from simulator.scenario.serving import PipelineFields
from simulator.scenario.units import Duration, Size


def profile_wakeup_slice(value: object) -> float:
    """A profile's wakeup_slice: plain seconds (as calibration writes it) in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"wakeup_slice must be seconds in [0, 1], not {value!r}")
    return float(value)


PROFILE_SUPPLIES = ("service_time", "overhead", "wakeup_slice")  # what a profile gives a model
PROFILE_COUNTS = ("workers", "vcpus")  # what it was measured with; the notes compare them to a variant's
PROFILE_KEYS = (*PROFILE_SUPPLIES, *PROFILE_COUNTS, "fitted")  # a typo among them must not pass unseen


def is_count(value: object) -> bool:
    """A whole number of at least 1 (YAML's yes/no are not counts)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _check_profile_count(key: str, value: object) -> None:
    """A profile's worker or vCPU count, when it gives one, is a whole number of at least 1 (the notes
    that compare it to a variant's would otherwise pass over it in silence)."""
    if value is not None and not is_count(value):
        raise ValueError(f"{key} must be a whole number of at least 1, not {value!r}")


def _read_profile(path: Path) -> Any:
    """A profile file's YAML document (ScenarioError when it cannot be read or parsed)."""
    return load_yaml(read_text(path, str(path)), str(path))


def profile_document(path: str) -> dict[str, Any] | None:
    """A profile file read again after the scenario loaded (it was checked then): its mapping, or None
    when it is gone or no longer a mapping."""
    try:
        document = _read_profile(Path(path))
    except ScenarioError:
        return None
    return document if isinstance(document, dict) else None


_DISTRIBUTION = TypeAdapter(Distribution)


def _check_profile_distribution(value: object, where: str) -> None:
    """A profile's distribution checked where it is written: left to the model's own fields, a hand
    edit in the profile would be reported at the model, not at the profile's key."""
    if value is None:
        return
    try:
        _DISTRIBUTION.validate_python(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        inner = distribution_error_path(value, error)
        raise ValueError(f"{where}{'.' + inner if inner else ''}: {error_reason(error)}") from None


class ModelSpec(PipelineFields):
    """One model (container) and its service-time model.

    `service_time` is the time for one request on one dedicated vCPU of the reference instance
    (ml.c5, `cpu_speed` 1.0); other families scale it by their catalog `cpu_speed`. `gpu_service_time`
    is the time on one reference GPU (V100) and makes GPU instances serve on their GPUs.
    `per_instance_type` overrides both for named instance types (used as is, no speed factor).
    `profile` names a calibration profile YAML (a mapping with `service_time` and optional `overhead`
    distributions and `wakeup_slice`, as a Docker calibration run fits them) that supplies them when
    they are not given here.
    `containers` makes the model an inference pipeline (each container has its own service time);
    `batching` turns on dynamic batching; `elastic_inference` says what one inference costs on a
    variant with an `accelerator_type` (see serving.py).
    """

    service_time: ServiceTime | None = None
    gpu_service_time: ServiceTime | None = None
    per_instance_type: dict[str, ServiceTime] = Field(default_factory=dict)
    overhead: Distribution | None = Field(
        default=None, description="per-request latency outside the model; overrides the endpoint's"
    )
    memory: Size = Field(default=1024**3, gt=0, description="resident model size (default 1 GiB)")
    error_rate: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        strict=True,
        description="share of served requests the model answers with a 5XX error (e.g. a bad new version)",
    )
    wakeup_slice: Duration = Field(
        default=0.0,
        ge=0,
        le=1,
        description="when more workers than vCPUs share the cores: how long a request that starts runs"
        " ahead of the busy ones (the kernel's wake-up preemption; calibration fits it); 0 shares the"
        " cores equally",
    )
    profile: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _apply_profile(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict) or data.get("profile") is None:
            return data
        path = resolve(data["profile"], info)
        try:
            profile = _read_profile(path)
        except ScenarioError as exc:
            raise ValueError(f"cannot read profile {str(path)!r}: {exc.reason}") from None
        if not isinstance(profile, dict):
            raise ValueError(f"profile {str(path)!r} must be a mapping ({', '.join(PROFILE_KEYS)})")
        unknown = [str(key) for key in profile if key not in PROFILE_KEYS]
        if unknown:
            raise ValueError(
                f"profile {str(path)!r}: unknown key {unknown[0]!r} (a profile has {', '.join(PROFILE_KEYS)})"
            )
        if "service_time" not in profile:
            raise ValueError(f"profile {str(path)!r} has no service_time")
        for key in PROFILE_SUPPLIES:
            if data.get(key) is not None and profile.get(key) is not None:
                raise ValueError(
                    f"give {key} or a profile that has one, not both (the profile's would be ignored)"
                )
        try:
            profile_wakeup_slice(profile.get("wakeup_slice", 0.0))
            for count in PROFILE_COUNTS:
                _check_profile_count(count, profile.get(count))
        except ValueError as exc:
            raise ValueError(f"profile {str(path)!r}: {exc}") from None
        for key in ("service_time", "overhead"):
            _check_profile_distribution(profile.get(key), f"profile {str(path)!r}: {key}")
        taken = {key: profile[key] for key in ("overhead", "wakeup_slice") if profile.get(key) is not None}
        return {**data, "profile": str(path.resolve()), "service_time": profile["service_time"], **taken}

    @model_validator(mode="after")
    def _has_service_time(self) -> ModelSpec:
        given = (
            self.service_time,
            self.gpu_service_time,
            self.containers,
            self.batching,
            self.elastic_inference,
        )
        if all(value is None for value in given) and not self.per_instance_type:
            raise ValueError(
                "give service_time, gpu_service_time, per_instance_type, profile, containers, batching"
                " or elastic_inference"
            )
        return self
