"""A teacher's training record as PDF: who (name, institution, the masked ID number), the
current cycle against its requirement, the hours by credit type, each cycle's total, and
every credited line.

The ID number is the stored mask (:mod:`xietong.institutions.personal_data`): the export
opens no sealed value, so reading it is not an unmasked read to audit. The font is the
certificates' (:mod:`xietong.training.certificate_pdf`, decision 0014).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF

from xietong.dashboard.pdf import font_file
from xietong.training.record import Record
from xietong.training.services.common import hours_text

INK = (24, 48, 96)
RULE = (200, 205, 215)


def _heading(doc: FPDF, text: str) -> None:
    doc.ln(3)
    doc.set_font("cjk", size=12)
    doc.set_text_color(*INK)
    doc.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    doc.set_draw_color(*RULE)
    doc.line(doc.l_margin, doc.get_y(), doc.w - doc.r_margin, doc.get_y())
    doc.ln(1)


def _line_count(doc: FPDF, text: str, width: float) -> int:
    wrapped = doc.multi_cell(width, 5, text, dry_run=True, output="LINES")
    return max(1, len(wrapped)) if isinstance(wrapped, list) else 1


def _row(
    doc: FPDF, cells: list[tuple[str, float, str]], size: float = 9, grey: bool = False
) -> None:
    """One table row of (text, width in mm, align); the tallest cell sets the height."""
    doc.set_font("cjk", size=size)
    doc.set_text_color(110 if grey else 20)
    x, y = doc.l_margin, doc.get_y()
    lines = max(_line_count(doc, text, w) for text, w, _a in cells)
    height = 5 * lines
    if y + height > doc.h - doc.b_margin:
        doc.add_page()
        y = doc.get_y()
    for text, w, align in cells:
        doc.set_xy(x, y)
        doc.multi_cell(w, 5, text, align=align)  # type: ignore[arg-type]
        x += w
    doc.set_xy(doc.l_margin, y + height + 1)


def render(record: Record) -> bytes:
    path, index = font_file()
    staff = record.staff
    doc = FPDF(format="A4")
    doc.add_font("cjk", fname=path, collection_font_number=index)
    doc.set_title(f"{_('Training record')} {staff.name}")
    doc.set_creator("Xietong")
    doc.set_auto_page_break(True, margin=15)
    doc.add_page()

    doc.set_font("cjk", size=20)
    doc.set_text_color(*INK)
    doc.cell(0, 12, _("Training record"), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=9)
    doc.set_text_color(110)
    doc.cell(
        0,
        6,
        _("Continuing education of primary and secondary school teachers"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(2)
    who = [
        (_("Full name"), staff.name),
        (_("Institution"), f"{staff.institution.name} · {staff.institution.region.name}"),
        (_("ID number"), staff.masked_id_number),
        (_("Printed on"), timezone.localdate().isoformat()),
    ]
    for label, value in who:
        _row(doc, [(label, 30, "L"), (value, 150, "L")], size=10)

    c = record.cycle
    _heading(doc, _("Cycle %(cycle)s") % {"cycle": c.label})
    summary = _("%(done)s of %(required)s hours, %(remaining)s still to earn.") % {
        "done": hours_text(record.cycle_hours),
        "required": hours_text(c.required),
        "remaining": hours_text(record.remaining),
    }
    if record.met:
        summary = _("%(done)s of %(required)s hours: the cycle's requirement is met.") % {
            "done": hours_text(record.cycle_hours),
            "required": hours_text(c.required),
        }
    _row(doc, [(summary, 180, "L")], size=11)
    _row(
        doc,
        [(_("Credit type"), 90, "L"), (_("This cycle"), 45, "R"), (_("All years"), 45, "R")],
        grey=True,
    )
    for now, ever in zip(record.by_type, record.by_type_total, strict=True):
        _row(
            doc,
            [
                (now.label, 90, "L"),
                (hours_text(now.hours), 45, "R"),
                (hours_text(ever.hours), 45, "R"),
            ],
        )

    _heading(doc, _("Cycles"))
    for t in record.cycles:
        state = _("met") if t.met else _("not met")
        _row(
            doc,
            [
                (t.cycle.label, 45, "L"),
                (f"{hours_text(t.hours)} / {hours_text(t.cycle.required)}", 45, "R"),
                (state, 90, "L"),
            ],
        )

    _heading(doc, _("Credited hours"))
    if not record.lines:
        _row(doc, [(_("No hours credited yet."), 180, "L")])
    else:
        _row(
            doc,
            [
                (_("Date"), 22, "L"),
                (_("Training"), 78, "L"),
                (_("Credit type"), 34, "L"),
                (pgettext("training", "Provider"), 32, "L"),
                (_("Hours"), 14, "R"),
            ],
            grey=True,
        )
        for x in record.lines:
            title = f"{x.title}\n{x.detail}" if x.detail else x.title
            _row(
                doc,
                [
                    (x.day.isoformat(), 22, "L"),
                    (title, 78, "L"),
                    (x.credit_label, 34, "L"),
                    (x.provider or "—", 32, "L"),
                    (hours_text(x.hours), 14, "R"),
                ],
            )
    doc.ln(4)
    doc.set_font("cjk", size=7)
    doc.set_text_color(120)
    doc.multi_cell(
        0,
        4,
        _(
            "Issued by Xietong from its own records: completed training programs, completed "
            "exchange placements and lesson uses of shared resources (counted as school-based "
            "training, capped each term)."
        ),
    )
    return bytes(doc.output())
