"""Docker calibration and validation: example SageMaker containers, a load generator, fitted profiles.

Public entry points (the `sagesim calibrate ...` / `sagesim validate ...` commands call these):
build_base_image, build_image, calibrate_serve, validate_serve, calibrate_train, validate_train,
predict, predict_completion. Errors are raised as simulator.errors.ScenarioError.
"""

from simulator.calibrate.images import DEFAULT_BASE_IMAGE, DEFAULT_IMAGES, build_base_image, build_image
from simulator.calibrate.loadgen import Load
from simulator.calibrate.predict import predict
from simulator.calibrate.profiles import ServeProfile, TrainProfile, read_serve_profile, read_train_profile
from simulator.calibrate.serve import ServePlan, calibrate_serve
from simulator.calibrate.train import TrainPlan, TrainValidation, calibrate_train, validate_train
from simulator.calibrate.train_predict import predict_completion
from simulator.calibrate.validate import ServeValidation, format_table, validate_serve

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
