"""A self-contained HTML report: figures embedded as base64 PNG, tables, the resolved scenario."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from simulator.report.tables import headline_rows

STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}img{max-width:100%;border:1px solid #eee;margin:.5em 0}
pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}.note{color:#666}
"""


def html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def html_image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def render_report(
    title: str,
    summary: dict[str, Any],
    combined: dict[str, Any] | None,
    replications: int,
    plots: list[Path],
    resolved_yaml: str,
    extra_sections: list[tuple[str, str]] | None = None,
) -> str:
    """The whole report as one HTML string (no external files)."""
    header, rows = headline_rows(summary, combined)
    note = (
        f"Means over {replications} replications with 95% confidence intervals in brackets."
        if replications > 1
        else "One replication; run with --replications N for confidence intervals."
    )
    window = summary.get("window_s", {})
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class=note>Measured window {window.get('start', 0):.0f}-{window.get('end', 0):.0f} s "
        f"(warm-up excluded). {note}</p>",
        "<h2>Summary</h2>",
        html_table(header, rows),
        "<h2>Figures</h2>",
        *(html_image(path) for path in plots),
    ]
    for heading, body in extra_sections or []:
        sections += [f"<h2>{html.escape(heading)}</h2>", body]
    sections += ["<h2>Resolved scenario</h2>", f"<pre>{html.escape(resolved_yaml)}</pre>"]
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>"
    )
