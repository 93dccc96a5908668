"""Flask app: GET /ping, POST /invocations ({"instances": [[64 numbers], ...]} -> {"predictions": [...]})."""

import os
import pickle

import flask
import numpy as np

MODEL_DIR = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")

with open(os.path.join(MODEL_DIR, "model.pkl"), "rb") as fh:
    MODEL = pickle.load(fh)
N_FEATURES = MODEL.n_features_in_
MODEL.predict(np.zeros((1, N_FEATURES)))  # warm up before /ping answers

app = flask.Flask(__name__)


def parse_instances(payload):
    """Return the instances of a request body as a 2-D float array, or raise ValueError."""
    if not isinstance(payload, dict) or "instances" not in payload:
        raise ValueError('expected a JSON object with an "instances" list')
    try:
        rows = np.asarray(payload["instances"], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"instances must be rows of numbers: {exc}") from None
    if rows.ndim != 2 or rows.shape[0] == 0 or rows.shape[1] != N_FEATURES:
        raise ValueError(f"instances must be a non-empty list of rows of {N_FEATURES} numbers")
    if not np.isfinite(rows).all():
        raise ValueError("instances must be finite numbers")
    return rows


@app.route("/ping", methods=["GET"])
def ping():
    return flask.Response(response="\n", status=200, mimetype="application/json")


@app.route("/invocations", methods=["POST"])
def invocations():
    payload = flask.request.get_json(silent=True)  # None for invalid JSON or a non-JSON content type
    try:
        rows = parse_instances(payload)
    except ValueError as exc:
        return flask.jsonify(error=str(exc)), 400
    return flask.jsonify(predictions=[int(v) for v in MODEL.predict(rows)])
