"""Open answers in a report, and hiding one of them (the admin's "verberg").

What people write in their own words stands in the report word for word, without name or
group, sorted alphabetically, and only in a report of at least FREE_TEXT_THRESHOLD responses
(scoring.round_outcome). An admin of the organisation may hide a comment that names someone or
hurts: it is removed from the stored snapshot (Report.free_text), so that the web page, the
PDF, the JSON API and the organisation's data download all lose it at once, and only its
SHA-256 is kept (Report.hidden_comments), so that a later publication of an open round leaves
it out again (services._publish). Identical texts are one comment.

Hiding reveals nothing new: it works on the stored snapshot only, never recomputes it from
the responses (which could take in answers the report has not published), and the body is
rendered again from that same snapshot. The stored PDF is cleared with it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.survey.models import Assessment

from .models import Report
from .services import render_report_html
from .tasks import render_pdf_after_commit


def comment_key(text: str) -> str:
    """The comment's stable key: the SHA-256 of its text (public in the page's form)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def without_hidden(
    free_text: Mapping[str, list[str]], hidden: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """`free_text` without the comments whose key is in `hidden` for their question."""
    return {
        item_id: [text for text in texts if comment_key(text) not in set(hidden.get(item_id, ()))]
        for item_id, texts in free_text.items()
    }


@dataclass(frozen=True)
class Comment:
    key: str
    text: str


@dataclass(frozen=True)
class QuestionComments:
    item_id: str
    question: str
    comments: tuple[Comment, ...]
    hidden: int


def comments_of(report: Report) -> list[QuestionComments]:
    """The report's open answers per question, as its page shows them (alphabetically)."""
    questionnaire = get_questionnaire()
    hidden = report.hidden_comments or {}
    result = []
    for item_id, texts in (report.free_text or {}).items():
        item = questionnaire.item(item_id)
        result.append(
            QuestionComments(
                item_id=item_id,
                question=item.text if item else item_id,
                comments=tuple(Comment(comment_key(text), text) for text in texts),
                hidden=len(hidden.get(item_id, ())),
            )
        )
    return result


def hide_comment(report: Report, item_id: str, key: str) -> bool:
    """Take the comment with `key` out of the report's question `item_id`; True if it was there.

    The round is locked first, in the order publishing locks it (services._publish), so that a
    publication and a hide never overwrite each other. The body is rendered again from the
    snapshot and the stored PDF cleared.
    """
    with transaction.atomic():
        Assessment.objects.select_for_update().filter(pk=report.assessment_id).first()
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("assessment__organisation")
            .get(pk=report.pk)
        )
        texts = (report.free_text or {}).get(item_id) or []
        kept = [text for text in texts if comment_key(text) != key]
        if len(kept) == len(texts):
            return False
        report.free_text = {**report.free_text, item_id: kept}
        hidden = dict(report.hidden_comments or {})
        hidden[item_id] = sorted({*hidden.get(item_id, ()), key})
        report.hidden_comments = hidden
        report.html = render_report_html(report)
        report.pdf = None
        report.save(update_fields=["free_text", "hidden_comments", "html", "pdf"])
        render_pdf_after_commit(report)
    return True
