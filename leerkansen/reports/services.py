"""Making a report snapshot from an assessment's completed responses."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict

from django.db import transaction
from django.template.loader import render_to_string

from leerkansen.catalogue.content import get_catalogue
from leerkansen.scoring.model import get_active_model
from leerkansen.scoring.profiles import assign_profile
from leerkansen.scoring.recommend import reason_sentence, recommend_top3
from leerkansen.scoring.scales import ScaleItem, aggregate_answers, challenge_scores
from leerkansen.survey.models import Assessment
from leerkansen.survey.questionnaire import Questionnaire, get_questionnaire
from leerkansen.survey.services import AnswerValue, answers_of

from .models import Report

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


def compute_outcome(responses: Sequence[Mapping[str, AnswerValue]]) -> dict:
    """Scores, profile, top 3, needs and practices for a set of responses (no database)."""
    questionnaire = get_questionnaire()
    model = get_active_model()
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


def create_report(assessment: Assessment) -> Report:
    """The assessment's report, made from its completed responses (once; later calls return it)."""
    existing = Report.objects.filter(assessment=assessment).first()
    if existing:
        return existing
    responses = [
        answers_of(response) for response in assessment.responses.filter(completed_at__isnull=False)
    ]
    if not responses:
        raise NoResponses(assessment.code)
    outcome = compute_outcome(responses)
    with transaction.atomic():
        report, created = Report.objects.get_or_create(assessment=assessment, defaults=outcome)
        if created:
            report.html = render_report_html(report)
            report.save(update_fields=["html"])
    return report


def render_report_html(report: Report) -> str:
    """The report's body, rendered once from the snapshot (the page and the PDF embed it)."""
    from .presentation import report_context

    return render_to_string("reports/_report_body.html", report_context(report))
