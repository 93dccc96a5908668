"""`python -m simulator.calibrate ...`: the calibration harness without the sagesim CLI.

  build-base [--force]                     debootstrap + docker import the offline base image (cached)
  build {serve,train} [--base-image IMG]   build an example image (builds the base image if needed)
  serve --image IMG [--vcpus N] [--memory M] [--workers W] --out DIR
  train --image IMG [--vcpus N] [--memory M] --out DIR
  validate-serve --image IMG --profile P --out DIR
  validate-train --image IMG --profile P --out DIR
  all --out DIR                            build, calibrate and validate both examples; exit 1 on FAIL
Errors print one line `error: <where>: <what>` and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from simulator.calibrate import images
from simulator.calibrate.serve import calibrate_serve
from simulator.calibrate.train import calibrate_train, format_train_table, validate_train
from simulator.calibrate.validate import format_table, validate_serve
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
            cmd.add_argument("--payload", type=Path)
            cmd.add_argument("--content-type", default="text/csv")
    for name, kind in (("validate-serve", "serve"), ("validate-train", "train")):
        cmd = sub.add_parser(name)
        cmd.add_argument("--image", default=images.DEFAULT_IMAGES[kind])  # type: ignore[index]
        cmd.add_argument("--profile", type=Path, required=True)
        cmd.add_argument("--memory")
        cmd.add_argument("--out", type=Path, required=True)
    everything = sub.add_parser("all")
    everything.add_argument("--out", type=Path, required=True)
    return p


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
            )
        )
    elif args.command == "train":
        print(calibrate_train(args.image, out=args.out, vcpus=args.vcpus, memory=args.memory))
    elif args.command == "validate-serve":
        report = validate_serve(args.image, args.profile, out=args.out, memory=args.memory)
        print(format_table(report))
        return 0 if report.passed() else 1
    elif args.command == "validate-train":
        treport = validate_train(args.image, args.profile, out=args.out, memory=args.memory)
        print(format_train_table(treport))
        return 0 if treport.passed() else 1
    elif args.command == "all":
        return run_all(args.out)
    return 0


def run_all(out: Path) -> int:
    """The CI path: build everything, calibrate and validate both example images."""
    serve_image, train_image = images.build_image("serve"), images.build_image("train")
    profile = calibrate_serve(serve_image, out=out / "serve")
    report = validate_serve(serve_image, profile, out=out / "serve")
    print(format_table(report), flush=True)
    tprofile = calibrate_train(train_image, out=out / "train")
    treport = validate_train(train_image, tprofile, out=out / "train")
    print(format_train_table(treport))
    return 0 if report.passed() and treport.passed() else 1


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except ScenarioError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
