"""Making a report snapshot from a round's completed responses, and publishing it in steps.

What a report holds, from the completed responses it holds, is decided by scoring.round_outcome
(the outcome across respondents) and scoring.anonymity (which roles it may show apart); this
module makes, refreshes, recomputes and renders the stored snapshots. A snapshot keeps the
thresholds and the model version it was made with.

Which responses it holds changes only in steps of at least k (refresh_report): comparing two
states of the report must never single out one respondent. Each response records the step
that took it in (Response.report_step), so the report knows exactly which set it published.

A report keeps the profile model version it was made with: a new report takes the active
version (modelversions.services), an update of an open round's report and a recomputation take the
report's own version, so that activating a new version never changes an existing report.
"""

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from leerkansen.benchmarks.services import freeze_comparison
from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.modelversions.services import get_active_model, get_model
from leerkansen.scoring.anonymity import (
    closing_step_roles,
    enough_new,
    open_step_roles,
    protected_counts,
)
from leerkansen.scoring.model import ProfileModel
from leerkansen.scoring.round_outcome import RoleAnswers, round_outcome
from leerkansen.survey.models import Assessment, Response
from leerkansen.survey.services import completed_responses

from .models import Report
from .tasks import render_pdf_after_commit


class NoResponses(Exception):
    """An assessment without a completed response has nothing to report."""


def compute_report(
    responses: Sequence[RoleAnswers],
    *,
    threshold: int | None = None,
    free_text_threshold: int | None = None,
    model: ProfileModel | None = None,
    final: bool = True,
    steps: Sequence[Mapping[str, int]] = (),
    last_step_published: bool = False,
    protected: Mapping[str, int] | None = None,
) -> dict:
    """Everything a report stores, from a round's completed responses (scoring.round_outcome).

    The thresholds default to settings.ANONYMITY_THRESHOLD and settings.FREE_TEXT_THRESHOLD;
    the model to the active one. `final`, `steps`, `last_step_published` and `protected`: see
    round_outcome.
    """
    return round_outcome(
        responses,
        questionnaire=get_questionnaire(),
        catalogue=get_catalogue(),
        model=model or get_active_model(),
        threshold=settings.ANONYMITY_THRESHOLD if threshold is None else threshold,
        free_text_threshold=settings.FREE_TEXT_THRESHOLD
        if free_text_threshold is None
        else free_text_threshold,
        final=final,
        steps=steps,
        last_step_published=last_step_published,
        protected=protected,
    )


def _protected(rows: Sequence[tuple]) -> dict[str, int]:
    """The counts per role the threshold protects (anonymity.protected_counts), of rows
    (pk, role, step, entered_by_organisation)."""
    return protected_counts([(row[1], row[3]) for row in rows])


def _steps(rows: Sequence[tuple]) -> list[dict[str, int]]:
    """Per published step, in order, how many responses of each role it took in that the
    threshold protects (rows: pk, role, step, entered_by_organisation; see _protected)."""
    by_step: dict[int, list[tuple]] = {}
    for row in rows:
        if row[2] is not None:
            by_step.setdefault(row[2], []).append(row)
    return [_protected(by_step[step]) for step in sorted(by_step)]


def _pairs(rows: Sequence[tuple]) -> list[tuple[str, bool]]:
    """(role, entered_by_organisation) of rows (pk, role, step, entered_by_organisation)."""
    return [(row[1], row[3]) for row in rows]


def _taken_in(
    published: Sequence[tuple], new: Sequence[tuple], *, closing: bool, threshold: int
) -> list[tuple]:
    """The new rows the next state takes in (scoring.anonymity, rule 3): in an open round the
    roles with at least k new responses of their own; at the close the roles
    closing_step_roles chooses after the published steps."""
    if not closing:
        roles = open_step_roles(_pairs(new), threshold)
    else:
        by_step: dict[int, list[tuple]] = {}
        for row in published:
            by_step.setdefault(row[2], []).append(row)
        steps = [_pairs(by_step[step]) for step in sorted(by_step)]
        roles = closing_step_roles(steps, _pairs(new), threshold)
    return [row for row in new if row[1] in roles]


