"""The periodic report as PDF: tables and bar charts drawn by fpdf2, Chinese embedded.

The font is Noto Sans CJK SC from Debian's ``fonts-noto-cjk`` (CFF outlines in a TrueType
collection), which fpdf2 subsets and embeds through fontTools (see
docs/decisions/0014-pdf-reports.md). ``XIETONG_PDF_FONT`` names another font file.
The charts are drawn from the same numbers as the tables, never as pictures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from xietong.dashboard.overview import Chart, Overview

FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2: SC
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
COLOURS = ((13, 110, 253), (25, 135, 84), (111, 66, 193), (253, 126, 20))


class FontMissing(RuntimeError):
    pass


def font_file() -> tuple[str, int]:
    configured = getattr(settings, "XIETONG_PDF_FONT", "")
    if configured:
        return str(configured), 0
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    raise FontMissing("no CJK font: install fonts-noto-cjk (scripts/ensure_browser.sh)")


class _Doc(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.set_text_color(120)
        self.cell(0, 8, f"{self.page_no()}", align="C")


def _table(
    doc: _Doc,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[int],
    numeric_from: int = 1,
) -> None:
    """A table whose columns from ``numeric_from`` on hold numbers (right-aligned)."""
    doc.set_font("cjk", size=9)
    # The body's cells are filled with the current fill colour: white, not a chart's last.
    doc.set_fill_color(255)
    heading = FontFace(emphasis="", fill_color=(233, 238, 247))  # one weight embedded
    align = tuple("LEFT" if i < numeric_from else "RIGHT" for i in range(len(widths)))
    with doc.table(
        col_widths=tuple(widths), text_align=align, line_height=6, headings_style=heading
    ) as t:
        row = t.row()
        for h in headers:
            row.cell(str(h))
        for r in rows:
            row = t.row()
            for v in r:
                row.cell("" if v is None else str(v))
    doc.ln(4)


def _bars(doc: _Doc, chart: Chart) -> None:
    """A grouped bar chart of the chart's series over its categories."""
    h = 55
    if doc.will_page_break(h + 40):  # the title stays with its chart
        doc.add_page()
    doc.set_font("cjk", size=11)
    doc.cell(0, 8, chart.title, new_x="LMARGIN", new_y="NEXT")
    x0, y0, w = doc.l_margin + 12, doc.get_y() + 4, doc.epw - 16
    values = [float(n.value) for _name, ns in chart.numbers for n in ns]
    top = max([*values, 1.0])
    doc.set_draw_color(160)
    doc.line(x0, y0 + h, x0 + w, y0 + h)
    doc.line(x0, y0, x0, y0 + h)
    doc.set_font("cjk", size=7)
    doc.set_xy(x0 - 12, y0 - 2)
    doc.cell(11, 4, f"{top:g}", align="R")
    doc.set_xy(x0 - 12, y0 + h - 2)
    doc.cell(11, 4, "0", align="R")
    cats = max(1, len(chart.categories))
    group = w / cats
    # A bar is at most 14 mm wide, however few the categories; the group is centred.
    bar = min(group * 0.8 / max(1, len(chart.numbers)), 14.0)
    inset = (group - bar * len(chart.numbers)) / 2
    for s, (_name, ns) in enumerate(chart.numbers):
        doc.set_fill_color(*COLOURS[s % len(COLOURS)])
        for i, n in enumerate(ns):
            bh = h * float(n.value) / top
            x = x0 + i * group + inset + s * bar
            if bh > 0:
                doc.rect(x, y0 + h - bh, bar * 0.9, bh, style="F")
            doc.set_xy(x - 1, y0 + h - bh - 4)
            doc.cell(bar + 2, 4, n.shown, align="C")
    for i, label in enumerate(chart.categories):
        doc.set_xy(x0 + i * group, y0 + h + 1)
        doc.multi_cell(group, 3.5, label, align="C", max_line_height=3.5)
    y = y0 + h + 12
    doc.set_xy(x0, y)
    for s, (name, _ns) in enumerate(chart.numbers):
        doc.set_fill_color(*COLOURS[s % len(COLOURS)])
        doc.rect(doc.get_x(), y + 1, 3, 3, style="F")
        doc.set_x(doc.get_x() + 4)
        doc.cell(doc.get_string_width(name) + 6, 5, name)
    doc.set_y(y + 9)


def render(title: str, subtitle: str, data: Overview, fingerprint: str) -> bytes:
    path, index = font_file()
    doc = _Doc(format="A4")
    doc.add_font("cjk", fname=path, collection_font_number=index)
    doc.set_title(title)
    doc.set_creator("Xietong")
    doc.set_auto_page_break(True, margin=16)
    doc.add_page()
    doc.set_font("cjk", size=16)
    doc.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=10)
    doc.set_text_color(90)
    doc.multi_cell(0, 6, subtitle, new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(0)
    doc.ln(3)
    _table(doc, [_("Indicator"), _("Number")], [(n.label, n.shown) for n in data.kpis], (130, 50))
    _table(
        doc,
        [_("Kind of partnership"), _("Active partnerships")],
        [(n.label, n.shown) for n in data.partnerships_by_kind],
        (130, 50),
    )
    for chart in data.charts:
        _bars(doc, chart)
    if data.board:
        doc.add_page()
        doc.set_font("cjk", size=12)
        doc.cell(0, 8, _("Task status"), new_x="LMARGIN", new_y="NEXT")
        headers = [_("Section")] + [n.label for n in data.board[0].counts] + [_("Total")]
        rows = [
            [f"{r.section.number} {r.section.display_title}"]
            + [n.shown for n in r.counts]
            + [r.total]
            for r in data.board
        ]
        _table(doc, headers, rows, (70,) + (22,) * len(data.board[0].counts) + (20,))
    doc.set_font("cjk", size=7)
    doc.set_text_color(120)
    doc.multi_cell(0, 4, _("Fingerprint of the numbers (SHA-256): %(sha)s") % {"sha": fingerprint})
    return bytes(doc.output())
