"""The streaming XLSX writer (research/xlsx.py), read back with openpyxl."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from openpyxl import load_workbook

from leerkansen.research.xlsx import Book, column_letters


def test_column_letters():
    assert [column_letters(i) for i in (0, 25, 26, 51, 701, 702, 16_383)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "ZZ",
        "AAA",
        "XFD",
    ]


def test_values_come_back_as_written(tmp_path):
    path = tmp_path / "x.xlsx"
    book = Book(path)
    texts = ["a & b <c> \"d\" 'e'", " leading space", "two\nlines", "cr\r\nlf", "é ü 漢字", "x"]
    book.add_sheet(
        "data & more",
        [
            ["text", "number"],
            [*texts, 3, -1, 0.1, 1e-7, 12345678901234, True, False, Decimal("1.50")],
            [None, "", 2, None, float("nan"), float("inf")],
        ],
    )
    book.add_sheet("leeg", [["m"]])
    book.close()
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["data & more", "leeg"]
    header, row, sparse = [[cell.value for cell in line] for line in workbook["data & more"]]
    assert header[:2] == ["text", "number"]
    assert row == [*texts, 3, -1, 0.1, 1e-7, 12345678901234, True, False, 1.5]
    # Empty cells stay empty; so do NaN and infinity, which a spreadsheet cannot hold.
    assert sparse[:3] == [None, None, 2]
    assert set(sparse[3:]) <= {None}
    assert [[cell.value for cell in line] for line in workbook["leeg"]] == [["m"]]
    # Nothing is ever a formula.
    assert not [c for line in workbook["data & more"] for c in line if c.data_type == "f"]


def test_a_book_can_go_to_an_open_file():
    buffer = io.BytesIO()
    book = Book(buffer)
    book.add_sheet("s", ([n, f"rij {n}"] for n in range(1, 1201)))
    book.close()
    assert zipfile.ZipFile(io.BytesIO(buffer.getvalue())).testzip() is None
    rows = list(load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)["s"].values)
    assert len(rows) == 1200
    assert rows[-1] == (1200, "rij 1200")


def test_text_of_every_kind_is_made_safe_in_csv_and_xlsx(tmp_path):
    from datetime import date

    from django.utils.safestring import mark_safe

    from leerkansen.research import writers

    row = [mark_safe("=1+1"), "-x\x00", Decimal("-1.5"), -2, 0.5, True, None, date(2026, 1, 2)]
    text = "".join(writers.csv_pieces(["a"], [row]))
    assert text == "a\r\n'=1+1,'-x,-1.5,-2,0.5,True,,2026-01-02\r\n"
    path = tmp_path / "x.xlsx"
    writers.write_xlsx(path, [("data", ["a"], [row])])
    [_header, cells] = list(load_workbook(path)["data"].values)
    assert list(cells) == ["'=1+1", "'-x", -1.5, -2, 0.5, True, None, "2026-01-02"]
