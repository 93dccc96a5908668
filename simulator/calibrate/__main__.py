"""`python -m simulator.calibrate ...`: the calibration harness without the sagesim CLI.

  build-base [--force]                     debootstrap + docker import the offline base image (cached)
  build {serve,train} [--base-image IMG]   build an example image (builds the base image if needed)
  serve --image IMG [--vcpus N] [--workers W] [--payload F --content-type T] --out DIR
  train --image IMG [--vcpus N] [--memory M] --out DIR
  validate-serve --profile P --out DIR [--image IMG] [--payload F] [--image-differs-ok]
  validate-train --image IMG --profile P --out DIR
  summarise VALIDATION.json...             errors of several runs side by side, with their spread
  all --out DIR                            build, calibrate and validate both examples; exit 1 on FAIL
  report --work DIR --out DIR              `all` into --work, then the tables, plots and profiles into
                                           --out (reports/calibration) with a README of the figures
Errors print one line `error: <where>: <what>` and exit 2.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator.calibrate import images
from simulator.calibrate._docker import sigterm_as_interrupt
from simulator.calibrate.payloads import write_digits_jsonl
from simulator.calibrate.runs import summarise_runs
from simulator.calibrate.serve import calibrate_serve
from simulator.calibrate.train import TrainValidation, calibrate_train, format_train_table, validate_train
from simulator.calibrate.validate import ServeValidation, format_table, validate_serve
from simulator.errors import ScenarioError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m simulator.calibrate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)
    base = sub.add_parser("build-base")
    base.add_argument("--name", default=images.DEFAULT_BASE_IMAGE)
    base.add_argument("--force", action="store_true")
    build = sub.add_parser("build")
    build.add_argument("kind", choices=images.KINDS)
    build.add_argument("--tag")
    build.add_argument("--base-image", default=images.DEFAULT_BASE_IMAGE)
    for name in ("serve", "train"):
        cmd = sub.add_parser(name)
        cmd.add_argument("--image", default=images.DEFAULT_IMAGES[name])  # type: ignore[index]
        cmd.add_argument("--vcpus", type=int, default=1)
        cmd.add_argument("--memory")
        cmd.add_argument("--out", type=Path, required=True)
        if name == "serve":
            cmd.add_argument("--workers", type=int)
            _traffic_arguments(cmd)
    for name, kind in (("validate-serve", "serve"), ("validate-train", "train")):
        cmd = sub.add_parser(name)
        cmd.add_argument("--image", default=None if kind == "serve" else images.DEFAULT_IMAGES["train"])
        cmd.add_argument("--profile", type=Path, required=True)
        cmd.add_argument("--memory")
        cmd.add_argument("--out", type=Path, required=True)
        if kind == "serve":
            _traffic_arguments(cmd)
            cmd.add_argument("--image-differs-ok", action="store_true")
            cmd.add_argument("--payload-differs-ok", action="store_true")
    summary = sub.add_parser("summarise")
    summary.add_argument("validations", type=Path, nargs="+", help="validation.json files of several runs")
    everything = sub.add_parser("all")
    everything.add_argument("--out", type=Path, required=True)
    report = sub.add_parser("report")
    report.add_argument("--work", type=Path, required=True)
    report.add_argument("--out", type=Path, required=True)
    return p


def _traffic_arguments(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--payload", type=Path)
    cmd.add_argument("--content-type")
    cmd.add_argument("--accept")


def run(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build-base":
        print(images.build_base_image(args.name, force=args.force))
    elif args.command == "build":
        print(images.build_image(args.kind, tag=args.tag, base_image=args.base_image))
    elif args.command == "serve":
        print(
            calibrate_serve(
                args.image,
                out=args.out,
                vcpus=args.vcpus,
                memory=args.memory,
                workers=args.workers,
                payload=args.payload,
                content_type=args.content_type,
                accept=args.accept,
            )
        )
    elif args.command == "train":
        print(calibrate_train(args.image, out=args.out, vcpus=args.vcpus, memory=args.memory))
    elif args.command == "validate-serve":
        report = validate_serve(
            args.image,
            args.profile,
            out=args.out,
            memory=args.memory,
            payload=args.payload,
            content_type=args.content_type,
            accept=args.accept,
            image_differs_ok=args.image_differs_ok,
            payload_differs_ok=args.payload_differs_ok,
        )
        print(format_table(report))
        return 0 if report.passed() else 1
    elif args.command == "validate-train":
        treport = validate_train(args.image, args.profile, out=args.out, memory=args.memory)
        print(format_train_table(treport))
        return 0 if treport.passed() else 1
    elif args.command == "summarise":
        print(summarise_runs(args.validations))
    elif args.command == "all":
        return 0 if run_all(args.out).passed else 1
    elif args.command == "report":
        run = run_all(args.work)
        write_report(run, args.out)
        print(f"report: {args.out / 'README.md'}")
        return 0 if run.passed else 1
    return 0


@dataclass(frozen=True)
class AllRun:
    """Where `run_all` wrote everything, what it found and how long each part took (seconds)."""

    out: Path
    serve: ServeValidation
    train: TrainValidation
    seconds: dict[str, float]
    stacks: dict[str, ServeValidation]

    @property
    def passed(self) -> bool:
        return self.serve.passed() and self.train.passed() and all(v.passed() for v in self.stacks.values())


def run_all(out: Path) -> AllRun:
    """Build everything; calibrate and validate both example images and every third-party stack."""
    clock: dict[str, float] = {}
    t0 = time.perf_counter()
    serve_image, train_image = images.build_image("serve"), images.build_image("train")
    clock["build images"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    profile = calibrate_serve(serve_image, out=out / "serve")
    clock["calibrate serve"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = validate_serve(None, profile, out=out / "serve")
    clock["validate serve"] = time.perf_counter() - t0
    print(format_table(report), flush=True)
    t0 = time.perf_counter()
    tprofile = calibrate_train(train_image, out=out / "train")
    clock["calibrate train"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    treport = validate_train(train_image, tprofile, out=out / "train")
    clock["validate train"] = time.perf_counter() - t0
    print(format_train_table(treport))
    stacks = {}
    bodies = write_digits_jsonl(out / "digits.jsonl")
    for name in images.STACKS:
        t0 = time.perf_counter()
        image = images.build_stack(name)
        stack_profile = calibrate_serve(image, out=out / "stacks" / name, payload=bodies)
        stacks[name] = validate_serve(None, stack_profile, out=out / "stacks" / name)
        clock[f"stack {name}: build, calibrate, validate"] = time.perf_counter() - t0
        print(f"{name}:\n{format_table(stacks[name])}", flush=True)
    return AllRun(out, report, treport, clock, stacks)


REPORT_FILES = (
    "serve/profile.yaml",
    "serve/validation.json",
    "serve/validation.txt",
    "serve/validation.png",
    "train/train-profile.yaml",
    "train/train-validation.json",
    "train/train-validation.txt",
    "train/train-validation.png",
)


def write_report(run: AllRun, out: Path) -> None:
    """Copy the tables, plots and profiles of a run into `out` and write out/README.md around them."""
    out.mkdir(parents=True, exist_ok=True)
    stack_files = [
        f"stacks/{name}/{file}"
        for name in run.stacks
        for file in ("profile.yaml", "validation.json", "validation.txt", "validation.png")
    ]
    for name in (*REPORT_FILES, *stack_files):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(run.out / name, target)
    stack_sections = "\n".join(
        f"### {name}\n\n```\n{format_table(report)}\n```\n\n![{name}](stacks/{name}/validation.png)\n"
        for name, report in run.stacks.items()
    )
    timings = "\n".join(f"| {part} | {secs:.0f} |" for part, secs in run.seconds.items())
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = f"""# Calibration of the example images and third-party stacks: predicted vs measured

