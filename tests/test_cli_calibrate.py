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
    assert _one_error(cli, "calibrate", "serve", "--out", tmp_path, "--server-workers", "0").startswith(
        "error: --server-workers:"
    )


def test_unknown_image_kind(cli: Cli) -> None:
    kinds = "serve, train, flask-nginx, fastapi-threads, gunicorn-multiworker"
    assert _one_error(cli, "calibrate", "build", "gpu") == f"error: kind: expected one of {kinds}, got 'gpu'"


def test_validate_needs_a_readable_profile(cli: Cli, tmp_path: Path) -> None:
    err = _one_error(cli, "validate", "--profile", tmp_path / "none.yaml", "--out", tmp_path)
    assert err.startswith("error: --profile: cannot read") and "none.yaml" in err
    (tmp_path / "bad.yaml").write_text("a: [1\n")
    err = _one_error(cli, "validate", "--profile", tmp_path / "bad.yaml", "--out", tmp_path)
    assert "bad.yaml' is not valid YAML: invalid YAML at line 2" in err
    (tmp_path / "other.yaml").write_text("name: x\n")
    err = _one_error(cli, "validate", "--profile", tmp_path / "other.yaml", "--out", tmp_path)
    assert err.endswith("other.yaml' is neither a serve nor a training profile")


def test_calibrate_help_lists_the_commands(cli: Cli) -> None:
    code, out, _ = cli("calibrate", "--help")
    assert code == 0
    for command in ("serve", "train", "build", "build-base"):
        assert command in out


