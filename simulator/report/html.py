"""Self-contained HTML reports: writers describe a report as data (tables, text, figures in sections)
and the Jinja2 templates in templates/ draw it, all with one stylesheet inlined so that a report.html
stays a single file. Autoescape is on: a scenario name or note is text, never markup."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from simulator.metrics.summary_types import Summary
from simulator.report.tables import headline_rows
from simulator.wording import replications_text

WIDE_COLUMNS = 6  # tables with more columns get the compact font
_NUMBER = re.compile(r"[-+]?[\d.]")


@dataclass(frozen=True)
class Table:
    """A header and rows of already formatted cells; columns holding no number are aligned left."""

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    kind: ClassVar[str] = "table"

    @property
    def wide(self) -> bool:
        return len(self.header) > WIDE_COLUMNS

    @property
    def text_columns(self) -> list[bool]:
        return [
            not any(_NUMBER.match(str(row[index])) for row in self.rows if index < len(row))
            for index in range(len(self.header))
        ]


@dataclass(frozen=True)
class Text:
    text: str
    note: bool = False
    kind: ClassVar[str] = "text"


@dataclass(frozen=True)
class Image:
    """A PNG embedded as base64, so the report needs no file beside it."""

    alt: str
    data: str
    kind: ClassVar[str] = "image"

    @classmethod
    def of(cls, path: Path) -> Image:
        return cls(path.stem, base64.b64encode(path.read_bytes()).decode("ascii"))


@dataclass(frozen=True)
class Preformatted:
    text: str
    kind: ClassVar[str] = "preformatted"


Block = Table | Text | Image | Preformatted


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: Sequence[Block]


@dataclass(frozen=True)
class Document:
    """A whole report: the page title, the top heading, blocks before the first section, the sections."""

    title: str
    heading: str
    intro: Sequence[Block] = ()
    sections: Sequence[Section] = field(default_factory=list)


def images(paths: Sequence[Path]) -> list[Block]:
    return [Image.of(path) for path in paths]


def resolved_section(resolved_yaml: str) -> Section:
    return Section("Resolved scenario", [Preformatted(resolved_yaml)])


def frame_table(frame: pd.DataFrame, number: Callable[[float], str] = "{:.6g}".format) -> Table:
    """A DataFrame as a Table: floats through `number`, missing values as "-"."""

    def cell(value: Any) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return "-"
        return number(value) if isinstance(value, float) else str(value)

    rows = [[cell(value) for value in record] for record in frame.itertuples(index=False)]
    return Table([str(column) for column in frame.columns], rows)


def render(document: Document) -> str:
    """The report as one HTML string (no external files)."""
    environment = Environment(
        loader=PackageLoader("simulator.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("report.html.j2").render(title=document.title, document=document)


def render_report(
    title: str,
    summary: Summary,
    combined: dict[str, Any] | None,
    replications: int,
    plots: list[Path],
    resolved_yaml: str,
    extra_sections: Sequence[Section] = (),
) -> str:
    """An endpoint run's report: headline table, figures, extra sections, the resolved scenario."""
    header, rows = headline_rows(summary, combined)
    note = (
        f"Means over {replications_text(replications)} with 95% confidence intervals in brackets."
        if replications > 1
        else "One replication; run with --replications N for confidence intervals."
    )
    window = summary.window_s
    intro = Text(
        f"Measured window {window.start:.0f}-{window.end:.0f} s (warm-up excluded). {note}",
        note=True,
    )
    sections = [
        Section("Summary", [Table(header, rows)]),
        Section("Figures", images(plots)),
        *extra_sections,
        resolved_section(resolved_yaml),
    ]
    return render(Document(title, title, [intro], sections))
