"""leerkansen.lib.text: control characters out, everything a person typed kept."""

import doctest
import io

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from leerkansen.lib import text
from leerkansen.lib.text import CleanCharField, clean_text

# Every code point that may not reach the database or a spreadsheet.
FORBIDDEN = (
    [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + ["\ud800", "\udfff", "\ufffe", "\uffff"]
)


def test_examples_in_the_docstrings_hold():
    result = doctest.testmod(text)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("char", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_each_control_character_is_removed_and_the_words_stay(char):
    assert clean_text(f"Meer{char} tijd") == "Meer tijd"
    assert clean_text(f"Meer{char} tijd", multiline=False) == "Meer tijd"


def test_text_without_control_characters_is_returned_unchanged():
    typed = "Élodie's “plan” – 5 % → ✓ 😀\tRegel\r\nRegel"
    assert clean_text(typed) == typed


def test_a_single_line_keeps_words_apart_where_a_line_broke():
    assert clean_text("Team HR\r\n\r\nNoord\tZuid", multiline=False) == "Team HR Noord Zuid"


@given(st.text())
def test_cleaned_text_has_no_control_character_left_and_cleaning_twice_changes_nothing(value):
    cleaned = clean_text(value)
    assert not any(char in FORBIDDEN for char in cleaned)
    assert clean_text(cleaned) == cleaned
    # Nothing but the forbidden characters went.
    assert [char for char in value if char not in FORBIDDEN] == list(cleaned)


@given(st.text())
def test_any_cleaned_text_can_be_written_to_a_workbook(value):
    # Without cleaning, openpyxl raises IllegalCharacterError for most C0 controls.
    workbook = Workbook()
    workbook.active["A1"] = clean_text(value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert load_workbook(io.BytesIO(buffer.getvalue())).active["A1"].value in (
        clean_text(value) or None,
        clean_text(value).replace("\r\n", "\n").replace("\r", "\n") or None,
    )


class NoteForm(forms.Form):
    name = CleanCharField(max_length=5)
    note = CleanCharField(widget=forms.Textarea, required=False)


def test_the_form_field_cleans_before_length_and_null_checks():
    form = NoteForm({"name": "Jo\x00\x0bs\x7f", "note": "Eerst\x00 IT\r\nDan HR\x0b"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"name": "Jos", "note": "Eerst IT\r\nDan HR"}


def test_a_single_line_form_field_puts_line_breaks_as_spaces():
    form = NoteForm({"name": "Jo\nKo"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "Jo Ko"


def test_a_field_left_with_nothing_but_control_characters_is_empty():
    form = NoteForm({"name": "\x00\x0b"})
    assert not form.is_valid()
    assert list(form.errors) == ["name"]
