"""The plan as a PDF (A4, one table) and as an XLSX workbook, and its overview sheets.

All of them are built from the same rows (`plan_rows`). The PDF is laid out by WeasyPrint with
the shared URL fetcher (lib/pdf.py), which serves our own static files and nothing else. In
the workbook, text a spreadsheet would read as a formula (= + - @ at the start) stays plain
text, and control characters that XML cannot hold are left out at write time (lib.text), also
from a note stored before the forms cleaned them: one such character would otherwise break
every download."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from leerkansen.content.catalogue import Action
from leerkansen.lib.text import clean_cell, clean_text
from leerkansen.organisations.models import Organisation

from .models import PlanItem

# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"), and
# the control characters that some applications strip before doing so.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class PlanRow:
    position: int
    action_id: str
    # None when the catalogue no longer has the action.
    action: Action | None
    owner: str
    start: date | None
    status_label: str
    note: str

    @property
    def title(self) -> str:
        return self.action.title if self.action else _("(no longer in the action menu)")

    @property
    def is_highlight(self) -> bool:
        return bool(self.action and self.action.highlight)


def plan_rows(items: Sequence[PlanItem]) -> list[PlanRow]:
    return [
        PlanRow(
            position=item.position,
            action_id=item.action_id,
            action=item.action,
            owner=item.owner,
            start=item.start,
            status_label=str(item.get_status_display()),
            note=item.note,
        )
        for item in items
    ]


def filename(organisation: Organisation, kind: str, extension: str) -> str:
    """E.g. "leerkansen-actieplan-<code>-2026-11-27.pdf": the code, not the name, which may
    hold anything."""
    return f"leerkansen-{kind}-{organisation.code}-{timezone.localdate():%Y-%m-%d}.{extension}"


# -- PDF ------------------------------------------------------------------------------------


def plan_pdf(organisation: Organisation, rows: Sequence[PlanRow]) -> bytes:
    """The plan as an A4 PDF (landscape, for the notes): one table, page numbers."""
    # WeasyPrint is heavy: imported with the first PDF, not with the URL configuration.
    from leerkansen.lib.pdf import html_to_pdf

    context = {
        "organisation": organisation,
        "rows": rows,
        "has_highlight": any(row.is_highlight for row in rows),
        "today": timezone.localdate(),
    }
    return html_to_pdf(render_to_string("plans/plan_pdf.html", context))


# -- XLSX -----------------------------------------------------------------------------------


def _is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _write(sheet, row: int, column: int, value: object):
    cell = sheet.cell(row=row, column=column)
    value = clean_cell(value)
    if _is_formula_like(value):
        # Stored as text, and marked so that Excel keeps it text when the cell is edited.
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def plan_xlsx(organisation: Organisation, rows: Sequence[PlanRow]) -> bytes:
    """The plan as one worksheet: a header row, then one row per action in the plan's order."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Action plan")[:31]
    headers = [
        (_("Order"), 8),
        (_("Action"), 9),
        (_("Title"), 50),
        ("HIGHLIGHT", 12),
        (_("Owner"), 24),
        (_("Start"), 12),
        (_("Status"), 14),
        (_("Note"), 60),
    ]
    for column, (header, width) in enumerate(headers, start=1):
        cell = _write(sheet, 1, column, header)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, plan_row in enumerate(rows, start=2):
        values = [
            plan_row.position,
            plan_row.action_id,
            plan_row.title,
            "HIGHLIGHT" if plan_row.is_highlight else "",
            plan_row.owner,
            plan_row.start,
            plan_row.status_label,
            plan_row.note,
        ]
        for column, value in enumerate(values, start=1):
            cell = _write(sheet, index, column, value)
            cell.alignment = wrap
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows) + 1)}"
    workbook.properties.title = clean_text(
        f"{_('Action plan')} – {organisation.name}", multiline=False
    )[:255]
    workbook.properties.creator = "Leerkansen"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- Overview sheets ------------------------------------------------------------------------


def sheet_details(item: PlanItem):
    """What the plan adds to the action's overview sheet."""
    from leerkansen.catalogue.printing import SheetDetails

    return SheetDetails(
        owner=item.owner,
        start=item.start,
        status_label=str(item.get_status_display()),
        note=item.note,
    )


def item_sheet_pdf(item: PlanItem) -> bytes:
    """The action's overview sheet with the plan's owner, start, status and note."""
    from leerkansen.catalogue.printing import sheet_pdf

    return sheet_pdf(item.action, sheet_details(item))


def sheets_bundle_pdf(
    items: Sequence[PlanItem], progress: Callable[[int], None] | None = None
) -> bytes:
    """The overview sheets of the plan's actions, in the plan's order, as one PDF."""
    from leerkansen.catalogue.printing import sheets_bundle_pdf as bundle

    sheets = [(item.action, sheet_details(item)) for item in items if item.action]
    return bundle(sheets, progress=progress)
