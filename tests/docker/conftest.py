"""Docker tests need a real engine. Locally a missing engine skips them; in CI (CI=true) it fails."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
import docker.models.containers
import pytest

from simulator.calibrate import images
from simulator.cli import sigterm_as_interrupt

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def engine() -> Iterator[docker.DockerClient]:
    """A live Docker engine: fail in CI, skip elsewhere, when none answers."""
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except docker.errors.DockerException as exc:
        message = f"no Docker engine ({' '.join(str(exc).split())[:160]}); run `bash .ci/docker-up.sh`"
        if IN_CI:
            pytest.fail(f"docker tests must run in CI: {message}")
        pytest.skip(message)
    yield client
    client.close()


@pytest.fixture(scope="session")
def base_image(engine: docker.DockerClient) -> str:
    """The offline base image (debootstrap + import), built once per machine and then cached."""
    return images.build_base_image()


@pytest.fixture(scope="session")
def serve_image(base_image: str) -> str:
    return images.build_image("serve", base_image=base_image)


@pytest.fixture(scope="session")
def train_image(base_image: str) -> str:
    return images.build_image("train", base_image=base_image)


def build_from(
    engine: docker.DockerClient, tmp: Path, tag: str, dockerfile: str, files: dict[str, str]
) -> str:
    """Build a throwaway test image from inline files; the tag carries our prefix."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "Dockerfile").write_text(dockerfile)
    for name, text in files.items():
        (tmp / name).write_text(text)
    engine.images.build(path=str(tmp), tag=tag, rm=True, forcerm=True, pull=False, network_mode="host")
    return tag


@pytest.fixture(scope="session", autouse=True)
def kill_tears_down() -> Iterator[None]:
    """A SIGTERM to the test run (CI over time, `kill`) unwinds like Ctrl-C, so every `owned`
    container's cleanup and the finaliser below run; Python's default would end the process on the
    spot and leave a container serving. The CLI does the same around every command."""
    with sigterm_as_interrupt():
        yield


def ours(client: docker.DockerClient, pid: int) -> list[docker.models.containers.Container]:
    """Containers the harness created in process `pid` (its `sagesim.pid` label), running or not."""
    return client.containers.list(all=True, filters={"label": f"sagesim.pid={pid}"})


def remove_ours(client: docker.DockerClient, pid: int) -> list[str]:
    """Remove what process `pid` left behind, by id; the names removed."""
    left = ours(client, pid)
    for container in left:
        with contextlib.suppress(docker.errors.DockerException):
            container.remove(force=True)
    return [c.name for c in left]


@pytest.fixture(scope="session", autouse=True)
def no_leftover_containers(kill_tears_down: None) -> Iterator[None]:
    """After the session, no container this test process created may be left behind: any that is
    gets removed, and the session fails naming it."""
    yield
    try:
        client = docker.from_env()
        left = remove_ours(client, os.getpid())
    except docker.errors.DockerException:
        return
    assert not left, f"containers left behind (now removed): {left}"
