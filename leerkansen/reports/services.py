"""Making a report snapshot from a round's completed responses, and publishing it in steps.

A report is computed from the completed responses it holds (mean per item, then the scores).
Next to that it stores what several respondents add: how much they agree per challenge, the
open answers once there are enough responses to keep their writers unknown and, in a closed
round's final state only, how many answered per role and the scores per role where a role is
large enough to show (scoring.anonymity).

Which responses it holds changes only in steps of at least k (refresh_report): comparing two
states of the report must never single out one respondent. Each response records the step
that took it in (Response.report_step), so the report knows exactly which set it published.

A report keeps the profile model version it was made with: a new report takes the active
version (modelversions.services), an update of an open round's report and a recomputation take the
report's own version, so that activating a new version never changes an existing report.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import AGREEMENT_VALUES, Questionnaire, get_questionnaire
from leerkansen.modelversions.services import get_active_model, get_model
from leerkansen.scoring.agreement import rwg_j
from leerkansen.scoring.anonymity import ROLE_ORDER, role_counts, roles_safe_to_show, visible_groups
from leerkansen.scoring.model import ProfileModel
from leerkansen.scoring.profiles import assign_profile
from leerkansen.scoring.recommend import reason_sentence, recommend_top3
from leerkansen.scoring.scales import ScaleItem, aggregate_answers, challenge_scores
from leerkansen.survey.models import Assessment, Response
from leerkansen.survey.services import AnswerValue, completed_responses

from .models import Report

# One completed response: the respondent's role and their answers.
RoleAnswers = tuple[str, Mapping[str, AnswerValue]]

NEED_POINTS = (3, 2, 1)
# When respondents disagree on a practice, the most cautious state wins a tie: recommending
# something that partly exists is better than hiding it.
PRACTICE_TIE_ORDER = ("deels", "nog_niet", "al", "nvt")


class NoResponses(Exception):
    """An assessment without a completed response has nothing to report."""


def ranked_needs(
    responses: Sequence[Mapping[str, AnswerValue]], questionnaire: Questionnaire
) -> list[dict]:
    """The three largest needs over all respondents (3-2-1 points), with the mean urgency."""
    points: Counter[int] = Counter()
    urgencies: dict[int, list[int]] = {}
    first_seen: dict[int, int] = {}
    for answers in responses:
        for rank, (need_id, urgency_id) in enumerate(questionnaire.need_items()):
            challenge = answers.get(need_id)
            if not isinstance(challenge, int):
                continue
            points[challenge] += NEED_POINTS[rank]
            first_seen.setdefault(challenge, len(first_seen))
            urgency = answers.get(urgency_id) if urgency_id else None
            if isinstance(urgency, int):
                urgencies.setdefault(challenge, []).append(urgency)
    order = sorted(points, key=lambda c: (-points[c], first_seen[c]))[: len(NEED_POINTS)]
    return [
        {
            "challenge": challenge,
            "urgency": round(sum(urgencies[challenge]) / len(urgencies[challenge]), 1)
            if urgencies.get(challenge)
            else None,
        }
        for challenge in order
    ]


def agreed_practices(
    responses: Sequence[Mapping[str, AnswerValue]], questionnaire: Questionnaire
) -> dict[str, str]:
    """Per action the state most respondents gave ("al", "deels", "nog_niet", "nvt")."""
    practices = {}
    for item in questionnaire.items():
        if item.action is None:
            continue
        votes = Counter(answers[item.id] for answers in responses if answers.get(item.id))
        if votes:
            practices[item.action] = min(
                votes, key=lambda state: (-votes[state], PRACTICE_TIE_ORDER.index(state))
            )
    return practices


def compute_outcome(
    responses: Sequence[Mapping[str, AnswerValue]], model: ProfileModel | None = None
) -> dict:
    """Scores, profile, top 3, needs and practices for a set of responses.

    With `model` no database is needed; without it, the active model is read.
    """
    questionnaire = get_questionnaire()
    model = model or get_active_model()
    catalogue = get_catalogue()
    items = [ScaleItem(*spec) for spec in questionnaire.scale_items()]
    scale_ids = {item.id for item in items}
    mean_answers = aggregate_answers(
        [{k: v for k, v in answers.items() if k in scale_ids} for answers in responses]
    )
    scores = challenge_scores(mean_answers, items)
    needs = ranked_needs(responses, questionnaire)
    practices = agreed_practices(responses, questionnaire)
    assignment = assign_profile(scores, model)
    profile = model.profile(assignment.dominant)
    top3 = recommend_top3(
        scores=scores,
        needs=[need["challenge"] for need in needs],
        practices=practices,
        assignment=assignment,
        model=model,
        catalogue=catalogue,
    )
    runner_up = None
    if assignment.runner_up:
        runner = model.profile(assignment.runner_up)
        runner_up = {
            "id": runner.id,
            "name": runner.name,
            "probability": assignment.probabilities[runner.id],
        }
    return {
        "questionnaire_version": questionnaire.version,
        "model_version": model.version,
        "catalogue_version": catalogue.version,
        "response_count": len(responses),
        "scores": {str(number): score for number, score in scores.items()},
        "profile": {
            "id": profile.id,
            "name": profile.name,
            "description": profile.description,
            "probability": assignment.dominant_probability,
            "probabilities": assignment.probabilities,
            "runner_up": runner_up,
            "nearest_prototype": assignment.nearest_prototype,
            "model_status": model.status,
            "model_note": model.description_nl,
        },
        "top3": [
            {
                "action": rec.action_id,
                "challenge": rec.challenge,
                "reason": reason_sentence(
                    rec, profile.name, catalogue.challenge(rec.challenge).title
                ),
                "components": asdict(rec.components),
            }
            for rec in top3
        ],
        "needs": needs,
        "practices": practices,
    }


def scores_by_role(
    responses: Sequence[RoleAnswers], roles: set[str], questionnaire: Questionnaire
) -> dict[str, dict[str, float | None]]:
    """The challenge scores of each of `roles`, from that role's responses alone."""
    items = [ScaleItem(*spec) for spec in questionnaire.scale_items()]
    scale_ids = {item.id for item in items}
    result = {}
    for role in sorted(roles):
        mean_answers = aggregate_answers(
            [
                {k: v for k, v in answers.items() if k in scale_ids}
                for answer_role, answers in responses
                if answer_role == role
            ]
        )
        scores = challenge_scores(mean_answers, items)
        result[role] = {str(number): score for number, score in scores.items()}
    return result


