"""FastAPI app: GET /ping, POST /invocations ({"instances": [[64 numbers], ...]} -> {"predictions": [...]}).

Both endpoints are plain `def` functions, so Starlette runs them in its thread pool; the request body is
parsed and validated (pydantic) on the event loop before that.
"""

import os
import pickle

import numpy as np
from fastapi import FastAPI, HTTPException, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

MODEL_DIR = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")

with open(os.path.join(MODEL_DIR, "model.pkl"), "rb") as fh:
    MODEL = pickle.load(fh)
N_FEATURES = MODEL.n_features_in_
MODEL.predict(np.zeros((1, N_FEATURES)))  # warm up before /ping answers


class Payload(BaseModel):
    instances: list[list[float]]


app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.exception_handler(RequestValidationError)
async def bad_request(request, exc):
    # FastAPI answers 422 by default; SageMaker clients expect 400 for a bad body.
    return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=400)


@app.get("/ping")
def ping():
    return Response(content="\n", media_type="application/json")


@app.post("/invocations")
def invocations(payload: Payload):
    try:
        rows = np.asarray(payload.instances, dtype=np.float64)
    except ValueError as exc:
        raise HTTPException(400, f"instances must be rows of numbers: {exc}") from None
    if rows.ndim != 2 or rows.shape[0] == 0 or rows.shape[1] != N_FEATURES:
        raise HTTPException(400, f"instances must be a non-empty list of rows of {N_FEATURES} numbers")
    if not np.isfinite(rows).all():
        raise HTTPException(400, "instances must be finite numbers")
    return {"predictions": [int(v) for v in MODEL.predict(rows)]}
