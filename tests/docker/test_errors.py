"""The harness's error paths against a real engine: each failure is one clear line, never a hang."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import docker
import pytest

from simulator.calibrate.loadgen import run_load
from simulator.calibrate.loads import Load
from simulator.calibrate.payloads import digits_pool
from simulator.calibrate.placement import place
from simulator.calibrate.runner import free_port, serving
from simulator.calibrate.serve import ServePlan, calibrate_serve
from simulator.calibrate.train_runner import JobDir, run_container
from simulator.cli import main as sagesim_main
from simulator.errors import ScenarioError
from tests.docker.conftest import build_from, ours, remove_ours

pytestmark = pytest.mark.docker

NO_PING_SERVER = """\
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(404); self.end_headers()
port = int(os.environ.get("SAGEMAKER_BIND_TO_PORT", "8080"))
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
"""
DIES_AFTER_SERVER = """\
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    served = 0
    def log_message(self, *args):
        pass
    def _reply(self, body):
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        self._reply(b"\\n")
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        H.served += 1
        if H.served > int(os.environ.get("DIE_AFTER", "5000")):
            os._exit(4)
        self._reply(b"0\\n")
port = int(os.environ.get("SAGEMAKER_BIND_TO_PORT", "8080"))
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
"""
WRONG_PORT_SERVER = NO_PING_SERVER.replace('int(os.environ.get("SAGEMAKER_BIND_TO_PORT", "8080"))', "0")


def _serve_image(engine: docker.DockerClient, base: str, tmp: Path, tag: str, script: str) -> str:
    dockerfile = f"FROM {base}\nCOPY serve /usr/local/bin/serve\nRUN chmod 0755 /usr/local/bin/serve\n"
    return build_from(engine, tmp, tag, dockerfile, {"serve": script})


@pytest.fixture(scope="module")
def no_ping_image(
    engine: docker.DockerClient, base_image: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    script = "#!/usr/bin/env python3\n" + NO_PING_SERVER
    return _serve_image(engine, base_image, tmp_path_factory.mktemp("noping"), "sagesim-test-noping", script)


@pytest.fixture(scope="module")
def exiting_image(
    engine: docker.DockerClient, base_image: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    script = "#!/bin/sh\necho 'model.pkl: no such file' >&2\nexit 3\n"
    return _serve_image(engine, base_image, tmp_path_factory.mktemp("exits"), "sagesim-test-exits", script)


@pytest.fixture(scope="module")
def wrong_port_image(
    engine: docker.DockerClient, base_image: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    script = "#!/usr/bin/env python3\n" + WRONG_PORT_SERVER
    return _serve_image(engine, base_image, tmp_path_factory.mktemp("port"), "sagesim-test-wrongport", script)


@pytest.fixture(scope="module")
def dies_after_image(
    engine: docker.DockerClient, base_image: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    script = "#!/usr/bin/env python3\n" + DIES_AFTER_SERVER
    return _serve_image(engine, base_image, tmp_path_factory.mktemp("dies"), "sagesim-test-dies", script)


def _one_line(exc: pytest.ExceptionInfo[ScenarioError]) -> str:
    line = exc.value.one_line()
    assert "\n" not in line
    return line


def test_image_without_ping_times_out_with_one_line(no_ping_image: str) -> None:
    start = time.monotonic()
    with pytest.raises(ScenarioError) as exc, serving(no_ping_image, place(1), ready_timeout_s=4):
        pass
    assert time.monotonic() - start < 30
    assert "/ping not healthy within 4s" in _one_line(exc)
    assert "HTTP 404" in exc.value.reason


def test_container_that_exits_reports_code_and_logs(exiting_image: str) -> None:
    with pytest.raises(ScenarioError) as exc, serving(exiting_image, place(1), ready_timeout_s=60):
        pass
    line = _one_line(exc)
    assert "container exited with code 3 before /ping answered" in line
    assert "model.pkl: no such file" in line


def test_server_on_another_port_is_connection_refused(wrong_port_image: str) -> None:
    with pytest.raises(ScenarioError) as exc, serving(wrong_port_image, place(1), ready_timeout_s=3):
        pass
    assert "(last: connection refused)" in _one_line(exc)


def test_load_on_a_port_nobody_listens_on_fails_fast(engine: docker.DockerClient) -> None:
    url = f"http://127.0.0.1:{free_port()}/invocations"
    start = time.monotonic()
    with pytest.raises(ScenarioError) as exc:
        run_load(url, Load("closed", 2, 20, 5.0, 0.0), digits_pool(size=2))
    assert time.monotonic() - start < 10
    line = _one_line(exc)
    assert url in line and "no request succeeded" in line and "Cannot connect" in line


def test_missing_image_is_one_line_and_exit_2(
    engine: docker.DockerClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = sagesim_main(
        ["calibrate", "serve", "--image", "sagesim-test-no-such-image:0", "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("error: --image: image 'sagesim-test-no-such-image:0' not found locally")
    assert "`docker build` or `docker load`" in err and "\n" not in err


def test_a_profiles_missing_image_is_named_as_the_profiles(
    engine: docker.DockerClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate takes the image from the profile: the error says so, not --image (never given)."""
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        "service_time: {distribution: deterministic, value: 0.005}\n"
        "overhead: {distribution: deterministic, value: 0.001}\nvcpus: 1\nworkers: 1\n"
        "fitted: {image: 'sagesim-test-no-such-image:0'}\n"
    )
    code = sagesim_main(["validate", "--profile", str(profile), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and not (tmp_path / "o").exists()
    assert err.startswith("error: fitted.image: image 'sagesim-test-no-such-image:0' not found locally"), err


def test_training_failure_writes_failure_file_and_one_line(train_image: str, tmp_path: Path) -> None:
    job = JobDir.create(tmp_path / "job", {"steps": 10, "no_such_hyperparameter": 1}, rows=50)
    with pytest.raises(ScenarioError) as exc:
        run_container(train_image, job, cpuset=place(1).cpuset)
    assert "no_such_hyperparameter" in _one_line(exc)
    assert (tmp_path / "job/output/failure").read_text().startswith("ValueError: unknown hyperparameters")


def test_training_resumes_from_checkpoint_after_sigterm(train_image: str, tmp_path: Path) -> None:
    job = JobDir.create(tmp_path / "job", {"steps": 150, "checkpoint_every": 1000, "hidden": 1024}, rows=500)
    first = run_container(train_image, job, cpuset=place(1).cpuset, stop_after_s=1.5)
    assert not first.completed and first.first("sigterm") is not None
    saved = first.last("checkpoint")
    assert saved is not None and saved["step"] == first.last_step  # checkpoint written on SIGTERM
    second = run_container(train_image, job, cpuset=place(1).cpuset)
    assert second.completed and second.first("restored") is not None
    assert second.start_step == first.last_step
    assert (tmp_path / "job/model/model.npz").exists()
    assert json.loads((tmp_path / "job/input/config/hyperparameters.json").read_text())["steps"] == "150"


def test_oom_killed_container_is_named_as_such(serve_image: str) -> None:
    """The example server cannot even load numpy and its model in 24 MiB: the kernel kills it."""
    with (
        pytest.raises(ScenarioError) as exc,
        serving(serve_image, place(1), memory="24m", ready_timeout_s=60),
    ):
        pass
    line = _one_line(exc)
    assert "container was OOM-killed before /ping answered" in line
    assert "24 MiB" in line


def test_daemon_down_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No engine behind DOCKER_HOST (Docker missing or its daemon down): one line, exit code 2."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-docker.sock'}")
    code = sagesim_main(["calibrate", "serve", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("error: docker: no Docker engine answers") and "\n" not in err
    assert not (tmp_path / "out").exists()


def _ours(engine: docker.DockerClient, pid: int) -> list[str]:
    return [c.name for c in ours(engine, pid)]


def _stop(proc: subprocess.Popen[str], engine: docker.DockerClient) -> None:
    """A child still running when the test ends (it failed) gets the kill a user would send, then
    SIGKILL; whatever it left behind is removed, so a failing test leaves no container serving."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.communicate(timeout=30)  # drains the pipes, which a plain wait could block on
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
    remove_ours(engine, proc.pid)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_interrupt_removes_the_container(
    engine: docker.DockerClient, serve_image: str, tmp_path: Path, signum: signal.Signals
) -> None:
    """Ctrl-C (SIGINT) or kill (SIGTERM) in the middle of a calibration: exit 130, the container gone."""
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "sagesim"),
            "calibrate",
            "serve",
            "--image",
            serve_image,
            "--out",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell without job control starts background jobs with SIGINT ignored; Ctrl-C is not ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while not _ours(engine, proc.pid):
            assert proc.poll() is None and time.monotonic() < deadline, "no container was started"
            time.sleep(0.2)
        time.sleep(1.0)  # let it get into readiness probing or load
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
        left = _ours(engine, proc.pid)  # before the cleanup below, which would hide a leftover
    finally:
        _stop(proc, engine)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "error: interrupted"
    assert left == []


def _read_until(stream: IO[str], marker: str) -> str:
    """Lines from `stream` up to and including the first that holds `marker` (all of it at its end)."""
    seen = []
    for line in stream:
        seen.append(line)
        if marker in line:
            break
    return "".join(seen)


def test_killed_test_run_removes_its_container(engine: docker.DockerClient, serve_image: str) -> None:
    """SIGTERM to a pytest run while one of its tests serves (CI over time): the test unwinds like
    Ctrl-C and the serving container is removed by its own cleanup, not by the session's finaliser
    (which would say so); no container of the run is left."""
    probe = Path(__file__).with_name("killed_run_probe.py")
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}  # no -n: one process
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", str(probe)],
        cwd=Path(__file__).parents[2],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watchdog = threading.Timer(180, proc.kill)  # a child that never says "serving" cannot hang the suite
    watchdog.start()
    try:
        assert proc.stdout is not None
        before = _read_until(proc.stdout, "serving")
        assert "serving" in before, before
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        left = _ours(engine, proc.pid)  # before the cleanup below, which would hide a leftover
    finally:
        watchdog.cancel()
        _stop(proc, engine)
    assert left == [], out
    assert "KeyboardInterrupt" in out and "containers left behind" not in out, out
    assert proc.returncode == pytest.ExitCode.INTERRUPTED, out


def test_container_dying_under_load_keeps_the_levels_measured(dies_after_image: str, tmp_path: Path) -> None:
    """The server exits after 5000 requests, during a level after the first: one line naming the exit,
    and the levels measured before it are kept."""
    plan = ServePlan(readiness_runs=1, single_requests=1500, level_requests=50_000, attempts=1)
    with pytest.raises(ScenarioError) as exc:
        calibrate_serve(dies_after_image, out=tmp_path, plan=plan)
    line = _one_line(exc)
    assert "container exited with code 4 during load" in line
    assert "level(s) measured before are kept in" in line
    kept = (tmp_path / "requests.partial.csv").read_text().splitlines()
    assert kept[0].startswith("phase,kind,level") and len(kept) > 1000
    assert not (tmp_path / "profile.yaml").exists()
