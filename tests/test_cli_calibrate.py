"""`sagesim calibrate ...` and `sagesim validate`: bad arguments fail in one line before Docker is touched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., tuple[int, str, str]]


def _one_error(cli: Cli, *args: object) -> str:
    code, out, err = cli(*args)
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return err.strip()


@pytest.mark.parametrize("memory", ["lots", "-5m", "0", "1.5g"])
def test_bad_memory(cli: Cli, tmp_path: Path, memory: str) -> None:
    err = _one_error(cli, "calibrate", "serve", "--out", tmp_path / "o", "--memory", memory)
    assert err.startswith("error: --memory: expected a size like 512m or 2g")
    assert not (tmp_path / "o").exists()


def test_out_is_a_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    err = _one_error(cli, "calibrate", "train", "--out", tmp_path / "f")
    assert err == f"error: --out: {tmp_path / 'f'} exists and is not a directory"


def test_workers_must_be_positive(cli: Cli, tmp_path: Path) -> None:
    assert _one_error(cli, "calibrate", "serve", "--out", tmp_path, "--workers", "0").startswith(
        "error: --workers:"
    )


def test_unknown_image_kind(cli: Cli) -> None:
    assert (
        _one_error(cli, "calibrate", "build", "gpu") == "error: kind: expected one of serve, train, got 'gpu'"
    )


def test_validate_needs_a_readable_profile(cli: Cli, tmp_path: Path) -> None:
    err = _one_error(cli, "validate", "--profile", tmp_path / "none.yaml", "--out", tmp_path)
    assert err.startswith("error: --profile: cannot read") and "none.yaml" in err
    (tmp_path / "bad.yaml").write_text("a: [1\n")
    err = _one_error(cli, "validate", "--profile", tmp_path / "bad.yaml", "--out", tmp_path)
    assert err.endswith("bad.yaml' is not valid YAML")
    (tmp_path / "other.yaml").write_text("name: x\n")
    err = _one_error(cli, "validate", "--profile", tmp_path / "other.yaml", "--out", tmp_path)
    assert err.endswith("other.yaml' is neither a serve nor a training profile")


def test_calibrate_help_lists_the_commands(cli: Cli) -> None:
    code, out, _ = cli("calibrate", "--help")
    assert code == 0
    for command in ("serve", "train", "build", "build-base"):
        assert command in out
