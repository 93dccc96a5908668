"""Calibration's traffic and bookkeeping, no engine needed: payload forms, what a profile records of its
image and payloads, validation refusing another image or other payloads, the rate table, and the
interference accounting that must not count the container's own threads."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from simulator.calibrate.interference import Snapshot, interference
from simulator.calibrate.payloads import DIGITS_SOURCE, digits_pool, file_pool
from simulator.calibrate.profiles import ServeProfile, read_serve_profile, write_profile
from simulator.calibrate.provenance import payload_pool, recorded, validation_target
from simulator.calibrate.rate_scale import scale_at
from simulator.errors import ScenarioError


def _jsonl(path: Path, n: int) -> Path:
    path.write_text("".join(json.dumps({"instances": [[i] * 4]}) + "\n" for i in range(n)) + "\n")
    return path


def test_jsonl_gives_one_body_per_line_as_json(tmp_path: Path) -> None:
    pool = file_pool(_jsonl(tmp_path / "bodies.jsonl", 5))
    assert len(pool.bodies) == 5 and pool.content_type == "application/json"
    assert json.loads(pool.bodies[3]) == {"instances": [[3, 3, 3, 3]]}


def test_csv_file_is_one_record_per_request(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text("1,2,3\n4,5,6\n\n7,8,9\n")
    pool = file_pool(tmp_path / "rows.csv")
    assert pool.bodies == (b"1,2,3", b"4,5,6", b"7,8,9") and pool.content_type == "text/csv"


def test_directory_is_one_body_per_file_in_name_order(tmp_path: Path) -> None:
    for name, body in (("b.json", "[2]"), ("a.json", "[1]"), (".hidden", "x")):
        (tmp_path / name).write_text(body)
    pool = file_pool(tmp_path, accept="application/json")
    assert pool.bodies == (b"[1]", b"[2]")
    assert (pool.content_type, pool.accept) == ("application/json", "application/json")


def test_single_file_and_explicit_content_type(tmp_path: Path) -> None:
    (tmp_path / "img.bin").write_bytes(b"\x00\x01")
    pool = file_pool(tmp_path / "img.bin", "application/x-image")
    assert pool.bodies == (b"\x00\x01",) and pool.content_type == "application/x-image"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.json", None, "cannot read"),
        ("empty.json", b"", "empty.json' is an empty body"),
        ("blank.jsonl", b"\n\n", "holds no request body"),
        ("x.bin", b"1", "cannot tell the content type"),
        ("big.json", b"1" * (6 * 2**20 + 1), "big.json' is a body of 6,291,457 bytes, over SageMaker's 6 MB"),
        ("big.jsonl", b"{}\n\n" + b"1" * (6 * 2**20 + 1), "big.jsonl' line 3 is a body of 6,291,457 bytes"),
    ],
    ids=["missing", "empty", "no-lines", "unknown-type", "too-big", "too-big-line"],
)
def test_bad_payloads_are_one_line(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(ScenarioError) as exc:
        file_pool(tmp_path / name)
    assert message in exc.value.one_line() and "\n" not in exc.value.one_line()


def test_a_directory_names_the_file_that_is_too_big(tmp_path: Path) -> None:
    """A new user's trial pointed --payload at a folder holding a 6.7 MB digits.jsonl: the error named
    the folder, not the file."""
    (tmp_path / "a.json").write_bytes(b"{}")
    (tmp_path / "digits.jsonl").write_bytes(b"1" * (7 * 10**6))
    with pytest.raises(ScenarioError, match=r"digits.jsonl' is a body of 7,000,000 bytes"):
        file_pool(tmp_path)


def test_content_type_without_payload_is_refused() -> None:
    with pytest.raises(ScenarioError, match="give --payload"):
        payload_pool(None, "application/json")


def test_bodies_go_round_robin() -> None:
    pool = digits_pool(size=7)
    picks = pool.picker(3)[:21]
    assert sorted(picks[:7]) == list(range(7))
    assert list(picks[7:14]) == list(picks[:7])


def _profile(tmp_path: Path, image: str, pool_source: Path | None) -> ServeProfile:
    pool = digits_pool() if pool_source is None else file_pool(pool_source)
    fitted = recorded(image, "", pool)
    path = write_profile(
        ServeProfile(
            {"distribution": "deterministic", "value": 0.005},
            {"distribution": "deterministic", "value": 0.001},
            1,
            1,
            fitted,
        ),
        tmp_path / "profile.yaml",
    )
    return read_serve_profile(path)


def test_profile_records_image_payload_and_content_type(tmp_path: Path) -> None:
    bodies = _jsonl(tmp_path / "bodies.jsonl", 4)
    profile = _profile(tmp_path, "vendor/server:1", bodies)
    traffic = profile.fitted["payload"]
    assert profile.fitted["image"] == "vendor/server:1"
    assert traffic["source"] == str(bodies.resolve()) and traffic["bodies"] == 4
    assert traffic["content_type"] == "application/json" and len(traffic["sha256"]) == 64
    assert _profile(tmp_path, "x", None).fitted["payload"]["source"] == DIGITS_SOURCE


def test_validation_uses_the_profiles_image_and_payloads(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "vendor/server:1", _jsonl(tmp_path / "bodies.jsonl", 4))
    image, pool = validation_target(profile)
    assert image == "vendor/server:1"
    assert len(pool.bodies) == 4 and pool.content_type == "application/json"


def test_validation_refuses_another_image_unless_told(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "vendor/server:1", None)
    with pytest.raises(ScenarioError) as exc:
        validation_target(profile, image="sagesim-serve-example:latest")
    assert exc.value.path == "--image" and "--image-differs-ok" in exc.value.reason
    assert validation_target(profile, image="other:2", image_differs_ok=True)[0] == "other:2"


def test_validation_refuses_other_payloads_unless_told(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "vendor/server:1", _jsonl(tmp_path / "bodies.jsonl", 4))
    other = _jsonl(tmp_path / "other.jsonl", 9)
    with pytest.raises(ScenarioError, match="--payload-differs-ok"):
        validation_target(profile, payload=other)
    assert len(validation_target(profile, payload=other, payload_differs_ok=True)[1].bodies) == 9
    (tmp_path / "bodies.jsonl").unlink()
    with pytest.raises(ScenarioError, match="are gone; give --payload"):
        validation_target(profile)


def test_rate_table_interpolates_and_clamps() -> None:
    table = {"rates": [40.0, 72.0, 100.0], "factors": [1.1, 1.0, 0.8], "saturation_factor": 0.7}
    profile = ServeProfile({"distribution": "deterministic", "value": 0.01}, {}, 1, 1, {"rate_scale": table})
    assert scale_at(profile, 10.0) == pytest.approx(1.1)
    assert scale_at(profile, 56.0) == pytest.approx(1.05)
    assert scale_at(profile, 500.0) == pytest.approx(0.8)
    assert scale_at(ServeProfile({}, {}, 1, 1), 50.0) == 1.0


def _snap(wall: float, instance_ticks: int) -> Snapshot:
    return Snapshot(wall, instance_ticks, 0, 0.0, 0.0)


def test_the_containers_own_threads_are_not_interference() -> None:
    """Eight threads on one core keep each other waiting; what counts is only the core time that
    the container did not use itself."""
    hz = 100  # /proc/stat ticks per second on Linux
    quiet = interference(_snap(0.0, 0), _snap(10.0, 9 * hz), 9.0, (1,), (0,))
    assert quiet.instance == pytest.approx(0.0)
    busy = interference(_snap(0.0, 0), _snap(10.0, 10 * hz), 7.0, (1,), (0,))
    assert busy.instance == pytest.approx(0.3)


def _refuse(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")


def test_a_written_profile_holds_only_keys_a_scenario_reads() -> None:
    """A scenario refuses a profile key it does not know (a typo must not pass unseen), so every key
    calibration writes must be one it knows."""
    from dataclasses import fields

    from simulator.scenario.models import PROFILE_KEYS

    assert {column.name for column in fields(ServeProfile)} == set(PROFILE_KEYS)


def test_validation_json_reads_back(tmp_path: Path) -> None:
    from simulator.calibrate.results import Row, ServeValidation, read_validation

    row = Row(
        "30.0/s", "open", 30.0, 0.3, {"p50_ms": 10.0}, {"p50_ms": 11.0}, ("p50_ms",), {"p50_ms": 9.0}, 0.9
    )
    report = ServeValidation("p.yaml", "img:1", [row])
    (tmp_path / "v.json").write_text(report.to_json())
    back = read_validation(tmp_path / "v.json")
    assert back.rows[0] == row and back.image == "img:1"
    assert "NaN" not in (tmp_path / "v.json").read_text()  # strict JSON: a closed loop's utilisation is null
    closed = Row(
        "8 users", "closed", 8.0, float("nan"), {"throughput": 9.0}, {"throughput": 9.0}, ("throughput",)
    )
    (tmp_path / "c.json").write_text(ServeValidation("p.yaml", "img:1", [closed]).to_json())
    assert (
        json.loads((tmp_path / "c.json").read_text(), parse_constant=_refuse)["rows"][0]["utilisation"]
        is None
    )
    assert math.isnan(read_validation(tmp_path / "c.json").rows[0].utilisation)
    assert back.rows[0].error("p50_ms") == pytest.approx(0.1)
    assert back.rows[0].error_at_speed("p50_ms") == pytest.approx(-0.1)


def test_stack_names_match_the_shipped_folders() -> None:
    from simulator.calibrate import images
    from simulator.cli_calibrate import _STACKS

    shipped = sorted(
        p.name for p in (images.image_context("serve").parent / "stacks").iterdir() if p.is_dir()
    )
    assert sorted(images.STACKS) == sorted(_STACKS) == shipped


def test_a_level_measured_twice_keeps_both_summaries() -> None:
    from simulator.calibrate.loads import Load, LoadResult
    from simulator.calibrate.measure import Level
    from simulator.calibrate.serve import _level_summaries

    levels = [Level(LoadResult(Load("closed", users, 10, 1.0)), 0.0) for users in (4, 8, 8)]
    assert list(_level_summaries(levels)) == ["4 users", "8 users", "8 users #2"]
