"""lib/downloads.py: every download names its file the same way (RFC 6266)."""

import io

import pytest

from leerkansen.lib.downloads import attachment, file_attachment, streamed_attachment


def test_attachment_names_an_ascii_file_in_quotes():
    response = attachment(b"%PDF-", "leerkansen-rapport.pdf", "application/pdf")
    assert response.content == b"%PDF-"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="leerkansen-rapport.pdf"'


def test_inline_opens_in_the_browser_with_the_name_for_saving():
    response = attachment(b"\x89PNG", "menukaart.png", "image/png", inline=True)
    assert response["Content-Disposition"] == 'inline; filename="menukaart.png"'


def test_a_name_cannot_break_the_header():
    quoted = attachment(b"", 'a "b" \\ c.csv', "text/csv")
    assert quoted["Content-Disposition"] == 'attachment; filename="a \\"b\\" \\\\ c.csv"'
    other = attachment(b"", "rapport-zorggroep-één.pdf", "application/pdf")
    assert other["Content-Disposition"] == (
        "attachment; filename*=utf-8''rapport-zorggroep-%C3%A9%C3%A9n.pdf"
    )


def test_streamed_attachment_sends_the_chunks_under_the_name():
    response = streamed_attachment(iter(["a;b\r\n", "1;2\r\n"]), "data.csv", "text/csv")
    assert response.streaming
    assert b"".join(response.streaming_content) == b"a;b\r\n1;2\r\n"
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="data.csv"'


def test_file_attachment_keeps_the_given_type_and_sends_the_length():
    response = file_attachment(io.BytesIO(b"$FL2"), "data.sav", "application/x-spss-sav")
    assert response["Content-Type"] == "application/x-spss-sav"
    assert response["Content-Length"] == "4"
    assert response["Content-Disposition"] == 'attachment; filename="data.sav"'
    assert b"".join(response.streaming_content) == b"$FL2"


@pytest.mark.parametrize("make", [attachment, streamed_attachment, file_attachment])
def test_a_download_needs_a_name(make):
    with pytest.raises(ValueError):
        make(b"", "", "text/plain")
