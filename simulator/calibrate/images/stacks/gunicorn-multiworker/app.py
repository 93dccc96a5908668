"""FastAPI app for gunicorn's UvicornWorker: GET /ping, POST /invocations
({"instances": [[64 numbers], ...]} -> {"predictions": [...]}).

The endpoints are `async def` and the body is parsed with json + numpy, no pydantic model: each worker's
event loop parses and predicts one request at a time.
"""

import os
import pickle

import numpy as np
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

MODEL_DIR = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")

with open(os.path.join(MODEL_DIR, "model.pkl"), "rb") as fh:
    MODEL = pickle.load(fh)
N_FEATURES = MODEL.n_features_in_
MODEL.predict(np.zeros((1, N_FEATURES)))  # warm up before /ping answers


app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


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


@app.get("/ping")
async def ping():
    return Response(content="\n", media_type="application/json")


@app.post("/invocations")
async def invocations(request: Request):
    try:
        rows = parse_instances(await request.json())
    except ValueError as exc:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors too
        return JSONResponse({"detail": str(exc)}, status_code=400)
    return {"predictions": [int(v) for v in MODEL.predict(rows)]}