def test_help_wraps_at_the_terminal_not_where_the_source_wraps(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A paragraph after the first comes out on one line when the terminal is wide enough."""
    monkeypatch.setenv("COLUMNS", "400")
    code, out, _ = cli("calibrate", "host-check", "--help")
    assert code == 0
    assert "a core that runs slower at times (a busy hyperthread sibling" in out


def _serve_profile(tmp_path: Path, image: str) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(
        "service_time: {distribution: deterministic, value: 0.005}\n"
        "overhead: {distribution: deterministic, value: 0.001}\n"
        f"vcpus: 1\nworkers: 1\nfitted: {{image: '{image}', image_id: ''}}\n"
    )
    return path


def test_validate_refuses_an_image_other_than_the_profiles(cli: Cli, tmp_path: Path) -> None:
    profile = _serve_profile(tmp_path, "vendor/server:1")
    err = _one_error(cli, "validate", "--profile", profile, "--out", tmp_path / "o", "--image", "other:2")
    assert err.startswith("error: --image: the profile was fitted on 'vendor/server:1', not 'other:2'")
    assert "--image-differs-ok" in err and not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("fitted", "start"),
    [
        ("{image: 42}", "error: fitted.image: must be a string (an image name or id), got 42"),
        ("{image: x, image_id: [1]}", "error: fitted.image_id: must be a string (an image name or id)"),
        ("{image: x, payload: file.json}", "error: fitted.payload: must be a mapping (source, content_type"),
        ("{image: x, payload: {source: 7}}", "error: fitted.payload.source: must be a string, got 7"),
    ],
)
def test_a_profile_whose_provenance_was_edited_wrong_is_one_line(
    cli: Cli, tmp_path: Path, fitted: str, start: str
) -> None:
    """Found by a new user's trial (2026-12-03): `fitted.image: 42` gave a 62-line traceback from
    the Docker client."""
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        "service_time: {distribution: deterministic, value: 0.005}\n"
        f"overhead: {{distribution: deterministic, value: 0.001}}\nvcpus: 1\nworkers: 1\nfitted: {fitted}\n"
    )
    err = _one_error(cli, "validate", "--profile", profile, "--out", tmp_path / "o")
    assert err.startswith(start), err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("service_time", "reason"),
    [
        ("{distribution: gamma, mean: fast, cv: 1}", "service_time.mean: cannot read duration 'fast'"),
        ("{distribution: gamma, mean: 5ms}", "service_time.cv: required key is missing"),
        ("{distribution: exponential, mean: -1}", "service_time.mean: Input should be greater than 0"),
    ],
)
def test_a_broken_distribution_in_a_profile_names_its_key_as_run_does(
    cli: Cli, tmp_path: Path, service_time: str, reason: str
) -> None:
    """A new user's trial (2026-12-03): validate said `service_time: Value error, cannot read duration
    'fast'` where run says `service_time.mean: cannot read duration 'fast'`."""
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        f"service_time: {service_time}\noverhead: {{distribution: deterministic, value: 0.001}}\n"
        "vcpus: 1\nworkers: 1\nfitted: {image: x}\n"
    )
    err = _one_error(cli, "validate", "--profile", profile, "--out", tmp_path / "o")
    assert err.startswith(f"error: {profile}: {reason}"), err
    assert not (tmp_path / "o").exists()


def test_payload_options_are_for_serve_profiles(cli: Cli, tmp_path: Path) -> None:
    profile = tmp_path / "train.yaml"
    profile.write_text("work: 10\nsteps: 5\n")
    (tmp_path / "b.json").write_text("{}")
    err = _one_error(
        cli, "validate", "--profile", profile, "--out", tmp_path / "o", "--payload", tmp_path / "b.json"
    )
    assert err.startswith("error: --payload: payload and image-mismatch options apply to serve profiles only")


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--payload", "no-such.jsonl"], "error: --payload: cannot read 'no-such.jsonl'"),
        (["--content-type", "application/json"], "error: --content-type: give --payload with"),
    ],
    ids=["missing-payload", "type-without-payload"],
)
def test_bad_traffic_options_fail_before_docker(
    cli: Cli, tmp_path: Path, args: list[str], start: str
) -> None:
    err = _one_error(cli, "calibrate", "serve", "--out", tmp_path / "o", *args)
    assert err.startswith(start), err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--content-type", "garbage!!"], "error: --content-type: 'garbage!!' is not a media type"),
        (["--content-type", "application/"], "error: --content-type: 'application/' is not a media type"),
        (["--content-type", "text/csv; header"], "error: --content-type: 'text/csv; header' is not"),
        (["--accept", "json"], "error: --accept: 'json' is not a list of media types"),
        (["--accept", "application/json,"], "error: --accept: 'application/json,' is not a list"),
    ],
)
def test_bad_media_types_fail_before_docker(cli: Cli, tmp_path: Path, args: list[str], expected: str) -> None:
    """A Content-Type the server cannot parse used to surface as 500 requests answered 400, after the
    host probe and a container start, naming no option."""
    (tmp_path / "b.jsonl").write_text('{"instances": [[1, 2]]}\n')
    err = _one_error(
        cli, "calibrate", "serve", "--out", tmp_path / "o", "--payload", tmp_path / "b.jsonl", *args
    )
    assert err.startswith(expected), err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "header",
    [
        "application/json",
        "text/csv; charset=utf-8",
        'application/x-npy;v="1 2"',
        "*/*",
        "text/csv, */*;q=0.1",
    ],
)
def test_media_types_people_send_are_taken(header: str) -> None:
    from simulator.calibrate.payloads import MEDIA_TYPE

    assert all(MEDIA_TYPE.fullmatch(item.strip()) for item in header.split(","))


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ("vcpus: many", "vcpus", "must be a whole number >= 1, not 'many'"),
        ("workers: -3", "workers", "must be a whole number >= 1, not -3"),
        ("workers: 1.5", "workers", "must be a whole number >= 1, not 1.5"),
        ("workers: true", "workers", "must be a whole number >= 1, not True"),
        ("fitted: [1]", "fitted", "must be a mapping, not [1]"),
    ],
)
def test_a_hand_edited_serve_profile_fails_before_docker(
    cli: Cli, tmp_path: Path, line: str, field: str, reason: str
) -> None:
    """A corrupted count used to give a traceback (vcpus) or a late error naming a load (workers)."""
    key = line.split(":")[0]
    text = _serve_profile(tmp_path, "vendor/server:1").read_text()
    kept = "".join(row + "\n" for row in text.splitlines() if not row.startswith(f"{key}:"))
    (tmp_path / "profile.yaml").write_text(kept + line + "\n")
    err = _one_error(cli, "validate", "--profile", tmp_path / "profile.yaml", "--out", tmp_path / "o")
    assert err == f"error: {tmp_path / 'profile.yaml'}: {field}: {reason}"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("field", ["steps", "checkpoint_every", "vcpus"])
def test_a_hand_edited_training_profile_fails_before_docker(cli: Cli, tmp_path: Path, field: str) -> None:
    import yaml

    data = yaml.safe_load(
        (Path(__file__).parents[1] / "reports/calibration/train/train-profile.yaml").read_text()
    )
    data[field] = 0
    (tmp_path / "train-profile.yaml").write_text(yaml.safe_dump(data))
    err = _one_error(cli, "validate", "--profile", tmp_path / "train-profile.yaml", "--out", tmp_path / "o")
    assert err == f"error: {tmp_path / 'train-profile.yaml'}: {field}: must be a whole number >= 1, not 0"
    assert not (tmp_path / "o").exists()


def _level(instance: float, loadgen: float = 0.0, stalled: float = 0.0) -> dict[str, float]:
    return {
        "interference_instance": instance,
        "interference_loadgen": loadgen,
        "client_stalled_share": stalled,
    }


def test_disturbed_fitting_levels_are_named_after_the_profile(capsys: pytest.CaptureFixture[str]) -> None:
    """A profile fitted on levels others disturbed is still written, with one warning line saying so."""
    from simulator.cli_calibrate import _warn_if_disturbed

    levels = {"1 users": _level(0.01), "38.9/s": _level(0.597), "69.9/s": _level(0.02, stalled=0.01)}
    _warn_if_disturbed(levels)
    err = capsys.readouterr().err
    assert err.startswith("warning: 2 of 3 fitting levels stayed disturbed") and "38.9/s, 60%" in err
    assert err.count("\n") == 1
    _warn_if_disturbed({"1 users": _level(0.01, loadgen=0.04)})
    assert capsys.readouterr().err == ""


def test_an_unsteady_host_is_named_after_the_profile(capsys: pytest.CaptureFixture[str]) -> None:
    """One warning line for a host the probe found unsteady or could not probe; none for a steady one
    or a profile written before the probe."""
    from simulator.cli_calibrate import _warn_if_unsteady

    figures = {"cores": "1", "seconds": 8.0, "blocks": 640, "block_ms": 12.0, "window_spread": 0.03}
    _warn_if_unsteady({"host_speed": {**figures, "slow_share": 0.2}})
    err = capsys.readouterr().err
    assert err.startswith("warning: the host was unsteady: core(s) 1, 640 blocks") and err.count("\n") == 1
    assert "calibrate again on a steadier machine (`sagesim calibrate host-check`)" in err
    _warn_if_unsteady({"host_speed": {"cores": "1", "error": "the probe failed on core 1: boom"}})
    assert (
        capsys.readouterr().err
        == "warning: the host's cores were not probed (the probe failed on core 1: boom)\n"
    )
    _warn_if_unsteady({"host_speed": {**figures, "slow_share": 0.01}})
    _warn_if_unsteady({})
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--seconds", "1"), "error: --seconds: 1 is not a number of seconds from 2 to 600"),
        (("--seconds", "601"), "error: --seconds: 601 is not a number of seconds from 2 to 600"),
        (("--seconds", "nan"), "error: --seconds: nan is not a number of seconds from 2 to 600"),
        (("--seconds", "inf"), "error: --seconds: inf is not a number of seconds from 2 to 600"),
        (("--seconds", "soon"), "error: --seconds:"),
        (("--vcpus", "0"), "error: --vcpus: must be >= 1, got 0"),
        (("--vcpus", "4096"), "error: --vcpus: 4096 vCPU(s) leave no core for the load generator"),
    ],
)
def test_host_check_bad_arguments(cli: Cli, args: tuple[str, ...], expected: str) -> None:
    assert _one_error(cli, "calibrate", "host-check", *args).startswith(expected)


def test_host_check_exit_code_follows_its_verdict(cli: Cli) -> None:
    """The probe runs for real: whichever way this machine is, the line and the exit code agree."""
    code, out, err = cli("calibrate", "host-check", "--seconds", "2")
    verdict = out.split(":")[0]
    assert verdict in ("steady", "unsteady") and err == "", (out, err)
    assert code == (0 if verdict == "steady" else 1)
    assert "blocks of" in out and "1-s medians moved" in out
