"""The import of paper questionnaires: a template per round and role, and reading it back.

The template (CSV or XLSX) has one column per item of the role's version, headed by the item
id, a row with the question's text and a row with the values it takes (keys.py: the numbers
printed next to the boxes, 0 for "Weet niet", empty for no answer); then one row per paper
questionnaire. The first column, "nr", holds the number HR wrote on the questionnaire, if any:
it is only used to name the row in the report, never stored. The XLSX adds a sheet "Uitleg"
with every item's boxes and their numbers. Every text cell is escaped so that a spreadsheet
never runs it as a formula.

Reading judges every row and every cell before anything is stored and reports, in Dutch, the
row (as the spreadsheet numbers it), the column (the item id) and the problem. Any problem:
nothing is imported (services.enter_paper_responses stores all rows in one transaction).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext

from leerkansen.content.questionnaire import Questionnaire, questionnaire_for

from .keys import allowed_text, choices, has_control_characters, read_answers
from .services import scorable, too_few_answers_message

NUMBER_COLUMN = "nr"
# The template's rows before the first questionnaire: ids, question texts, allowed values.
HEADER_ROWS = 3
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
FORMULA_START = ("@", "+", "-", "=", "|", "%")
_NUMBER = re.compile(r"^-?[0-9,\.]+$")


def escape_formula(value: object) -> object:
    """A text a spreadsheet would run as a formula gets a leading quote (as research's
    writers do, whose rule this repeats: the paper app may not import research)."""
    if isinstance(value, str) and value[:1] in FORMULA_START and not _NUMBER.match(value):
        return "'" + value.replace("|", "\\|")
    return value


def template_rows(questionnaire: Questionnaire) -> list[list[str]]:
    items = questionnaire.items()
    return [
        [NUMBER_COLUMN, *(item.id for item in items)],
        [gettext("Question"), *(item.text for item in items)],
        [gettext("Allowed values"), *(allowed_text(item) for item in items)],
    ]


def template_csv(role: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in template_rows(questionnaire_for(role)):
        writer.writerow([escape_formula(cell) for cell in row])
    # With a BOM, Excel reads the file as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(role: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    questionnaire = questionnaire_for(role)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Questionnaires")
    for row in template_rows(questionnaire):
        sheet.append([escape_formula(cell) for cell in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B4"
    explanation = workbook.create_sheet(gettext("Explanation"))
    explanation.append([gettext("Column"), gettext("Question"), gettext("Number"), gettext("Box")])
    for cell in explanation[1]:
        cell.font = Font(bold=True)
    explanation.append(
        [NUMBER_COLUMN, gettext("The number you wrote on the questionnaire (optional)"), "", ""]
    )
    for item in questionnaire.items():
        if item.scale == "text":
            explanation.append([item.id, escape_formula(item.text), "", allowed_text(item)])
            continue
        for key in choices(item):
            explanation.append([item.id, escape_formula(item.text), key.number, key.label])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str
    number: str = ""


@dataclass
class Reading:
    """What an uploaded file holds: the rows' answers, or the problems (then nothing)."""

    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX file this import can read (a Dutch message)."""


def _csv_cells(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV (puntkomma)" on a Belgian Windows writes Windows-1252. The cells this
        # import reads are digits and the open answers; the template's own rows are skipped.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                gettext("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
            ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(row)
            if len(rows) > MAX_ROWS + HEADER_ROWS:
                break
    except csv.Error as error:  # a cell past the csv module's size limit, a stray quote
        raise UnreadableFile(
            gettext("Row %(row)d of the file cannot be read as CSV.") % {"row": len(rows) + 1}
        ) from error
    return rows


def _xlsx_cells(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zip, XML and openpyxl's own errors alike
        raise UnreadableFile(gettext("The file is not an XLSX workbook.")) from error
    sheet = workbook.worksheets[0]
    rows = []
    for index, row in enumerate(sheet.iter_rows(values_only=True)):
        if index > MAX_ROWS + HEADER_ROWS:
            break
        rows.append(["" if cell is None else _cell_text(cell) for cell in row])
    workbook.close()
    return rows


def _cell_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def cells_of(name: str, data: bytes) -> list[list[str]]:
    """The file's cells as text, by its name's extension; UnreadableFile with the reason."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableFile(
            gettext("The file is larger than %(limit)d MB.")
            % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    lower = name.lower()
    if lower.endswith(".csv"):
        return _csv_cells(data)
    if lower.endswith(".xlsx"):
        return _xlsx_cells(data)
    raise UnreadableFile(gettext("Choose a .csv or .xlsx file (the template)."))


def read_rows(role: str, cells: list[list[str]]) -> Reading:
    """Judge every row of the file against `role`'s version of the questionnaire."""
    questionnaire = questionnaire_for(role)
    reading = Reading()
    if not cells or not any(cell.strip() for cell in cells[0]):
        reading.problems.append(Problem(1, "", gettext("The file is empty.")))
        return reading
    header = [cell.strip() for cell in cells[0]]
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        if not name or (index == 0 and name == NUMBER_COLUMN):
            continue
        if has_control_characters(name) or questionnaire.item(name) is None:
            reading.problems.append(
                Problem(1, name[:40], gettext("This column is not a question of this version."))
            )
        elif name in columns.values():
            reading.problems.append(Problem(1, name, gettext("This column appears twice.")))
        else:
            columns[index] = name
    if reading.problems:
        return reading
    # The template's rows of question texts and allowed values, if still there, are skipped.
    first_data = 1
    while first_data < min(len(cells), HEADER_ROWS) and _is_template_row(cells[first_data]):
        first_data += 1
    data_rows = cells[first_data:]
    first_row_number = first_data + 1
    if len(data_rows) > MAX_ROWS:
        msg = gettext("The file has more than %(limit)d rows: split it up.") % {"limit": MAX_ROWS}
        reading.problems.append(Problem(first_row_number + MAX_ROWS, "", msg))
        return reading
    for offset, row in enumerate(data_rows):
        number = first_row_number + offset
        if not any(cell.strip() for cell in row):
            continue
        own_number = row[0].strip()[:20] if row and 0 not in columns else ""
        if has_control_characters(own_number):
            msg = gettext("it contains an invisible control character")
            reading.problems.append(Problem(number, NUMBER_COLUMN, msg))
            own_number = ""
        extra = [i for i, cell in enumerate(row) if cell.strip() and i >= len(header)]
        for index in extra[:1]:
            msg = gettext("This cell has no column name: leave it empty.")
            reading.problems.append(Problem(number, f"#{index + 1}", msg, own_number))
        typed = {name: row[index] if index < len(row) else "" for index, name in columns.items()}
        answers, problems = read_answers(questionnaire, typed)
        for item_id, message in problems.items():
            reading.problems.append(Problem(number, item_id, message, own_number))
        if not problems and not scorable(role, answers):
            reading.problems.append(Problem(number, "", too_few_answers_message(), own_number))
        reading.rows.append(answers)
    if not reading.rows and not reading.problems:
        msg = gettext("The file holds no questionnaire: add one row per paper questionnaire.")
        reading.problems.append(Problem(first_row_number, "", msg))
    if reading.problems:
        reading.rows = []
    return reading


def _is_template_row(row: list[str]) -> bool:
    """Whether the row is the template's row of question texts or of allowed values."""
    return bool(row) and row[0].strip() in {gettext("Question"), gettext("Allowed values")}