def agreement_by_challenge(
    responses: Sequence[Mapping[str, AnswerValue]], questionnaire: Questionnaire
) -> dict[str, float | None]:
    """r_wg(J) per challenge over all respondents ("weet niet" left out), rounded to 2 decimals.

    None for a challenge that fewer than two respondents answered.
    """
    options = len(AGREEMENT_VALUES)
    challenges = sorted({challenge for _id, challenge, _reverse in questionnaire.scale_items()})
    agreement: dict[str, float | None] = {}
    for challenge in challenges:
        item_answers = {
            item.id: [
                answers[item.id] for answers in responses if isinstance(answers.get(item.id), int)
            ]
            for item in questionnaire.diagnostic_items(challenge)
        }
        value = rwg_j(item_answers, options=options)
        agreement[str(challenge)] = None if value is None else round(value, 2)
    return agreement


def open_answers(
    responses: Sequence[Mapping[str, AnswerValue]], questionnaire: Questionnaire
) -> dict[str, list[str]]:
    """The answers to each open question, sorted alphabetically so their order tells nothing.

    Not in the order they came in: that order would match the moment someone answered.
    """
    result = {}
    for item in questionnaire.items():
        if item.scale != "text":
            continue
        texts = [
            answers[item.id].strip()
            for answers in responses
            if isinstance(answers.get(item.id), str) and answers[item.id].strip()
        ]
        result[item.id] = sorted(texts, key=lambda text: (text.casefold(), text))
    return result


