"""What a serve profile was fitted on, and the check that validation measures the same thing.

A profile describes one image serving one traffic mix. Validating it against another image (a
rebuilt tag, the example image by default) or other payloads says nothing about it, so validation
takes the image and payloads the profile records and refuses different ones unless told otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.calibrate import _docker
from simulator.calibrate.payloads import DIGITS_SOURCE, PayloadPool, digits_pool, file_pool
from simulator.calibrate.profiles import ServeProfile
from simulator.errors import ScenarioError


def payload_pool(
    payload: Path | None, content_type: str | None = None, accept: str | None = None
) -> PayloadPool:
    """The user's payloads, or the example's digits batches when none are given."""
    if payload is None:
        if content_type is not None or accept is not None:
            raise ScenarioError("--content-type", "give --payload with --content-type or --accept")
        return digits_pool()
    return file_pool(payload, content_type, accept)


DOCKER_ARCHITECTURES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "arm64", "aarch64": "arm64"}


def recorded(image: str, image_id: str, pool: PayloadPool, docker_architecture: str = "") -> dict[str, Any]:
    """The provenance block a profile carries under `fitted`. The architecture is the catalog's name
    for the image's instruction set (Docker says amd64): a scenario warns when a variant runs the
    profile on instances of another one."""
    block: dict[str, Any] = {"image": image, "image_id": image_id, "payload": pool.describe()}
    architecture = DOCKER_ARCHITECTURES.get(docker_architecture.lower())
    if architecture is not None:
        block["architecture"] = architecture
    return block


def _check_recorded(fitted: dict[str, Any]) -> None:
    """The provenance fields validation reads, with the types calibration writes: a hand edit that
    broke one is named here, not met as a traceback inside the Docker client."""
    for key in ("image", "image_id"):
        value = fitted.get(key)
        if value is not None and not isinstance(value, str):
            raise ScenarioError(f"fitted.{key}", f"must be a string (an image name or id), got {value!r}")
    traffic = fitted.get("payload")
    if traffic is not None and not isinstance(traffic, dict):
        raise ScenarioError(
            "fitted.payload", f"must be a mapping (source, content_type, ...), got {traffic!r}"
        )
    for key, value in (traffic or {}).items():
        if key in ("source", "content_type", "accept", "sha256") and not isinstance(value, str):
            raise ScenarioError(f"fitted.payload.{key}", f"must be a string, got {value!r}")


def validation_target(
    profile: ServeProfile,
    *,
    image: str | None = None,
    payload: Path | None = None,
    content_type: str | None = None,
    accept: str | None = None,
    image_differs_ok: bool = False,
    payload_differs_ok: bool = False,
) -> tuple[str, PayloadPool]:
    """What validation measures: the profile's own image and payloads unless others are given, and then
    only when allowed."""
    fitted = profile.fitted
    _check_recorded(fitted)
    fitted_image = fitted.get("image")
    chosen = image or fitted_image
    if chosen is None:
        raise ScenarioError("--image", "the profile records no image; give --image")
    named_by = "--image" if image else "fitted.image"
    if not image_differs_ok and fitted_image is not None and chosen != fitted_image:
        raise ScenarioError(
            "--image",
            f"the profile was fitted on {fitted_image!r}, not {chosen!r}; "
            "pass --image-differs-ok to validate another image",
        )
    fitted_id = fitted.get("image_id")
    if fitted_id and not image_differs_ok:
        now = _docker.require_image(chosen, named_by).images.get(chosen).id
        if now != fitted_id:
            raise ScenarioError(
                "--image",
                f"{chosen!r} is now image {now[:19]}, the profile was fitted on {fitted_id[:19]} "
                "(rebuilt since?); recalibrate, or pass --image-differs-ok",
            )
    traffic = fitted.get("payload") or {}
    if payload is None and traffic.get("source") not in (None, DIGITS_SOURCE):
        source = Path(traffic["source"])
        if not source.exists():
            raise ScenarioError(
                "--payload", f"the profile's payloads {str(source)!r} are gone; give --payload"
            )
        pool = file_pool(source, content_type or traffic.get("content_type"), accept or traffic.get("accept"))
    else:
        pool = payload_pool(payload, content_type, accept)
    fitted_digest = traffic.get("sha256")
    if fitted_digest and pool.digest() != fitted_digest and not payload_differs_ok:
        raise ScenarioError(
            "--payload",
            f"these payloads ({pool.source}) are not the ones the profile was fitted on "
            f"({traffic.get('source')}); pass --payload-differs-ok to validate with them anyway",
        )
    return chosen, pool
