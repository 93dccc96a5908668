"""One place that talks to the Docker engine, so every caller gets the same one-line errors.

The harness only ever touches containers it created itself, named with the `sagesim-` prefix,
and stops them by id.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import signal
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
from docker.models.containers import Container

from simulator.calibrate.priority import CONTAINER_GROUP
from simulator.errors import ScenarioError

NAME_PREFIX = "sagesim-"


def client() -> docker.DockerClient:
    """Connect to the engine named by DOCKER_HOST (default: the local socket) or fail in one line."""
    try:
        cli = docker.from_env(timeout=120)
        cli.ping()
    except docker.errors.DockerException as exc:
        raise ScenarioError(
            "docker", f"no Docker engine answers ({_short(exc)}); start one, e.g. `bash .ci/docker-up.sh`"
        ) from None
    return cli


def image_exists(cli: docker.DockerClient, image: str) -> bool:
    """True when `docker image inspect IMAGE` would succeed."""
    try:
        cli.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    return True


def require_image(cli: docker.DockerClient, image: str) -> None:
    """Fail in one line when an image is missing, rather than letting run() try to pull it."""
    if not image_exists(cli, image):
        raise ScenarioError(
            "--image",
            f"image {image!r} not found locally; build it first "
            "(`python -m simulator.calibrate build serve`)",
        )


def labels(role: str) -> dict[str, str]:
    """Labels on every container we create: what it is for and which process made it."""
    return {"sagesim": role, "sagesim.pid": str(os.getpid())}


def unique_name(role: str) -> str:
    """A container name that is ours (prefix) and unique for this run."""
    return f"{NAME_PREFIX}{role}-{secrets.token_hex(4)}"


def remove(container: Container, stop_timeout: int = 2) -> None:
    """Stop and remove one container we started; never fail cleanup."""
    with contextlib.suppress(docker.errors.DockerException):
        container.reload()
        if container.status == "running":
            container.stop(timeout=stop_timeout)
    with contextlib.suppress(docker.errors.DockerException):
        container.remove(force=True)


@contextlib.contextmanager
def removed_after(container: Container) -> Iterator[Container]:
    """Yield the container and remove it on exit, whatever happened."""
    try:
        yield container
    finally:
        remove(container)


def tail_logs(container: Container, lines: int = 5) -> str:
    """The last few log lines joined with ' | ', for one-line error messages."""
    try:
        raw = container.logs(tail=lines).decode("utf-8", "replace")
    except docker.errors.DockerException:
        return ""
    return " | ".join(line.strip() for line in raw.splitlines() if line.strip())


def container_cpu_seconds(container: Container) -> float:
    """Total CPU seconds the container has used so far: cgroup v1 accounting when readable (fast),
    else the engine's stats call (slow: up to a second)."""
    for parent in (CONTAINER_GROUP, "docker"):
        path = Path("/sys/fs/cgroup/cpuacct") / parent / str(container.id) / "cpuacct.usage"
        try:
            return int(path.read_text()) / 1e9
        except (OSError, ValueError):
            continue
    try:
        stats = container.stats(stream=False, one_shot=True)
        return float(stats["cpu_stats"]["cpu_usage"]["total_usage"]) / 1e9
    except (docker.errors.DockerException, KeyError, TypeError, ValueError):
        return math.nan


def tasks_file(container: Container) -> Path | None:
    """The cgroup v1 tasks file listing the container's threads, or None where there is none."""
    for parent in (CONTAINER_GROUP, "docker"):
        path = Path("/sys/fs/cgroup/cpu") / parent / str(container.id) / "tasks"
        if path.is_file():
            return path
    return None


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Clean up on `kill` as on Ctrl-C: SIGTERM raises KeyboardInterrupt, so every `removed_after`
    on the way out still removes its container."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]
