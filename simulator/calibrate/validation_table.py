"""A serving validation as text: predicted against measured per load, the errors the targets hold,
the host's noise floor, and the server's time per completion by requests in flight."""

from __future__ import annotations

import math

from simulator.calibrate.host_speed import HostSpeed, describe_record
from simulator.calibrate.in_flight import BANDS, band_label, growth
from simulator.calibrate.interference import summary_disturbance
from simulator.calibrate.results import MAX_CHECKED_UTILISATION, TARGETS, ServeValidation
from simulator.wording import signed_percent


def utilisation_note(report: ServeValidation) -> str:
    """util is against the maximum throughput calibration measured; say what validation measured."""
    open_rows = [r for r in report.rows if r.kind == "open" and math.isfinite(r.utilisation)]
    closed = [r.measured["throughput"] for r in report.rows if r.kind == "closed"]
    if not open_rows or not closed:
        return "util: offered rate / the maximum throughput measured in calibration"
    fitted = open_rows[0].level / open_rows[0].utilisation
    top = max(open_rows, key=lambda r: r.level)
    return (
        f"util: offered rate / the maximum throughput measured in calibration ({fitted:.1f}/s); against "
        f"the one validation measured ({max(closed):.1f}/s) the top level is {top.level / max(closed):.0%}"
    )


def repeat_note(report: ServeValidation) -> str:
    """What the two passes say about the host: the floor under any model's error in this run."""
    floor = report.repeatability()
    if not floor:
        return "repeat: each load was measured once"
    shown = ", ".join(f"{k.removesuffix('_ms')} {v:.1%}" for k, v in floor.items())
    note = (
        "repeat: second pass / first pass - 1, the same load measured twice in this run (rising, then "
        f"falling), nothing changed but time; the largest on the held loads ({shown}) is the host's "
        "noise floor: a model error below it cannot be told from the machine's drift"
    )
    over = [k.removesuffix("_ms") for k, v in floor.items() if v > TARGETS[k]]
    if over:
        note += (
            f"\nrepeat verdict: the floor is over the {' and '.join(over)} target(s) on this host, so this "
            "run cannot judge the model there: validate again on a steadier machine (`sagesim calibrate "
            "host-check`)"
        )
    return note


def host_note(report: ServeValidation) -> list[str]:
    """The cores' own steadiness before validation and before calibration (`host_speed`): an unsteady
    host moves the tails at 65-80% load by more than the targets, whatever the model. A host slower
    all through has no slow blocks and no spread; it shows in the two probes' median blocks."""
    lines = []
    speeds: dict[str, HostSpeed | None] = {}
    for when, data in (("calibration", report.calibration_host_speed), ("validation", report.host_speed)):
        speeds[when] = HostSpeed.from_dict(data)
        described = describe_record(data)
        if described is not None:
            lines.append(f"host before {when}: {described}")
    later, earlier = speeds["validation"], speeds["calibration"]
    if later is not None and earlier is not None:
        lines.append(
            f"host: validation's median block / calibration's = {later.block_ms / earlier.block_ms:.2f} "
            "(above 1: the cores ran slower during validation's probe; below 1: faster)"
        )
    return lines


AT_SPEED_SHOWN = ("p50_ms", "p95_ms", "throughput")  # the errors the table repeats at the measured speed


