"""The "Waarom voor jullie" reason for a top-3 action, in sentences, from the stored parts.

The scoring stores what explains an action as plain data (scoring.top3.MixtureComponents,
kept in the snapshot as a dict): the group's rank of the need and how many respondents named
it, how many agreed with the problem of each facet item, the context answers that make the
action fit or hinder it, and whether it is partly in place. The functions here word those
parts; they are pure (no database, no settings), so each can be tested with parts made by hand.

Two rules hold for every sentence:
- one voice: a report of several respondents speaks of "jullie" with counts ("11 van 15
  collega's"); a report of one respondent may say "je";
- no invented number: while the model is a prior (stated by hand), no probability or evidence
  value appears, only counts and scores from the organisation's own answers. Old snapshots
  (made before these parts were stored) are explained from the parts they have, never with
  their stored "(0,85)".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from leerkansen.content.questionnaire import Questionnaire
from leerkansen.scoring.scales import score_value
from leerkansen.scoring.top3 import evidence_level

# At most this many facet items are quoted per action: the ones most respondents agreed with.
MAX_FACETS = 2

# The parts only the new scoring stores: with any of them, the snapshot is explained in full.
NEW_KEYS = ("facets", "context", "need_chosen_by")

# An evidence value in an old stored reason, "(0,85)" or "(0.85)", with the space before it.
EVIDENCE_NUMBER = re.compile(r"\s*\(\d+[.,]\d+\)")


@dataclass(frozen=True)
class Facet:
    """One facet item as the explanation needs it: its text, direction and the counts."""

    text: str
    reverse: bool
    agree: int
    answered: int


def quoted(text: str) -> str:
    """An item's text as a quotation, without its closing full stop: ‘Het werk is druk’."""
    return f"\u2018{text.strip().rstrip('.')}\u2019"


def capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def need_sentence(
    challenge_title: str,
    rank: int | None,
    chosen_by: int | None,
    respondents: int,
) -> str | None:
    """The group's rank of the action's challenge among its needs, with how many named it.

    Several respondents: "‘X’ is jullie tweede grootste nood, gekozen door 6 van 15 collega's."
    One respondent: "Je koos ‘X’ als je tweede grootste nood." None when nobody named it.
    """
    values = {
        "challenge": quoted(challenge_title),
        "chosen": chosen_by,
        "respondents": respondents,
    }
    if respondents <= 1:
        if rank is None:
            return None
        return {
            1: gettext("You chose %(challenge)s as your largest need."),
            2: gettext("You chose %(challenge)s as your second largest need."),
            3: gettext("You chose %(challenge)s as your third largest need."),
        }[rank] % values
    if rank is None:
        if not chosen_by:
            return None
        return (
            gettext(
                "%(chosen)s of %(respondents)s colleagues named %(challenge)s among their largest "
                "needs."
            )
            % values
        )
    if chosen_by:
        return {
            1: gettext(
                "%(challenge)s is your largest need, chosen by %(chosen)s of %(respondents)s "
                "colleagues."
            ),
            2: gettext(
                "%(challenge)s is your second largest need, chosen by %(chosen)s of "
                "%(respondents)s colleagues."
            ),
            3: gettext(
                "%(challenge)s is your third largest need, chosen by %(chosen)s of "
                "%(respondents)s colleagues."
            ),
        }[rank] % values
    # An old snapshot knows the rank but not how many chose it.
    return {
        1: gettext("%(challenge)s is your largest need."),
        2: gettext("%(challenge)s is your second largest need."),
        3: gettext("%(challenge)s is your third largest need."),
    }[rank] % values


def severity_sentence(
    challenge_title: str, severity: float | None, *, named_before: bool
) -> str | None:
    """The challenge's score from their answers: "Deze uitdaging scoort bij jullie 72 op 100."

    `named_before`: an earlier sentence named the challenge already. None without a score.
    """
    value = score_value(severity)
    if value is None:
        return None
    if named_before:
        return gettext("This challenge scores %(score)s out of 100 for you.") % {"score": value}
    return gettext("%(challenge)s scores %(score)s out of 100 for you.") % {
        "challenge": quoted(challenge_title),
        "score": value,
    }