def _publish(assessment: Assessment, *, first_as_it_stands: bool = False) -> Report | None:
    """Publish the round's report when the rule allows it (see refresh_report); the report.

    `first_as_it_stands`: a round without a report publishes every completed response now,
    whatever their number (create_report).
    """
    threshold = settings.ANONYMITY_THRESHOLD
    with transaction.atomic():
        # The lock on the round makes concurrent completions (and a close) publish one after
        # the other, each seeing which responses the one before took in.
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=assessment.pk)
        )
        report = Report.objects.filter(assessment=assessment).first()
        if report is not None and (report.final or first_as_it_stands):
            return report
        rows = list(
            Response.objects.filter(assessment=assessment, completed_on__isnull=False)
            .order_by("pk")
            .values_list("pk", "role", "report_step", "entered_by_organisation")
        )
        published = [row for row in rows if row[2] is not None]
        new = [row for row in rows if row[2] is None]
        closing = not assessment.is_open
        # A first state of fewer than k: for a round answered in one go, or at the close of
        # a round that only its admins could answer (no link was ever made for others).
        small_first_allowed = first_as_it_stands or (closing and not assessment.links_made)
        if report is None and (
            small_first_allowed or (closing and enough_new(_pairs(new), threshold))
        ):
            # A first state, final at once: nothing published to compare it with.
            taken = new
        else:
            taken = _taken_in(published, new, closing=closing, threshold=threshold)
            if not taken and not closing:
                return report
        if not published and not taken:
            return None
        if taken:
            step = max((row[2] for row in published), default=0) + 1
            Response.objects.filter(pk__in=[row[0] for row in taken]).update(report_step=step)
            taken = [(pk, role, step, entered) for pk, role, _none, entered in taken]
        included = published + taken
        model = get_model(report.model_version) if report else get_active_model()
        content = compute_report(
            completed_responses(assessment, [row[0] for row in included]),
            model=model,
            final=closing,
            steps=_steps(included),
            protected=_protected(included),
            # A close that takes in nothing new: an open state published the last step.
            last_step_published=closing and not taken,
        )
        content["left_out"] = len(new) - len(taken)
        if report is not None and report.hidden_comments:
            # Comments an admin hid stay hidden in the next state (comments.py).
            from .comments import without_hidden

            content["free_text"] = without_hidden(content["free_text"], report.hidden_comments)
        if report is None:
            report = Report(assessment=assessment, **content)
        else:
            for field, value in content.items():
                setattr(report, field, value)
            report.updated_on = timezone.localdate()
            report.revision += 1
            report.pdf = None
        report.assessment = assessment
        # The comparison with similar organisations, from the benchmark table of now; a final
        # report keeps the one it was first published with (benchmarks.services).
        freeze_comparison(assessment, report.scores, report.profile, final=closing)
        report.html = render_report_html(report)
        report.save()
        render_pdf_after_commit(report)
        return report


def refresh_report(assessment: Assessment) -> Report | None:
    """Publish the round's report where the rule allows it; the report as it now stands.

    Call it when a response of the round completes and when the round closes. The rule
    (docs/scoring.md, "When a round's report changes"), with k = ANONYMITY_THRESHOLD:
    - open round: the report takes in the new responses of a role only once that role has
      at least k new ones since the last published state (k through links: answers the
      organisation entered itself do not count towards the k of link answers they come with,
      see anonymity.enough_new); nothing is published before that, and in between it does
      not change. It shows the overall results only (final False: no counts or scores per
      role). Responses of a role below k wait for the close (scoring.anonymity, rule 3);
    - closing publishes the final state, with the roles: what was published plus the waiting
      responses of the roles anonymity.closing_step_roles chooses (those counted in the
      figures are none or at least k; a first state takes in everything); the others are
      left out (left_out says how many), since the difference with the last state would
      show them;
    - a final report never changes again.
    Between steps the stored report (web, PDF, API) is not touched at all. An update keeps the
    report's own model version, not one activated since; its HTML is rendered again and its
    stored PDF cleared. None while there is nothing to publish yet.
    """
    return _publish(assessment)


def publish_final_report(sender, assessment: Assessment, **kwargs) -> None:
    """On survey.signals.round_closed: publish the closed round's final report."""
    _publish(assessment)


def create_report(assessment: Assessment) -> Report:
    """The round's report; without one yet, its first publication from every completed response.

    For a round answered in one go (the API's assessment, the demo), which is closed: its
    report is the final state at once. A first publication cannot be differenced; rounds that
    invited respondents answer go through refresh_report, which waits for k responses.
    Raises NoResponses when nothing is completed yet.
    """
    report = _publish(assessment, first_as_it_stands=True)
    if report is None:
        raise NoResponses(assessment.code)
    return report


def recompute_report(report: Report) -> dict:
    """The report's content computed again from the responses it holds.

    With the report's own model version, thresholds and steps: for a closed round it equals
    what is stored (the reproducibility check), whatever version is active now.
    """
    rows = list(
        Response.objects.filter(assessment=report.assessment, report_step__isnull=False)
        .order_by("pk")
        .values_list("pk", "role", "report_step", "entered_by_organisation")
    )
    if not rows:
        raise NoResponses(report.assessment.code)
    return compute_report(
        completed_responses(report.assessment, [row[0] for row in rows]),
        threshold=report.anonymity_threshold,
        free_text_threshold=report.free_text_threshold,
        model=get_model(report.model_version),
        final=report.final,
        steps=_steps(rows),
        protected=_protected(rows),
        # Every publication but a close without new responses added a step.
        last_step_published=report.final and report.revision > len(_steps(rows)),
    )


def render_report_html(report: Report) -> str:
    """The report's body, rendered once from the snapshot (the page and the PDF embed it)."""
    from .presentation import report_context

    return render_to_string("reports/_report_body.html", report_context(report))


def render_stored_body(pk: int) -> str:
    """The body of a report whose stored HTML was cleared to be worded anew (migration 0008):
    rendered from its unchanged snapshot and stored, so it is rendered only once."""
    report = Report.objects.get(pk=pk)
    body = render_report_html(report)
    # Only where it is still empty: a state published in the meantime keeps its own body.
    Report.objects.filter(pk=pk, html="").update(html=body)
    return body
