"""The HTML reports: Jinja2 templates with autoescape, one stylesheet inlined in every committed report,
tables wrapped so that wide ones scroll instead of overflowing the page."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.metrics.summary_types import Window
from simulator.report.html import (
    Document,
    Preformatted,
    Section,
    Table,
    Text,
    frame_table,
    render,
    render_report,
)
from tests.test_summary_types import example_summary

ROOT = Path(__file__).resolve().parents[1]
STYLESHEET = files("simulator.report").joinpath("templates/report.css").read_text()
COMMITTED = sorted((ROOT / "reports").rglob("*.html"))
SCRIPT = "<script>alert('x')</script>"


def test_the_stylesheet_and_templates_ship_as_package_data() -> None:
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "templates/*" in package_data["*"]
    templates = files("simulator.report").joinpath("templates")
    assert {"base.html.j2", "report.html.j2", "report.css"} <= {entry.name for entry in templates.iterdir()}


def test_every_committed_report_inlines_the_stylesheet() -> None:
    assert len(COMMITTED) >= 16
    for path in COMMITTED:
        page = path.read_text()
        styles = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
        assert [style.strip() for style in styles] == [STYLESHEET.strip()], path
        assert "<link" not in page, path


def test_every_committed_table_scrolls_in_its_own_container() -> None:
    for path in COMMITTED:
        page = path.read_text()
        assert page.count("<table") == page.count('<div class="table-wrap"><table'), path


@pytest.mark.parametrize(
    "document",
    [
        Document(SCRIPT, SCRIPT),
        Document("t", "t", [Text(SCRIPT, note=True)]),
        Document("t", "t", sections=[Section(SCRIPT, [Table([SCRIPT], [[SCRIPT]])])]),
        Document("t", "t", sections=[Section("resolved", [Preformatted(f"name: {SCRIPT}")])]),
    ],
)
def test_templates_escape_what_they_are_given(document: Document) -> None:
    page = render(document)
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_run_report_escapes_the_scenario_name() -> None:
    summary = replace(example_summary(), window_s=Window(0.0, 60.0), variants={})
    page = render_report(SCRIPT, summary, None, 1, [], f"name: {SCRIPT}\n")
    assert "<script>" not in page
    assert page.count("&lt;script&gt;") == 3  # title, heading and the resolved scenario


def test_wide_tables_get_the_compact_font_and_text_columns_align_left() -> None:
    narrow = Table(["figure", "value"], [["throughput", "1.5"], ["missing", "-"]])
    wide = Table([f"c{i}" for i in range(7)], [["a", *(str(i) for i in range(6))]])
    assert not narrow.wide and wide.wide
    assert narrow.text_columns == [True, False]
    page = render(Document("t", "t", sections=[Section("s", [narrow, wide])]))
    assert page.count('<table class="wide">') == 1
    assert '<td class="text">throughput</td><td>1.5</td>' in page


def test_frame_tables_format_floats_and_show_missing_values_as_a_dash() -> None:
    frame = pd.DataFrame({"time": [1.23456789, np.nan], "count": [3, 4], "name": ["a", None]})
    table = frame_table(frame, "{:.3g}".format)
    assert list(table.header) == ["time", "count", "name"]
    assert [list(row) for row in table.rows] == [["1.23", "3", "a"], ["-", "4", "-"]]