Regenerated by `make calibration-report` from a real Docker run on {when}
({os.cpu_count()} cores: the container pinned to one, the load generator on the rest). Every figure below
comes from that run; nothing is edited by hand.

## Serving: held-out loads

The profile (`serve/profile.yaml`) was fitted on one closed-loop user, closed loops of 2, 4 and 8
users (8 twice) and Poisson streams at 40% and 72% of the measured maximum throughput; none of the
loads below was used for fitting. Open-loop predictions replay the send times the load generator
recorded, with service times drawn from the profile. `*` marks the errors held to the targets.

```
{format_table(run.serve)}
```

![serving validation](serve/validation.png)

## Third-party serving stacks (JSON bodies, no timing headers)

Built from their public packages (`simulator/calibrate/images/stacks/`), calibrated and validated
with `digits.jsonl` (256 JSON batches of digits rows, log-normal batch sizes around 100 rows).

{stack_sections}
## Training: completion time under stop schedules

```
{format_train_table(run.train)}
```

![training validation](train/train-validation.png)

## Wall time of the run (seconds)

| part | seconds |
|---|---|
{timings}
"""
    (out / "README.md").write_text(text)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        with sigterm_as_interrupt():
            return run(sys.argv[1:] if argv is None else argv)
    except ScenarioError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # containers were removed on the way out (runner.serving, train_runner)
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
