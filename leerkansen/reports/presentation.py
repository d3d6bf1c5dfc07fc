"""Everything the report templates show, built from a frozen snapshot and the catalogue.

One function, `report_context`, feeds the web body (rendered once, when the report is made)
and the PDF (rendered on first request), so the two never disagree. Wording that depends on
numbers (how sure, practice marks) is decided here; the templates only loop and test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from leerkansen.benchmarks.presentation import comparison_view
from leerkansen.benchmarks.services import stored_comparison
from leerkansen.content.catalogue import Action, Catalogue, Challenge, get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.scoring.scales import score_value
from leerkansen.survey.models import Response

from .chart import chart
from .comparison import role_comparison
from .explanations import explain, has_new_parts, key_sentence, without_evidence_number
from .models import Report

# How sure the profile is, in words: "fits strongly" from here, "fits fairly well" from the
# dominance threshold of the report's model (below it the model names the runner-up too).
STRONG_FIT = 0.90

# Only what exists is marked in the report; "nog_niet" and "nvt" need no mark.
MARKED_PRACTICES = ("al", "deels")


@dataclass(frozen=True)
class RunnerUp:
    name: str
    percent: int


@dataclass(frozen=True)
class ProfileView:
    name: str
    description: str
    probability: float
    percent: int
    certainty: str
    runner_up: RunnerUp | None
    model_note: str
    # A prior model is stated by hand: the report then shows no probability at all, only
    # which profile the organisation resembles most.
    prior: bool


@dataclass(frozen=True)
class TopAction:
    rank: int
    action: Action
    challenge: Challenge
    # "Waarom voor jullie", one sentence each (explanations.explain), and joined.
    reasons: tuple[str, ...]
    practice: str | None
    mark: str | None

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


@dataclass(frozen=True)
class AlsoStrong:
    """An action just below the top 3 ("Ook sterk")."""

    action: Action
    challenge: Challenge
    # What sets it apart, in one sentence (explanations.key_sentence); "" without parts.
    reason: str


@dataclass(frozen=True)
class NeedView:
    rank: int
    challenge: Challenge
    urgency: float | None
    value: int | None


@dataclass(frozen=True)
class ActionEntry:
    action: Action
    # "al" or "deels" (the only states the report marks), with its Dutch words.
    practice: str | None
    mark: str | None
    top3_rank: int | None


@dataclass(frozen=True)
class ChallengeActions:
    challenge: Challenge
    value: int | None
    entries: tuple[ActionEntry, ...]
    already_count: int
    partly_count: int


@dataclass(frozen=True)
class OpenQuestion:
    text: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class OpenAnswers:
    allowed: bool
    threshold: int
    questions: tuple[OpenQuestion, ...]


def percent(probability: float) -> int:
    """A probability as a whole percentage, rounded down so 0.899 never reads as 90%.

    Rounding to 6 decimals first keeps float noise (0.29 * 100 = 28.999…) from losing a point.
    """
    return math.floor(round(probability * 100, 6))


def certainty_words(probability: float, dominance_threshold: float) -> str:
    """How well the organisation fits its profile, in plain Dutch ("past sterk")."""
    if probability >= STRONG_FIT:
        return gettext("fits strongly")
    if probability >= dominance_threshold:
        return gettext("fits fairly well")
    return gettext("fits partly")


def marked_practice(state: str | None) -> str | None:
    """The practice state when the report marks it ("al" or "deels"), else None."""
    return state if state in MARKED_PRACTICES else None


def practice_mark(state: str | None) -> str | None:
    """The mark an action gets in the report from the organisation's current practice.

    Only what exists is marked: "al" and "deels". "nog_niet", "nvt" and no answer get none.
    """
    if state == "al":
        return gettext("We already have this")
    if state == "deels":
        return gettext("Partly")
    return None


def profile_view(profile: dict[str, Any], dominance_threshold: float) -> ProfileView:
    """The profile block: name, description, how sure, runner-up and the model's status.

    `dominance_threshold`: the one of the model the profile was assigned with. With a prior
    model the template shows no probability and says in one sentence what the model is
    (_profile.html); `model_note` is then empty. An estimated model keeps its own note.
    """
    probability = float(profile["probability"])
    runner = profile.get("runner_up")
    prior = profile.get("model_status", "prior") == "prior"
    return ProfileView(
        name=profile["name"],
        description=profile.get("description", ""),
        probability=probability,
        percent=percent(probability),
        certainty=certainty_words(probability, dominance_threshold),
        runner_up=RunnerUp(runner["name"], percent(float(runner["probability"])))
        if runner
        else None,
        model_note="" if prior else profile.get("model_note") or "",
        prior=prior,
    )


def top_reasons(
    item: dict[str, Any],
    *,
    respondents: int,
    challenge: Challenge,
    profile: dict[str, Any],
    practice: str | None,
) -> tuple[str, ...]:
    """The "Waarom voor jullie" sentences of one stored top-3 (or "ook sterk") entry.

    From its parts when it has them (also an old snapshot's need rank and score); an entry
    without parts shows its stored sentence, without the evidence value under a prior model.
    """
    prior = profile.get("model_status", "prior") == "prior"
    components = item.get("components")
    if components and (has_new_parts(components) or "need_rank" in components):
        return explain(
            components,
            respondents=int(item.get("respondents") or respondents),
            challenge_title=challenge.title,
            profile_name=profile["name"],
            prior=prior,
            questionnaire=get_questionnaire(),
            practice=practice,
        )
    reason = item.get("reason", "")
    return (without_evidence_number(reason) if prior else reason,)


def open_answers(report: Report, threshold: int) -> OpenAnswers:
    """The answers to the open questions, or none below the free-text threshold."""
    questionnaire = get_questionnaire()
    texts: dict[str, list[str]] = report.free_text or {}
    questions = []
    for item_id, answers in texts.items():
        item = questionnaire.item(item_id)
        questions.append(OpenQuestion(item.text if item else item_id, tuple(answers)))
    return OpenAnswers(
        allowed=report.free_text_allowed, threshold=threshold, questions=tuple(questions)
    )


def _action(catalogue: Catalogue, action_id: str) -> Action:
    action = catalogue.action(action_id)
    if action is None:
        raise LookupError(
            f"action {action_id} of the report is not in catalogue {catalogue.version}"
        )
    return action


def paper_count(report: Report) -> int:
    """How many of the answers in the report HR typed in or imported from paper questionnaires
    (survey.Response.entered_by_organisation): the admin knows each of them already."""
    return Response.objects.filter(
        assessment_id=report.assessment_id,
        report_step__isnull=False,
        entered_by_organisation=True,
    ).count()


def report_context(report: Report) -> dict[str, Any]:
    """The templates' context for a report: profile, chart, top 3, needs, all actions, and for
    several respondents the comparison per role, the agreement and the open answers."""
    catalogue = get_catalogue()
    practices: dict[str, str] = report.practices or {}
    scores: dict[str, float | None] = report.scores
    top3 = []
    for rank, item in enumerate(report.top3, start=1):
        action = _action(catalogue, item["action"])
        challenge = catalogue.challenge(action.challenge_number)
        top3.append(
            TopAction(
                rank=rank,
                action=action,
                challenge=challenge,
                reasons=top_reasons(
                    item,
                    respondents=report.response_count,
                    challenge=challenge,
                    profile=report.profile,
                    practice=practices.get(action.id),
                ),
                practice=marked_practice(practices.get(action.id)),
                mark=practice_mark(practices.get(action.id)),
            )
        )
    # Reports made before "ook sterk" existed have no such key (or no such field).
    also_strong = []
    for item in getattr(report, "also_strong", None) or ():
        action = _action(catalogue, item["action"])
        challenge = catalogue.challenge(action.challenge_number)
        components = item.get("components") or {}
        reason = (
            key_sentence(
                components,
                respondents=int(item.get("respondents") or report.response_count),
                challenge_title=challenge.title,
                profile_name=report.profile["name"],
                prior=report.profile.get("model_status", "prior") == "prior",
                questionnaire=get_questionnaire(),
            )
            if has_new_parts(components)
            else ""
        )
        also_strong.append(AlsoStrong(action, challenge, reason))
    top3_rank = {entry.action.id: entry.rank for entry in top3}
    needs = [
        NeedView(
            rank=rank,
            challenge=catalogue.challenge(need["challenge"]),
            urgency=need.get("urgency"),
            value=score_value(scores.get(str(need["challenge"]))),
        )
        for rank, need in enumerate(report.needs, start=1)
    ]
    challenges = []
    for challenge in catalogue.challenges:
        entries = tuple(
            ActionEntry(
                action=action,
                practice=marked_practice(practices.get(action.id)),
                mark=practice_mark(practices.get(action.id)),
                top3_rank=top3_rank.get(action.id),
            )
            for action in challenge.actions
        )
        challenges.append(
            ChallengeActions(
                challenge=challenge,
                value=score_value(scores.get(str(challenge.number))),
                entries=entries,
                already_count=sum(entry.practice == "al" for entry in entries),
                partly_count=sum(entry.practice == "deels" for entry in entries),
            )
        )
    organisation = report.assessment.organisation
    if organisation.is_demo:
        pdf_url = reverse("reports:demo_report_pdf")
        # The demo belongs to nobody: there is no plan, rating or later round to go to.
        next_steps = None
    else:
        pdf_url = reverse("reports:report_pdf", args=[report.code])
        next_steps = {
            "plan": reverse("plans:plan"),
            # ?actie=<id>&van=rapport: the plan asks to confirm, then adds (a GET adds nothing).
            "plan_add": reverse("plans:add"),
            "rate": reverse("reports:rate_actions", args=[report.code]),
            "progress": reverse("plans:progress", args=[report.code]),
        }
    return {
        "report": report,
        "organisation_name": organisation.name,
        "pdf_url": pdf_url,
        "next_steps": next_steps,
        # The parts about several respondents, shown once a round has more than one.
        "several_respondents": report.response_count > 1,
        "paper_count": paper_count(report),
        # Per role only in a closed round's final state; before that the report says when it
        # changes next (services.refresh_report).
        "final": report.final,
        "left_out": report.left_out,
        # The thresholds the report was made with, not those in force now.
        "threshold": report.anonymity_threshold,
        "roles": role_comparison(report, catalogue, report.anonymity_threshold),
        "open_answers": open_answers(report, report.free_text_threshold),
        "profile": profile_view(report.profile, report.dominance_threshold),
        "chart": chart(scores, catalogue),
        "top3": top3,
        "also_strong": also_strong,
        "needs": needs,
        "challenges": challenges,
        "action_count": sum(len(challenge.actions) for challenge in catalogue.challenges),
        "catalogue": catalogue,
        # Where the organisation stands among similar ones, as recorded when it was published.
        "benchmark": comparison_view(stored_comparison(report.assessment)),
    }
