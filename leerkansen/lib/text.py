"""Free text from outside, made safe to store and to export: no invisible control characters.

A NUL byte cannot be stored by PostgreSQL (the save fails and the page is lost), and XML (so
XLSX) cannot hold most C0 control characters (openpyxl refuses the whole workbook). None of
them is ever typed on purpose: they come with a paste or a crafted request, and nobody can
see them on the page. So they are removed silently and the rest of the text is kept, rather
than refused with a message about a character the person cannot find.

What goes: C0 controls except tab, line feed and carriage return; DEL and the C1 controls
(U+007F-U+009F); lone surrogates (JSON can carry them, UTF-8 cannot encode them); and the
non-characters U+FFFE and U+FFFF (not allowed in XML). A single-line field also gets no tab or
line break: each run of them becomes one space, so that words stay apart.

Apply `clean_text` at the edge (forms through `CleanCharField`, API schemas through a
validator) and again in every spreadsheet writer, for text stored before the edge cleaned it.
"""

from __future__ import annotations

import re

from django import forms

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\t\n\r]+")


def clean_text(value: str, *, multiline: bool = True) -> str:
    r"""The text without control characters; on one line unless `multiline`.

    >>> clean_text("Sofie\x00 Peeters\x0b")
    'Sofie Peeters'
    >>> clean_text("Regel één\r\nRegel twee\tmet tab")
    'Regel één\r\nRegel twee\tmet tab'
    >>> clean_text("Team\r\nHR\t\tNoord", multiline=False)
    'Team HR Noord'
    """
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    if not multiline and _LINE_BREAKS.search(value):
        value = _LINE_BREAKS.sub(" ", value)
    return value


def clean_cell(value: object) -> object:
    """A spreadsheet cell's value: text cleaned (line breaks kept), anything else as it is."""
    return clean_text(value) if isinstance(value, str) else value


class CleanCharField(forms.CharField):
    """A CharField for free text: control characters removed before any other check.

    Multi-line when its widget is a Textarea; otherwise line breaks and tabs become spaces.
    Cleaning comes first, so that the length limit and "required" judge what is kept and
    Django's "no null characters" error never shows for an invisible character.
    """

    def to_python(self, value):
        if isinstance(value, str):
            value = clean_text(value, multiline=isinstance(self.widget, forms.Textarea))
        return super().to_python(value)
