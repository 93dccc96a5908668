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
from typing import Any

import docker
import docker.errors
from docker.models.containers import Container

from simulator.calibrate.priority import CONTAINER_GROUP, container_parent
from simulator.errors import ScenarioError

NAME_PREFIX = "sagesim-"
_HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def client() -> docker.DockerClient:
    """Connect to the engine named by DOCKER_HOST (default: the local socket) or fail in one line."""
    try:
        cli = docker.from_env(timeout=120)
        cli.ping()
    except docker.errors.DockerException as exc:
        reason = " ".join(str(exc).split())[:200]
        raise ScenarioError(
            "docker", f"no Docker engine answers ({reason}); start one, e.g. `bash .ci/docker-up.sh`"
        ) from None
    return cli


def image_exists(cli: docker.DockerClient, image: str) -> bool:
    """True when `docker image inspect IMAGE` would succeed."""
    try:
        cli.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    return True


def require_image(image: str, named_by: str = "--image") -> docker.DockerClient:
    """A client to the engine, failing in one line when the image is missing rather than letting
    run() try to pull it. `named_by` is where the user gave the name: the option, or the profile's
    `fitted.image` when validation took it from there."""
    cli = client()
    if not image_exists(cli, image):
        raise ScenarioError(
            named_by,
            f"image {image!r} not found locally; build or load it first (a shipped stack or example: "
            "`sagesim calibrate build NAME`; your own: `docker build` or `docker load`)",
        )
    return cli


def remove(container: Container, stop_timeout: int = 2) -> None:
    """Stop and remove one container we started; never fail cleanup, and let no Ctrl-C or kill cut
    it short (the signal is acted on once the container is gone)."""
    with _signals_held() as received:
        with contextlib.suppress(docker.errors.DockerException):
            container.reload()
            if container.status == "running":
                container.stop(timeout=stop_timeout)
        with contextlib.suppress(docker.errors.DockerException):
            container.remove(force=True)
    if received:
        raise KeyboardInterrupt


@contextlib.contextmanager
def owned(image: str, role: str, **options: Any) -> Iterator[Container]:
    """Create `IMAGE ROLE` (serve or train; the image must exist locally) as one of ours (name prefix,
    labels, weighted cgroup parent) and remove it on exit, whatever happened.

    A Ctrl-C or kill that lands while the engine is creating it is held until the create returns, so
    there is never a container the engine made and we hold no handle to (seen in CI: a SIGTERM during
    a create or a stop left a container running).
    """
    cli = require_image(image)
    with _signals_held() as received:
        try:
            container = cli.containers.create(
                image,
                role,
                name=f"{NAME_PREFIX}{role}-{secrets.token_hex(4)}",  # ours, and unique for this run
                labels={"sagesim": f"calibrate-{role}", "sagesim.pid": str(os.getpid())},  # what for, whose
                cgroup_parent=container_parent(),
                **options,
            )
        except docker.errors.APIError as exc:
            raise ScenarioError(
                "--image", f"cannot create container from {image!r}: {exc.explanation}"
            ) from None
    try:
        if received:
            raise KeyboardInterrupt
        yield container
    finally:
        remove(container)


@contextlib.contextmanager
def _signals_held() -> Iterator[list[int]]:
    """SIGINT and SIGTERM noted in the list yielded, not acted on, during the body (main thread only;
    elsewhere a no-op)."""
    received: list[int] = []

    def note(signum: int, frame: object) -> None:
        received.append(signum)

    try:
        previous = {sig: signal.signal(sig, note) for sig in _HELD_SIGNALS}
    except ValueError:  # not the main thread: signals are not ours to hold
        yield received
        return
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def tail_logs(container: Container, lines: int = 5) -> str:
    """The last few log lines joined with ' | ', for one-line error messages."""
    try:
        raw = container.logs(tail=lines).decode("utf-8", "replace")
    except docker.errors.DockerException:
        return ""
    return " | ".join(line.strip() for line in raw.splitlines() if line.strip())


def container_cpu_seconds(container: Container) -> float:
    """Total CPU seconds the container has used so far: its cgroup's accounting when readable (v1
    cpuacct or v2 cpu.stat; fast and exact), else the engine's stats call (slow: up to a second)."""
    for path in _cgroup_files(str(container.id), "cpuacct.usage", "cpu.stat"):
        try:
            text = path.read_text()
        except OSError:
            continue
        if path.name == "cpuacct.usage":
            return int(text) / 1e9
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "usage_usec":
                return int(value) / 1e6
    try:
        stats = container.stats(stream=False, one_shot=True)
        return float(stats["cpu_stats"]["cpu_usage"]["total_usage"]) / 1e9
    except (docker.errors.DockerException, KeyError, TypeError, ValueError):
        return math.nan


def container_threads(container: Container) -> list[int]:
    """Thread ids of every process in the container, from its cgroup (v1 `tasks`, v2 `cgroup.threads`)."""
    for path in _cgroup_files(str(container.id), "tasks", "cgroup.threads"):
        try:
            return [int(line) for line in path.read_text().split()]
        except (OSError, ValueError):
            continue
    return []


def _cgroup_files(container_id: str, v1: str, v2: str) -> list[Path]:
    """Where a container's cgroup file is: `v1` under cgroup v1's cpuacct, else `v2`, under our weighted
    parent, Docker's default parent or systemd's scope."""
    root, parents = Path("/sys/fs/cgroup"), (CONTAINER_GROUP, "docker")
    return [
        *(root / "cpuacct" / parent / container_id / v1 for parent in parents),
        *(root / parent / container_id / v2 for parent in parents),
        root / "system.slice" / f"docker-{container_id}.scope" / v2,
    ]
