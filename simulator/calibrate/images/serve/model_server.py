"""WSGI model server: GET /ping, POST /invocations (text/csv rows of 64 pixel values -> digit labels).

Each response carries X-Sagesim-Model-Time (wall seconds inside the model: parse + predict) and
X-Sagesim-Cpu-Time (CPU seconds of this worker for the request), so the harness can separate model
time from network and framework overhead, as CloudWatch separates ModelLatency from OverheadLatency.
"""

import io
import os
import pickle
import time

import numpy as np

MODEL_DIR = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")
MAX_PAYLOAD = 6 * 1024 * 1024

with open(os.path.join(MODEL_DIR, "model.pkl"), "rb") as fh:
    MODEL = pickle.load(fh)
MODEL.predict(np.zeros((1, MODEL.n_features_in_)))  # warm the code paths before /ping says healthy


def _respond(start_response, status, body, headers=()):
    data = body.encode() if isinstance(body, str) else body
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(data))), *headers])
    return [data]


def _invoke(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length <= 0:
        return _respond(start_response, "400 Bad Request", "empty payload\n")
    if length > MAX_PAYLOAD:
        return _respond(start_response, "413 Payload Too Large", "payload over 6 MB\n")
    body = environ["wsgi.input"].read(length)
    wall0, cpu0 = time.perf_counter(), time.thread_time()
    try:
        rows = np.loadtxt(io.BytesIO(body), delimiter=",", ndmin=2)
        labels = MODEL.predict(rows)
    except ValueError as exc:
        return _respond(start_response, "400 Bad Request", f"bad payload: {exc}\n")
    wall, cpu = time.perf_counter() - wall0, time.thread_time() - cpu0
    out = "\n".join(str(int(v)) for v in labels) + "\n"
    headers = (("X-Sagesim-Model-Time", f"{wall:.9f}"), ("X-Sagesim-Cpu-Time", f"{cpu:.9f}"))
    return _respond(start_response, "200 OK", out, headers)


def app(environ, start_response):
    path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
    if path == "/ping" and method == "GET":
        return _respond(start_response, "200 OK", "\n")
    if path == "/invocations" and method == "POST":
        return _invoke(environ, start_response)
    return _respond(start_response, "404 Not Found", "not found\n")
