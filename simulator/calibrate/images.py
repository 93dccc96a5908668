"""Build the example images without a registry.

The Dockerfiles take a BASE_IMAGE build argument (default python:3.11-slim for people with a
registry). Offline, `build_base_image()` makes a Debian bookworm root file system with debootstrap,
already holding python3, numpy, scikit-learn and gunicorn, and imports it as a local image.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path
from typing import Literal

import docker.errors

from simulator.calibrate import _docker
from simulator.errors import ScenarioError

Kind = Literal["serve", "train"]
KINDS: tuple[Kind, ...] = ("serve", "train")
SUITE = "bookworm"  # the Debian release of the base image
DEFAULT_BASE_IMAGE = f"sagesim-base:{SUITE}"
STEP_TIMEOUT_S = 1200.0  # per build step (debootstrap, docker import)
DEFAULT_IMAGES: dict[Kind, str] = {
    "serve": "sagesim-serve-example:latest",
    "train": "sagesim-train-example:latest",
}
_IMAGES = Path(str(resources.files("simulator.calibrate") / "images"))  # package data: an install can build
BUILD_LOCK = Path(tempfile.gettempdir()) / "sagesim-build-base.lock"
BASE_PACKAGES = ("python3", "python3-numpy", "python3-sklearn", "python3-gunicorn", "ca-certificates")
_IMPORT_CHANGES = (
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    "ENV PYTHONDONTWRITEBYTECODE=1",
    'CMD ["/bin/bash"]',
)


def image_context(kind: Kind) -> Path:
    """The build context (package data); the CLI checks the kind."""
    return _IMAGES / kind


STACKS = ("flask-nginx", "fastapi-threads", "gunicorn-multiworker")


def build_stack(name: str, *, base_image: str = DEFAULT_BASE_IMAGE) -> str:
    """Build one of the third-party serving stacks (images/stacks/NAME) and return its tag.

    They are servers people deploy, built from their public packages with a model trained at build
    time; none of their serving code is ours, which is what makes them a test of calibration. The CLI
    checks the name.
    """
    return _build(_IMAGES / "stacks" / name, f"sagesim-stack-{name}:latest", base_image, f"stack {name}")


def build_base_image(
    name: str = DEFAULT_BASE_IMAGE,
    *,
    force: bool = False,
) -> str:
    """Make the offline base image with debootstrap + `docker import`; cached unless force.

    Builds are serialised by a lock file, so a build started in the background (CI starts one while
    the main test suite runs) and a test fixture asking for the image share one debootstrap.
    """
    cli = _docker.client()
    if not force and _docker.image_exists(cli, name):
        return name
    with open(BUILD_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, whatever happens below
        if not force and _docker.image_exists(cli, name):  # built while we waited for the lock
            return name
        return _debootstrap_image(name)


def _debootstrap_image(name: str) -> str:
    for tool in ("debootstrap", "tar", "docker"):
        if shutil.which(tool) is None:
            raise ScenarioError("build-base", f"{tool} not found; install it (`bash .ci/docker-up.sh`)")
    if os.geteuid() != 0:
        raise ScenarioError("build-base", "debootstrap needs root")
    with tempfile.TemporaryDirectory(prefix="sagesim-rootfs-", dir="/var/tmp") as tmp:
        root = Path(tmp) / "rootfs"
        cmd = ["debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}", SUITE, str(root)]
        _run(cmd, STEP_TIMEOUT_S, "debootstrap")
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for entry in (root / junk).glob("*"):
                if entry.is_file():
                    entry.unlink()
        changes = [arg for change in _IMPORT_CHANGES for arg in ("--change", change)]
        with subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE) as tar:
            _run(["docker", "import", *changes, "-", name], STEP_TIMEOUT_S, "docker import", stdin=tar.stdout)
    return name


def build_image(kind: Kind, *, base_image: str = DEFAULT_BASE_IMAGE) -> str:
    """Build the example serving or training image on top of base_image and return its tag."""
    return _build(image_context(kind), DEFAULT_IMAGES[kind], base_image, f"image {kind}")


def _build(context: Path, tag: str, base_image: str, what: str) -> str:
    cli = _docker.client()
    if base_image == DEFAULT_BASE_IMAGE:
        build_base_image(base_image)  # cached: a no-op once the image exists
    try:
        cli.images.build(
            path=str(context),
            tag=tag,
            buildargs={"BASE_IMAGE": base_image},
            rm=True,
            forcerm=True,
            network_mode="host",
            pull=False,
        )
    except docker.errors.BuildError as exc:
        last = " | ".join(str(chunk.get("stream", chunk.get("error", ""))).strip() for chunk in exc.build_log)
        raise ScenarioError(what, f"docker build failed: {exc.msg}; {last[-300:]}") from None
    except docker.errors.APIError as exc:
        raise ScenarioError(what, f"docker build failed: {exc.explanation}") from None
    return tag


def _run(cmd: list[str], timeout_s: float, what: str, stdin: object = None) -> None:
    """Run a build step, turning failure into one line with the tail of its output."""
    try:
        proc = subprocess.run(
            cmd, stdin=stdin, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise ScenarioError("build-base", f"{what} took longer than {timeout_s:.0f}s") from None
    if proc.returncode != 0:
        tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
        raise ScenarioError("build-base", f"{what} failed (exit {proc.returncode}): {tail}")
