"""A training certificate as PDF: the holder, the program, its provider, the hours, the
credit type, the date and the number, with a QR code of the public verification page.

The font is the dashboard report's (Noto Sans CJK SC, subset and embedded by fpdf2:
docs/decisions/0014-pdf-reports.md, :func:`xietong.dashboard.pdf.font_file`). The QR code
(segno, pure Python) is drawn as vector squares, so it prints sharp at any size.
"""

from __future__ import annotations

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from xietong.dashboard.pdf import font_file
from xietong.training.models import Certificate
from xietong.training.services.common import hours_text

INK = (24, 48, 96)
GOLD = (176, 141, 60)


def _qr(doc: FPDF, text: str, x: float, y: float, size: float) -> None:
    """The QR code of ``text`` as dark squares, ``size`` mm wide, at (x, y), quiet zone
    included (4 modules, as the standard asks)."""
    qr = segno.make(text, error="m")
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
    module = size / len(rows)
    doc.set_fill_color(0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            # A run of dark modules is one rectangle (a touch taller: no hairline seams).
            doc.rect(x + start * module, y + r * module, (c - start) * module, module + 0.01, "F")


def _line(doc: FPDF, label: str, value: str, x: float, width: float) -> None:
    doc.set_x(x)
    doc.set_font("cjk", size=10)
    doc.set_text_color(110)
    doc.cell(34, 9, label)
    doc.set_font("cjk", size=13)
    doc.set_text_color(20)
    doc.multi_cell(width - 34, 9, value, new_x="LMARGIN", new_y="NEXT")


def render(c: Certificate, verify_url: str) -> bytes:
    """The certificate ``c`` as PDF bytes; ``verify_url`` is the absolute URL of its
    verification page (what the QR code holds)."""
    path, index = font_file()
    doc = FPDF(orientation="landscape", format="A4")
    doc.add_font("cjk", fname=path, collection_font_number=index)
    doc.set_title(f"{_('Training certificate')} {c.number}")
    doc.set_creator("Xietong")
    doc.set_auto_page_break(False)
    doc.add_page()
    w, h = doc.w, doc.h
    doc.set_draw_color(*GOLD)
    doc.set_line_width(1.2)
    doc.rect(8, 8, w - 16, h - 16)
    doc.set_line_width(0.3)
    doc.rect(11, 11, w - 22, h - 22)

    doc.set_y(30)
    doc.set_font("cjk", size=28)
    doc.set_text_color(*INK)
    doc.cell(0, 14, _("Training certificate"), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=11)
    doc.set_text_color(110)
    doc.cell(
        0,
        7,
        _("Continuing education of primary and secondary school teachers"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )

    doc.set_y(60)
    doc.set_font("cjk", size=24)
    doc.set_text_color(20)
    doc.cell(0, 14, c.holder, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=12)
    doc.set_text_color(60)
    doc.multi_cell(
        0,
        7,
        _("completed the training program below and is credited the hours stated."),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )

    left, qr_size = 30.0, 52.0
    text_width = w - left - qr_size - 50
    doc.set_y(96)
    _line(doc, _("Program"), c.program_title, left, text_width)
    _line(doc, _("Provider"), c.provider_name, left, text_width)
    _line(doc, _("Hours"), hours_text(c.hours), left, text_width)
    _line(doc, _("Credit type"), str(c.get_credit_type_display()), left, text_width)
    _line(doc, _("Completed on"), c.completed_on.isoformat(), left, text_width)
    _line(doc, _("Certificate number"), c.number, left, text_width)
    if c.revoked_at:
        doc.set_x(left)
        doc.set_font("cjk", size=13)
        doc.set_text_color(200, 30, 30)
        revoked = timezone.localtime(c.revoked_at).date().isoformat()
        doc.cell(0, 10, _("Revoked on %(day)s") % {"day": revoked})

    qx, qy = w - 30 - qr_size, 96.0
    _qr(doc, verify_url, qx, qy, qr_size)
    doc.set_xy(qx - 8, qy + qr_size + 1)
    doc.set_font("cjk", size=8)
    doc.set_text_color(90)
    doc.multi_cell(qr_size + 16, 4, _("Scan to verify this certificate"), align="C")
    doc.set_x(qx - 14)
    doc.set_font("cjk", size=6)
    doc.multi_cell(qr_size + 28, 3, verify_url, align="C")

    doc.set_xy(20, h - 28)
    doc.set_font("cjk", size=8)
    doc.set_text_color(120)
    doc.multi_cell(
        w - 40,
        4,
        _(
            "Issued by Xietong, the Beijing–Tianjin–Hebei education collaboration platform. "
            "Its number and fields are signed with the platform's key; the verification page "
            "shows whether it is valid."
        ),
        align="C",
    )
    return bytes(doc.output())
