"""`sagesim calibrate ...` and `sagesim validate`: the Docker calibration harness on the main CLI.

Thin wrappers over simulator.calibrate; every harness failure is a ScenarioError, which the main
entry point prints as one line with exit code 2. Validation that runs but misses its targets exits 1.
Commands that talk to Docker first check the 'docker' extra is installed (`--help` works without it);
`digits-jsonl` and `summarise` only write and read files and `host-check` runs no container, so they
run on a base install.
A `kill` still removes the containers: cli.main turns SIGTERM into Ctrl-C around every command.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated

import typer

from simulator.errors import ScenarioError
from simulator.extras import require_extra

calibrate_app = typer.Typer(
    no_args_is_help=True,
    help="Fit service or training profiles to a SageMaker-contract container (needs Docker and the "
    "'docker' extra).",
)

_STACKS = ("flask-nginx", "fastapi-threads", "gunicorn-multiworker")  # images.STACKS without importing docker
_MEMORY = re.compile(r"^[1-9][0-9]*[bkmg]?$", re.IGNORECASE)

ImageOption = Annotated[str | None, typer.Option("--image", help="local image (default: the example)")]
OutOption = Annotated[Path, typer.Option("--out", help="output directory")]
VcpusOption = Annotated[int, typer.Option("--vcpus", help="cores pinned to the container (the instance)")]
MemoryOption = Annotated[
    str | None, typer.Option("--memory", help="container memory limit, e.g. 512m or 2g", show_default=False)
]


PayloadOption = Annotated[
    Path | None,
    typer.Option(
        "--payload",
        help="request bodies: one file, a directory of files, or a .jsonl/.csv file of one body per line, "
        "sent round-robin (default: the example's digits batches)",
        show_default=False,
    ),
]
ContentTypeOption = Annotated[
    str | None,
    typer.Option(
        "--content-type", help="Content-Type of --payload (default: from its suffix)", show_default=False
    ),
]
ValidatePayloadOption = Annotated[
    Path | None,
    typer.Option(
        "--payload",
        help="request bodies as for `calibrate serve --payload` (default: the ones the profile was fitted"
        " with; others need --payload-differs-ok)",
        show_default=False,
    ),
]
AcceptOption = Annotated[
    str | None, typer.Option("--accept", help="Accept header sent (default: */*)", show_default=False)
]


def _memory(value: str | None) -> str | None:
    if value is not None and not _MEMORY.match(value):
        raise ScenarioError("--memory", f"expected a size like 512m or 2g, got {value!r}")
    return value


def _out(path: Path, command: str, joins: tuple[str, ...] = ()) -> Path:
    """--out checked before any container starts: staged writes (simulator/staging.py) check it again."""
    from simulator.staging import check_out

    check_out(path, command, joins=joins)
    return path


def _image(image: str | None, kind: str) -> str:
    from simulator.calibrate.images import DEFAULT_IMAGES

    return image or DEFAULT_IMAGES[kind]  # type: ignore[index]


@calibrate_app.command("build-base")
def build_base(
    force: Annotated[bool, typer.Option(help="rebuild even if the image exists")] = False,
    name: Annotated[str | None, typer.Option(help="image name (default: sagesim-base:bookworm)")] = None,
) -> None:
    """Build the offline base image (debootstrap of Debian + docker import); cached."""
    require_extra("docker", "calibrate build-base", "Docker calibration")
    from simulator.calibrate.images import DEFAULT_BASE_IMAGE, build_base_image

    typer.echo(build_base_image(name or DEFAULT_BASE_IMAGE, force=force))


@calibrate_app.command("build")
def build(
    kind: Annotated[str, typer.Argument(help="serve, train, or a third-party stack: " + ", ".join(_STACKS))],
    base_image: Annotated[
        str | None, typer.Option("--base-image", help="BASE_IMAGE build argument (default: offline base)")
    ] = None,
) -> None:
    """Build an example image or a third-party serving stack (shipped as package data) on BASE_IMAGE."""
    require_extra("docker", "calibrate build", "Docker calibration")
    from simulator.calibrate.images import DEFAULT_BASE_IMAGE, KINDS, STACKS, build_image, build_stack

    base = base_image or DEFAULT_BASE_IMAGE
    if kind in STACKS:
        typer.echo(build_stack(kind, base_image=base))
        return
    if kind not in KINDS:
        raise ScenarioError("kind", f"expected one of {', '.join((*KINDS, *STACKS))}, got {kind!r}")
    typer.echo(build_image(kind, base_image=base))  # type: ignore[arg-type]


@calibrate_app.command("digits-jsonl")
def digits_jsonl(
    path: Annotated[Path, typer.Argument(help="file to write")],
    bodies: Annotated[
        int, typer.Option(min=1, max=100_000, help="number of request bodies (about 24 KB each)")
    ] = 256,
) -> None:
    """Write JSON request bodies for the stacks' digits models, one per line (varying batch sizes)."""
    from simulator.calibrate.payloads import write_digits_jsonl

    if path.exists() and path.is_dir():
        raise ScenarioError("path", f"{path} is a directory")
    typer.echo(write_digits_jsonl(path, size=bodies))