def strongest_facets(facets: Sequence[Facet], limit: int = MAX_FACETS) -> list[Facet]:
    """The facet items most respondents agreed with (more than half of those who answered),
    the largest share first, at most `limit`; ties keep their order."""
    agreed = [facet for facet in facets if facet.answered and facet.agree * 2 > facet.answered]
    return sorted(agreed, key=lambda facet: -facet.agree / facet.answered)[:limit]


def facet_sentence(facet: Facet, respondents: int) -> str:
    """How many agreed with the problem an item names, quoting the item.

    "11 van 15 collega's zijn het eens met ‘…’." A reverse item names the absence of the
    problem, so agreeing with the problem is disagreeing with the item: "… zijn het oneens
    met ‘…’." One respondent: "Je bent het eens met ‘…’."
    """
    values = {
        "agree": facet.agree,
        "answered": facet.answered,
        "item": quoted(facet.text),
    }
    if respondents <= 1:
        if facet.reverse:
            return gettext("You disagree with %(item)s.") % values
        return gettext("You agree with %(item)s.") % values
    if facet.answered < respondents:
        if facet.reverse:
            return (
                gettext(
                    "%(agree)s of the %(answered)s colleagues who answered disagree with %(item)s."
                )
                % values
            )
        return (
            gettext("%(agree)s of the %(answered)s colleagues who answered agree with %(item)s.")
            % values
        )
    if facet.reverse:
        return gettext("%(agree)s of %(answered)s colleagues disagree with %(item)s.") % values
    return gettext("%(agree)s of %(answered)s colleagues agree with %(item)s.") % values


def context_clause(item_id: str, value: str, label: str | None) -> str | None:
    """A context answer as a clause about the organisation: "jullie werken op 4 tot 10
    locaties". `label`: the answer's words in the questionnaire. None for an item it cannot
    word."""
    words = (label or "").strip()
    share = words[:1].lower() + words[1:]
    if item_id == "A_sites":
        if value == "1":
            return gettext("you work at one site")
        return gettext("you work at %(sites)s sites") % {"sites": share}
    if item_id == "A_away_from_manager" and words:
        return gettext(
            "%(share)s of the staff usually work at another place than their manager"
        ) % {"share": share}
    if item_id == "A_telework" and words:
        return gettext(
            "%(share)s of the staff work from home or at a distance at least half of the time"
        ) % {"share": share}
    if item_id == "A_alone" and words:
        return gettext("%(share)s of the staff usually work alone") % {"share": share}
    if item_id == "A_hr_capacity":
        if value == "none":
            return gettext("HR, training and development have no time of their own")
        if value == "lt1":
            return gettext("HR, training and development get less than one full-time job")
        if words:
            return gettext("HR, training and development get %(jobs)s") % {"jobs": share}
    return None


def join_clauses(clauses: Sequence[str]) -> str:
    """Clauses joined with commas and a final "en": "a, b en c"."""
    if len(clauses) <= 1:
        return "".join(clauses)
    return gettext("%(first)s and %(last)s") % {
        "first": ", ".join(clauses[:-1]),
        "last": clauses[-1],
    }


def context_sentences(fits: Sequence[str], hinders: Sequence[str]) -> list[str]:
    """What in their situation makes the action fit, and what makes it harder."""
    sentences = []
    if fits:
        sentences.append(
            gettext("It suits your situation: %(clauses)s.") % {"clauses": join_clauses(fits)}
        )
    if hinders:
        sentences.append(gettext("Keep in mind: %(clauses)s.") % {"clauses": join_clauses(hinders)})
    return sentences


def practice_sentence(practice: str | None) -> str | None:
    """A practice "deels" in place: the action builds on what exists."""
    if practice == "deels":
        return gettext("It partly exists already: you can build on what is there.")
    return None


def evidence_sentence(evidence: float | None, *, prior: bool) -> str | None:
    """How well the action fits organisations like this one, in words and only for an
    estimated model: a prior's evidence is a starting assumption, not a finding."""
    if prior or evidence is None:
        return None
    return gettext("In organisations like yours this action fits %(level)s.") % {
        "level": evidence_level(evidence)
    }


