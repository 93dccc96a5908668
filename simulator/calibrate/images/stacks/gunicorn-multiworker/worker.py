"""gunicorn worker class: `--worker-class worker.Worker`. Kept apart from app.py so that the gunicorn
master does not import the app (and load the model); each worker process does."""

from typing import ClassVar

from uvicorn.workers import UvicornWorker


class Worker(UvicornWorker):
    """UvicornWorker pinned to the asyncio loop and h11, whatever else the base image has installed."""

    CONFIG_KWARGS: ClassVar[dict] = {"loop": "asyncio", "http": "h11"}
