"""Docker calibration and validation: example SageMaker containers, a load generator, fitted profiles.

Public entry points (the `sagesim calibrate ...` / `sagesim validate ...` commands call these):
build_base_image, build_image, calibrate_serve, validate_serve, calibrate_train, validate_train,
predict, predict_completion. Errors are raised as simulator.errors.ScenarioError.

Each name loads its module on first use: Docker and aiohttp are the 'docker' extra, so a base install
can still read profiles, predict from them and summarise validation runs without importing either.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.calibrate.images import DEFAULT_BASE_IMAGE, DEFAULT_IMAGES, build_base_image, build_image
    from simulator.calibrate.loads import Load
    from simulator.calibrate.predict import predict
    from simulator.calibrate.profiles import (
        ServeProfile,
        TrainProfile,
        read_serve_profile,
        read_train_profile,
    )
    from simulator.calibrate.serve import ServePlan, calibrate_serve
    from simulator.calibrate.train import TrainPlan, TrainValidation, calibrate_train, validate_train
    from simulator.calibrate.train_predict import predict_completion
    from simulator.calibrate.validate import ServeValidation, validate_serve
    from simulator.calibrate.validation_table import format_table

_MODULES = {  # where each public name is defined
    "images": ("DEFAULT_BASE_IMAGE", "DEFAULT_IMAGES", "build_base_image", "build_image"),
    "loads": ("Load",),
    "predict": ("predict",),
    "profiles": ("ServeProfile", "TrainProfile", "read_serve_profile", "read_train_profile"),
    "serve": ("ServePlan", "calibrate_serve"),
    "train": ("TrainPlan", "TrainValidation", "calibrate_train", "validate_train"),
    "train_predict": ("predict_completion",),
    "validate": ("ServeValidation", "validate_serve"),
    "validation_table": ("format_table",),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "DEFAULT_BASE_IMAGE",
    "DEFAULT_IMAGES",
    "Load",
    "ServePlan",
    "ServeProfile",
    "ServeValidation",
    "TrainPlan",
    "TrainProfile",
    "TrainValidation",
    "build_base_image",
    "build_image",
    "calibrate_serve",
    "calibrate_train",
    "format_table",
    "predict",
    "predict_completion",
    "read_serve_profile",
    "read_train_profile",
    "validate_serve",
    "validate_train",
]


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` on first access (PEP 562)."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