@calibrate_app.command("serve")
def serve(
    out: OutOption,
    image: ImageOption = None,
    vcpus: VcpusOption = 1,
    memory: MemoryOption = None,
    server_workers: Annotated[
        int | None,
        typer.Option(
            "--server-workers",
            min=1,
            help="sets SAGEMAKER_MODEL_SERVER_WORKERS in the container (default: not set: the server"
            " starts as its image says, and calibration measures how many requests it serves at once)",
            show_default=False,
        ),
    ] = None,
    payload: PayloadOption = None,
    content_type: ContentTypeOption = None,
    accept: AcceptOption = None,
) -> None:
    """Measure readiness, a closed-loop sweep and open-loop rates; write OUT/profile.yaml."""
    require_extra("docker", "calibrate serve", "Docker calibration")
    from simulator.calibrate.profiles import read_serve_profile
    from simulator.calibrate.serve import calibrate_serve

    path = calibrate_serve(
        _image(image, "serve"),
        out=_out(out, "calibrate serve"),
        vcpus=vcpus,
        memory=_memory(memory),
        workers=server_workers,
        payload=payload,
        content_type=content_type,
        accept=accept,
        progress=_progress,
    )
    typer.echo(f"profile: {path}")
    fitted = read_serve_profile(path).fitted
    _warn_if_disturbed(fitted["levels"])
    _warn_if_unsteady(fitted)


def _warn_if_disturbed(levels: dict[str, dict[str, float]]) -> None:
    """One line on stderr when fitting levels stayed disturbed after every attempt (others' CPU on the
    instance's core, or a starved load generator): the profile is written, but may be off."""
    from simulator.calibrate.interference import MAX_INTERFERENCE, summary_disturbance

    disturbance = {label: summary_disturbance(summary) for label, summary in levels.items()}
    disturbed = {label: value for label, value in disturbance.items() if value > MAX_INTERFERENCE}
    if disturbed:
        worst = max(disturbed, key=disturbed.__getitem__)
        typer.echo(
            f"warning: {len(disturbed)} of {len(levels)} fitting levels stayed disturbed after every attempt"
            f" (worst: {worst}, {disturbed[worst]:.0%}); other work on the machine may have moved the"
            " profile: calibrate again on a quieter machine",
            err=True,
        )


def _probe_seconds(value: float) -> float:
    """--seconds of host-check, checked here: typer's own range check reads nan as over the maximum."""
    if not math.isfinite(value) or not 2.0 <= value <= 600.0:
        raise typer.BadParameter(f"{value:g} is not a number of seconds from 2 to 600")
    return value


@calibrate_app.command("host-check")
def host_check(
    vcpus: VcpusOption = 1,
    seconds: Annotated[
        float,
        typer.Option(
            "--seconds", callback=_probe_seconds, help="how long to time the cores, 2 to 600 seconds"
        ),
    ] = 8.0,
) -> None:
    """Time a fixed block of work on the cores a container would get: is this machine steady enough
    for calibration's accuracy targets? Exit 0 when steady, 1 when not.

    Calibration and validation run the same probe and record it; a core that runs slower at times
    (a busy hyperthread sibling, another VM, a lower clock) moves latency tails beyond any model.
    """
    from simulator.calibrate.host_speed import probe_speed
    from simulator.calibrate.placement import place

    speed = probe_speed(place(vcpus).container_cpus, seconds)
    typer.echo(speed.describe())
    if not speed.steady():
        raise typer.Exit(1)


def _progress(line: str) -> None:
    """A finished step of a run of minutes, on stderr: stdout keeps only the results."""
    typer.echo(line, err=True)


def _warn_if_unsteady(fitted: dict[str, object]) -> None:
    """One line on stderr when the cores ran unsteadily before calibration (`host_speed`), or could
    not be probed."""
    from simulator.calibrate.host_speed import HostSpeed, describe_record

    data = fitted.get("host_speed")
    speed = HostSpeed.from_dict(data) if isinstance(data, dict) else None
    described = describe_record(data)
    if speed is None and described is not None:
        typer.echo(f"warning: the host's cores were {described}", err=True)
    elif speed is not None and not speed.steady():
        typer.echo(
            f"warning: the host was {described}; latency at 65-80% load will move with it:"
            " calibrate again on a steadier machine (`sagesim calibrate host-check`)",
            err=True,
        )


@calibrate_app.command("train")
def train(
    out: OutOption, image: ImageOption = None, vcpus: VcpusOption = 1, memory: MemoryOption = None
) -> None:
    """Run the training image, stop it at random moments and resume; write OUT/train-profile.yaml."""
    require_extra("docker", "calibrate train", "Docker calibration")
    from simulator.calibrate.train import calibrate_train

    path = calibrate_train(
        _image(image, "train"), out=_out(out, "calibrate train"), vcpus=vcpus, memory=_memory(memory)
    )
    typer.echo(f"profile: {path}")