def format_table(report: ServeValidation) -> str:
    """Predicted vs measured per load, relative errors; '*' marks errors held to a target. The
    `speed` group repeats the p50, p95 and throughput errors predicted at the CPU cost the level
    really had (`speed` is that cost against calibration's), which tells the model's error from the
    machine's drift."""
    head = (
        f"{'load':>12} {'util':>5} | {'p50 meas/pred ms':>17} {'err':>7} | {'p95 meas/pred ms':>17} "
        f"{'err':>7} | {'p99 meas/pred ms':>17} {'err':>7} | {'X meas/pred /s':>15} {'err':>7} | "
        f"{'speed':>5} {'p50':>7} {'p95':>7} {'X':>7} | {'repeat p50':>10} {'p95':>7} | others"
    )
    lines = [head, "-" * len(head)]
    for row in report.rows:
        util = f"{row.utilisation:.2f}" if math.isfinite(row.utilisation) else "  -  "
        cells = []
        for metric in ("p50_ms", "p95_ms", "p99_ms", "throughput"):
            m, p = row.measured[metric], row.predicted[metric]
            mark = "*" if metric in row.checked else " "
            width = 15 if metric == "throughput" else 17
            pair = f"{m:.1f}/{p:.1f}" if metric == "throughput" else f"{m:.2f}/{p:.2f}"
            cells.append(f"{pair:>{width}} {signed_percent(row.error(metric), 6)}{mark}")
        if row.at_speed:
            shown = (
                f" {signed_percent(row.error_at_speed(m), 6)}{'*' if m in row.checked else ' '}"
                for m in AT_SPEED_SHOWN
            )
            cells.append(f"{row.speed:5.2f}" + "".join(shown))
        else:
            cells.append(f"{'-':>5} {'-':>7} {'-':>7} {'-':>7}")
        if row.repeat:
            cells.append(
                f"{signed_percent(row.repeat.get('p50_ms', math.nan), 10)}"
                f" {signed_percent(row.repeat.get('p95_ms', math.nan), 7)}"
            )
        else:
            cells.append(f"{'-':>10} {'-':>7}")
        others = summary_disturbance(row.measured)
        lines.append(f"{row.load:>12} {util:>5} | " + " | ".join(cells) + f" | {others:5.1%}")
    targets = ", ".join(f"{k.removesuffix('_ms')} <= {v:.0%}" for k, v in TARGETS.items())
    lines += [
        f"* held to target ({targets}; latency on open-loop loads up to "
        f"{MAX_CHECKED_UTILISATION:.0%} of the measured maximum throughput, throughput at the highest "
        f"closed-loop level): {'PASS' if report.passed() else 'FAIL'}; at the measured speed: "
        f"{'PASS' if report.passed_at_speed() else 'FAIL'}",
        repeat_note(report),
        *host_note(report),
        utilisation_note(report),
        "speed: the level's container CPU per request / calibration's around the same rate (a closed "
        "loop: its saturating levels'); p50, p95, X after it: errors predicted with the service time "
        "scaled by it (drift seen in CPU taken out), an open-loop level's cores also run at the speed "
        "of each second (its CPU per completion in 1-s windows)",
        *speed_within_note(report),
        "others: disturbance by other processes, the larger of the share of the instance's core time used "
        "outside the container and the load generator's wait for its core, and 10x the share of requests "
        "sent > 10 ms late (a level is measured again, up to 3 times, while it is over 5%)",
        "",
        *format_in_flight(report),
    ]
    return "\n".join(lines)


def speed_within_note(report: ServeValidation) -> list[str]:
    """How far each open-loop load's speed moved second by second: a wide band is a host whose slow
    spells set the tail, which the level's one speed cannot show."""
    shown = [
        f"{row.load} {row.speed_within[0]:.2f}-{row.speed_within[1]:.2f}"
        for row in report.rows
        if row.speed_within is not None
    ]
    return ["speed within the level (1-s windows, p10-p90): " + ", ".join(shown)] if shown else []


def format_in_flight(report: ServeValidation) -> list[str]:
    """The server's time per completion while busy, by requests in flight, measured against the
    model's (validate.in_flight_gaps): where they part, the profile's concurrency structure is off."""
    labels = [band_label(band) for band in BANDS]
    head = f"{'load':>12} | " + " | ".join(f"{label:>17}" for label in labels) + " | growth meas/model"
    lines = [
        "time per completion while requests stayed in flight (ms, measured/model at the measured speed, "
        "cores shared equally), by how many were in flight:",
        head,
        "-" * len(head),
    ]
    for row in report.rows:
        cells = []
        for label in labels:
            band = row.in_flight.get(label)
            cells.append(f"{band['measured_ms']:.2f}/{band['model_ms']:.2f}" if band else "-")
        measured, model = growth(row.in_flight, "measured_ms"), growth(row.in_flight, "model_ms")
        grown = f"{measured:.2f}/{model:.2f}" if math.isfinite(measured) else "-"
        lines.append(f"{row.load:>12} | " + " | ".join(f"{c:>17}" for c in cells) + f" | {grown}")
    lines.append(
        "growth: the gap with the most requests in flight over the gap with one (1.00: the completion "
        "rate holds as requests pile up on one core; bands with fewer than 30 gaps are left out)"
    )
    return lines
