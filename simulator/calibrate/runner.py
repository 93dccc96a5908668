"""Start a serving container the SageMaker way and wait until /ping says it is healthy.

The container shares the host network (no registry, no bridge needed) and binds 127.0.0.1 on a port
we chose, passed as SAGEMAKER_BIND_TO_PORT. `--cpuset-cpus` pins it to whole cores to emulate an
instance's vCPUs: a CPU quota would throttle in CFS periods and make latency bimodal, pinning gives
clean processor sharing.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from docker.models.containers import Container

from simulator.calibrate import _docker
from simulator.calibrate.placement import Placement
from simulator.errors import ScenarioError

PING_TIMEOUT_S = 2.0  # SageMaker's /ping timeout
READY_TIMEOUT_S = 240.0  # SageMaker's "healthy within 4 minutes"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Server:
    container: Container
    port: int
    ready_s: float  # container start -> first healthy /ping (ModelSetupTime)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(
    image: str,
    placement: Placement,
    *,
    workers: int | None = None,
    memory: str | None = None,
    ready_timeout_s: float = READY_TIMEOUT_S,
) -> Iterator[Server]:
    """Run `IMAGE serve` pinned to placement's cores; yield once /ping is healthy; always remove it."""
    port = free_port()
    environment = {"SAGEMAKER_BIND_TO_PORT": str(port), "SAGESIM_BIND_HOST": HOST}
    if workers is not None:
        environment["SAGEMAKER_MODEL_SERVER_WORKERS"] = str(workers)

    with _docker.owned(
        image,
        "serve",
        network_mode="host",
        environment=environment,
        cpuset_cpus=placement.cpuset,
        mem_limit=memory,
    ) as container:
        t0 = time.perf_counter()
        container.start()
        ready = wait_healthy(container, f"http://{HOST}:{port}/ping", t0, ready_timeout_s)
        yield Server(container, port, ready)


def wait_healthy(container: Container, ping_url: str, t0: float, timeout_s: float) -> float:
    """Poll GET /ping until 200; seconds since t0. One-line errors for exits and timeouts."""
    deadline = t0 + timeout_s
    while True:
        status = ping(ping_url)
        now = time.perf_counter()
        if status == 200:
            return now - t0
        last = f"HTTP {status}" if status else "connection refused"
        container.reload()
        if container.status in ("exited", "dead"):
            raise ScenarioError("--image", exit_reason(container, "before /ping answered"))
        if now >= deadline:
            raise ScenarioError(
                "--image", f"/ping not healthy within {timeout_s:g}s at {ping_url} (last: {last})"
            )
        time.sleep(0.05)


def exit_reason(container: Container, when: str) -> str:
    """Why a container stopped, for a one-line error: OOM kill (with the limit) or exit code and logs."""
    state = container.attrs.get("State", {})
    if state.get("OOMKilled"):
        limit = container.attrs.get("HostConfig", {}).get("Memory") or 0
        shown = f" of {limit / 2**20:.0f} MiB" if limit else ""
        return f"container was OOM-killed {when}: it needs more than its memory limit{shown} (--memory)"
    logs = _docker.tail_logs(container)
    return f"container exited with code {state.get('ExitCode')} {when}" + (
        f"; last log lines: {logs}" if logs else ""
    )


def ping(url: str) -> int:
    """HTTP status of GET url, or 0 when nothing answers within SageMaker's 2 s ping timeout."""
    try:
        with urllib.request.urlopen(url, timeout=PING_TIMEOUT_S) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return 0