def fallback_sentence(profile_name: str, *, prior: bool) -> str:
    """The reason when none of their answers sets the action apart."""
    values = {"profile": quoted(profile_name)}
    if prior:
        return (
            gettext(
                "In the starting model this action belongs to the profile %(profile)s, which your "
                "organisation resembles most."
            )
            % values
        )
    return gettext("This action suits the profile %(profile)s.") % values


def has_new_parts(components: Mapping[str, Any]) -> bool:
    return any(key in components for key in NEW_KEYS)


def _facets(components: Mapping[str, Any], questionnaire: Questionnaire) -> list[Facet]:
    facets = []
    for entry in components.get("facets") or ():
        item = questionnaire.item(str(entry.get("item_id")))
        if item is None:
            continue
        facets.append(
            Facet(
                item.text, item.reverse, int(entry.get("agree", 0)), int(entry.get("answered", 0))
            )
        )
    return facets


def _context(
    components: Mapping[str, Any], questionnaire: Questionnaire
) -> tuple[list[str], list[str]]:
    fits: list[str] = []
    hinders: list[str] = []
    for entry in components.get("context") or ():
        item_id, value = str(entry.get("item_id")), str(entry.get("value"))
        item = questionnaire.item(item_id)
        label = None
        if item is not None:
            label = next((o.label for o in item.options if str(o.value) == value), None)
        clause = context_clause(item_id, value, label)
        if clause is None or clause in fits + hinders:
            continue
        (fits if entry.get("effect") == "fits" else hinders).append(clause)
    return fits, hinders


def explain(
    components: Mapping[str, Any],
    *,
    respondents: int,
    challenge_title: str,
    profile_name: str,
    prior: bool,
    questionnaire: Questionnaire,
    practice: str | None = None,
) -> tuple[str, ...]:
    """The sentences of "Waarom voor jullie" for one action, from its stored parts.

    Works on the parts of the new scoring (need counts, facets, context, practice) and on those
    of old snapshots (need rank, severity, evidence): what is missing is left out. `practice`:
    the action's state when the parts do not hold it. Never empty.
    """
    sentences: list[str] = []
    need = need_sentence(
        challenge_title,
        components.get("need_rank"),
        components.get("need_chosen_by"),
        respondents,
    )
    if need:
        sentences.append(need)
    severity = severity_sentence(
        challenge_title, components.get("severity"), named_before=need is not None
    )
    if severity:
        sentences.append(severity)
    sentences.extend(
        facet_sentence(facet, respondents)
        for facet in strongest_facets(_facets(components, questionnaire))
    )
    sentences.extend(context_sentences(*_context(components, questionnaire)))
    partly = practice_sentence(components.get("practice", practice))
    if partly:
        sentences.append(partly)
    evidence = components.get("evidence_mixture", components.get("evidence"))
    fit = evidence_sentence(evidence, prior=prior)
    if fit:
        sentences.append(fit)
    if not sentences:
        sentences.append(fallback_sentence(profile_name, prior=prior))
    return tuple(capitalised(sentence) for sentence in sentences)


def key_sentence(
    components: Mapping[str, Any],
    *,
    respondents: int,
    challenge_title: str,
    profile_name: str,
    prior: bool,
    questionnaire: Questionnaire,
) -> str:
    """The one sentence that sets an action apart, for a short list ("Ook sterk"): the facet
    item most respondents agreed with, else what in their situation fits, else the need, else
    the profile."""
    facets = strongest_facets(_facets(components, questionnaire), limit=1)
    if facets:
        return capitalised(facet_sentence(facets[0], respondents))
    fits, _hinders = _context(components, questionnaire)
    if fits:
        return capitalised(context_sentences(fits, [])[0])
    need = need_sentence(
        challenge_title,
        components.get("need_rank"),
        components.get("need_chosen_by"),
        respondents,
    )
    return capitalised(need or fallback_sentence(profile_name, prior=prior))


def without_evidence_number(reason: str) -> str:
    """An old stored reason without its evidence value: "… past deze actie sterk (0,85)." →
    "… past deze actie sterk."."""
    return EVIDENCE_NUMBER.sub("", reason)