@calibrate_app.command("summarise")
def summarise(
    validations: Annotated[list[Path], typer.Argument(help="validation.json files of several runs")],
) -> None:
    """Errors of several validation runs side by side (a Markdown table).

    Per image and level: the lowest..highest error over the runs and how many met each target.
    """
    from simulator.calibrate.runs import summarise_runs

    seen: set[Path] = set()
    for path in validations:
        if path.resolve() in seen:  # counted twice, it would tip every "n of N met"
            raise ScenarioError("VALIDATIONS", f"{path} is given twice")
        seen.add(path.resolve())
    typer.echo(summarise_runs(validations))


@calibrate_app.command("report")
def report(
    work: Annotated[Path, typer.Option("--work", help="where every run writes its files")],
    out: Annotated[
        Path, typer.Option("--out", help="output directory: the report (e.g. reports/calibration)")
    ],
) -> None:
    """Calibrate and validate every image into --work; write the report into --out.

    Builds both examples and every third-party stack, then copies the tables, plots and profiles
    into --out with a README of the figures. Exit 1 when a target is missed.
    """
    require_extra("docker", "calibrate report", "Docker calibration")
    from simulator.calibrate.campaign import run_all, write_report
    from simulator.report.calibration_plots import plot_serve_validation, plot_train_validation

    _out(out, "calibrate report")
    if work.exists() and not work.is_dir():
        raise ScenarioError("--work", f"{work} exists and is not a directory")
    run = run_all(work, serve_figure=plot_serve_validation, train_figure=plot_train_validation)
    write_report(run, out)
    typer.echo(f"report: {out / 'README.md'}")
    if not run.passed:
        raise typer.Exit(1)


def _profile_kind(path: Path) -> str:
    """'serve' or 'train', from the keys of the profile file."""
    from simulator.inputs import load_yaml, read_text

    text = read_text(path, "--profile")
    try:
        data = load_yaml(text, "--profile")
    except ScenarioError as exc:
        raise ScenarioError("--profile", f"{str(path)!r} is not valid YAML: {exc.reason}") from None
    if isinstance(data, dict) and "service_time" in data:
        return "serve"
    if isinstance(data, dict) and "work" in data:
        return "train"
    raise ScenarioError("--profile", f"{str(path)!r} is neither a serve nor a training profile")


def validate(
    profile: Annotated[Path, typer.Option("--profile", help="profile written by `sagesim calibrate`")],
    out: OutOption,
    image: Annotated[
        str | None, typer.Option("--image", help="local image (default: the one the profile was fitted on)")
    ] = None,
    memory: MemoryOption = None,
    payload: ValidatePayloadOption = None,
    content_type: ContentTypeOption = None,
    accept: AcceptOption = None,
    image_differs_ok: Annotated[
        bool, typer.Option(help="validate an --image other than the profile's (serve profiles)")
    ] = False,
    payload_differs_ok: Annotated[
        bool, typer.Option(help="validate with payloads other than the profile's (serve profiles)")
    ] = False,
) -> None:
    """Measure the container on held-out loads, predict them from the profile, print errors and plot.

    A serve profile is validated against the image and payloads it records unless told otherwise.
    Exit code 1 when an error is over its target (p50 10%, p95 15%, throughput 10%, completion 10%).
    """
    require_extra("docker", "validate", "Docker calibration")

    kind = _profile_kind(profile)
    memory = _memory(memory)
    serve_only = (payload, content_type, accept)  # with the two flags: what only a serve profile takes
    if kind == "train" and (any(v is not None for v in serve_only) or image_differs_ok or payload_differs_ok):
        raise ScenarioError("--payload", "payload and image-mismatch options apply to serve profiles only")
    if kind == "serve":
        from simulator.calibrate.validate import validate_serve
        from simulator.calibrate.validation_table import format_table
        from simulator.report.calibration_plots import plot_serve_validation

        report = validate_serve(
            image,
            profile,
            out=_out(out, "validate", joins=("calibrate serve",)),
            memory=memory,
            payload=payload,
            content_type=content_type,
            accept=accept,
            image_differs_ok=image_differs_ok,
            payload_differs_ok=payload_differs_ok,
            figure=plot_serve_validation,
            progress=_progress,
        )
        typer.echo(format_table(report))
        passed = report.passed()
    else:
        from simulator.calibrate.train import format_train_table, validate_train
        from simulator.report.calibration_plots import plot_train_validation

        treport = validate_train(
            _image(image, kind),
            profile,
            out=_out(out, "validate", joins=("calibrate train",)),
            memory=memory,
            figure=plot_train_validation,
        )
        typer.echo(format_train_table(treport))
        passed = treport.passed()
    typer.echo(f"plots and tables: {out}")
    if not passed:
        raise typer.Exit(1)