def compute_report(
    responses: Sequence[RoleAnswers],
    *,
    threshold: int | None = None,
    free_text_threshold: int | None = None,
    model: ProfileModel | None = None,
    final: bool = True,
    steps: Sequence[Mapping[str, int]] = (),
) -> dict:
    """Everything a report stores, from a round's completed responses.

    The outcome (scores, profile, top 3, needs, practices) comes from all responses together;
    open answers are kept only from `free_text_threshold` responses (else empty, with
    free_text_allowed False). Only a `final` state (a closed round's) holds anything per
    role: the counts per role, and the scores of the roles visible_groups allows with the
    anonymity threshold that, together with the overall results of the earlier published
    `steps` (role counts each step added), cannot single anyone out
    (anonymity.roles_safe_to_show). The thresholds default to settings.ANONYMITY_THRESHOLD
    and settings.FREE_TEXT_THRESHOLD; the model to the active one.
    """
    threshold = settings.ANONYMITY_THRESHOLD if threshold is None else threshold
    if free_text_threshold is None:
        free_text_threshold = settings.FREE_TEXT_THRESHOLD
    questionnaire = get_questionnaire()
    answers = [answers for _role, answers in responses]
    counts = role_counts([role for role, _answers in responses]) if final else {}
    visible = visible_groups(counts, threshold)
    if final and len(steps) > 1:
        visible = roles_safe_to_show(steps, visible, threshold, ROLE_ORDER)
    free_text_allowed = len(responses) >= free_text_threshold
    return {
        **compute_outcome(answers, model),
        "role_counts": counts,
        "role_scores": scores_by_role(responses, visible, questionnaire),
        "agreement": agreement_by_challenge(answers, questionnaire),
        "free_text": open_answers(answers, questionnaire) if free_text_allowed else {},
        "free_text_allowed": free_text_allowed,
        "final": final,
    }


def _steps(rows: Sequence[tuple[int, str, int | None]]) -> list[dict[str, int]]:
    """Per published step, in order, how many responses of each role it took in."""
    by_step: dict[int, list[str]] = {}
    for _pk, role, step in rows:
        if step is not None:
            by_step.setdefault(step, []).append(role)
    return [role_counts(by_step[step]) for step in sorted(by_step)]


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
            .values_list("pk", "role", "report_step")
        )
        published = [row for row in rows if row[2] is not None]
        new = [row for row in rows if row[2] is None]
        closing = not assessment.is_open
        # A first state of fewer than k: for a round answered in one go, or at the close of
        # a round that only its admins could answer (no link was ever made for others).
        small_first_allowed = first_as_it_stands or (closing and not assessment.links_made)
        if len(new) >= threshold or (report is None and small_first_allowed):
            taken = new
        elif closing and report is not None:
            # Fewer than k since the last state: the difference would show them. Left out.
            taken = []
        else:
            return report
        if not published and not taken:
            return None
        if taken:
            step = max((row[2] for row in published), default=0) + 1
            Response.objects.filter(pk__in=[row[0] for row in taken]).update(report_step=step)
            taken = [(pk, role, step) for pk, role, _none in taken]
        included = published + taken
        model = get_model(report.model_version) if report else get_active_model()
        content = compute_report(
            completed_responses(assessment, [row[0] for row in included]),
            model=model,
            final=closing,
            steps=_steps(included),
        )
        content["left_out"] = len(new) - len(taken)
        if report is None:
            report = Report(assessment=assessment, **content)
        else:
            for field, value in content.items():
                setattr(report, field, value)
            report.updated_on = timezone.localdate()
            report.revision += 1
            report.pdf = None
        report.assessment = assessment
        report.html = render_report_html(report)
        report.save()
        return report


def refresh_report(assessment: Assessment) -> Report | None:
    """Publish the round's report where the rule allows it; the report as it now stands.

    Call it when a response of the round completes and when the round closes. The rule
    (docs/scoring.md, "When a round's report changes"), with k = ANONYMITY_THRESHOLD:
    - open round: nothing is published before k responses are completed; after that the
      report changes only when at least k new ones have come in since the last published
      state, and it shows the overall results only (final False: no counts or scores per role);
    - closing publishes the final state, with the roles: what was published plus the responses
      completed since, if those are at least k or nothing was published yet; otherwise without
      them (left_out says how many), since the difference with the last state would show them;
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

    With the report's own model version and the same steps: for a closed round it equals
    what is stored (the reproducibility check), whatever version is active now.
    """
    rows = list(
        Response.objects.filter(assessment=report.assessment, report_step__isnull=False)
        .order_by("pk")
        .values_list("pk", "role", "report_step")
    )
    if not rows:
        raise NoResponses(report.assessment.code)
    return compute_report(
        completed_responses(report.assessment, [row[0] for row in rows]),
        model=get_model(report.model_version),
        final=report.final,
        steps=_steps(rows),
    )


def render_report_html(report: Report) -> str:
    """The report's body, rendered once from the snapshot (the page and the PDF embed it)."""
    from .presentation import report_context

    return render_to_string("reports/_report_body.html", report_context(report))
