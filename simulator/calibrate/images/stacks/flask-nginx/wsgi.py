"""gunicorn entry point: `gunicorn wsgi:app`."""

from predictor import app  # noqa: F401
