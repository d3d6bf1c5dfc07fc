"""Coverage of the top 3: which actions random but plausible organisations get recommended.

Pure and seeded: `measure_coverage(n, seed, ...)` draws `n` organisations from the profile
model with a numpy Generator and runs each through `round_outcome.compute_outcome`, exactly as
a report does. Per organisation:

1. a profile k with the model's weights, z-scores from its prototype (N(m_kc, v_kc)), scores
   mean_c + sd_c·z_c on 0-100 (clipped);
2. 1 to 15 respondents with their roles (`roles_of`): always one hr respondent, a directie
   respondent in half of the rounds of two or more, then of the others about one in five a
   leidinggevende (at least one from three others on) and the rest medewerkers. Each answers
   only the version of their role (`Questionnaire.for_role`): its section B items, section A
   and C only where the version has them (hr, directie), section D needs where it has them
   (not medewerkers). Every item has an organisation-level deviation (sd ITEM_SD answer
   points: the facets of one challenge differ), every respondent a shift per challenge
   (RESPONDENT_SD) and noise per answer (ANSWER_SD); answers are rounded to 1-5, mirrored on
   reverse items, DONT_KNOW of them "weet niet";
3. section A: the number of sites, the shares away from the manager and teleworking follow
   the score of challenge 4 (many sites), the share working alone that of challenge 8 (option
   index ~ N(CONTEXT_CENTRE + CONTEXT_TILT·z, 1), rounded: mostly one or a few sites and few
   people at a distance), the HR capacity is drawn at random; each respondent asked gives the
   organisation's answer, a neighbouring one or "weet niet";
4. needs: each respondent asked ranks the three challenges that weigh most in their own eyes
   (the score plus NEED_NOISE_SD points), with an urgency that follows that score (20% none);
5. section C for every other organisation (half with, half without): a state per action
   (PRACTICE_SHARES), which each respondent asked gives with probability 0.7 (else any state);
   a row that stands for several actions (C_1_1: 1.1 and 2.2) takes its first action's state.

It reports how many of the actions reach a top 3 with and without section C, the share of top
3s that hold the most frequent action, and how often one extra respondent (a medewerker, or a
leidinggevende one time in four, drawn the same way) changes which actions are in the top 3.
`tools/top3_coverage.py` prints it for 5,000.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from leerkansen.content.action_attributes import ActionAttributesFile
from leerkansen.content.catalogue import Catalogue
from leerkansen.content.questionnaire import ROLES, Questionnaire

from .model import ProfileModel
from .round_outcome import compute_outcome

MAX_RESPONDENTS = 15
# The mix of roles in a round (roles_of): one hr respondent always, a directie respondent in
# this share of the rounds of two or more, leidinggevenden this share of the others.
DIRECTIE_SHARE = 0.5
MANAGER_SHARE = 0.2
# The extra respondent of the flip measure is a leidinggevende this often, else a medewerker.
EXTRA_MANAGER_SHARE = 0.25
# Rounds this large (or larger) show how stable the advice is once a team has answered.
LARGE_ROUND = 10
ITEM_SD = 0.6
RESPONDENT_SD = 0.4
ANSWER_SD = 0.7
DONT_KNOW = 0.03
NEED_NOISE_SD = 12.0
PRACTICE_STATES = ("al", "deels", "nog_niet", "nvt")
PRACTICE_SHARES = (0.12, 0.2, 0.58, 0.1)
PRACTICE_AGREEMENT = 0.7
CONTEXT_CENTRE = 0.6
CONTEXT_TILT = 0.8
# Answers of context items: (item, challenge whose z-score tilts the answer, options in order).
SHARES = ("0_10", "10_25", "25_50", "50_75", "75plus")
CONTEXT_DRAWS = (
    ("A_sites", 4, ("1", "2_3", "4_10", "11plus")),
    ("A_away_from_manager", 4, SHARES),
    ("A_telework", 4, SHARES),
    ("A_alone", 8, SHARES),
    ("A_hr_capacity", None, ("none", "lt1", "1_2", "2_5", "5plus")),
)


@dataclass(frozen=True)
class Coverage:
    organisations: int
    actions: int
    reached_without_c: int
    reached_with_c: int
    most_frequent_action: str
    most_frequent_share: float
    flip_rate: float
    # The same, for rounds of LARGE_ROUND respondents or more only.
    flip_rate_large: float
    counts: dict[str, int]

    def lines(self) -> list[str]:
        return [
            f"organisations: {self.organisations} (half with section C)",
            f"actions reaching a top 3 without section C: {self.reached_without_c} of "
            f"{self.actions}",
            f"actions reaching a top 3 with section C: {self.reached_with_c} of {self.actions}",
            f"most frequent action: {self.most_frequent_action}, in "
            f"{self.most_frequent_share:.1%} of top 3s",
            f"one extra respondent changes the top 3: {self.flip_rate:.1%} (in rounds of "
            f"{LARGE_ROUND} or more: {self.flip_rate_large:.1%})",
        ]


def roles_of(size: int, rng: np.random.Generator) -> list[str]:
    """The roles of a round of `size` respondents (see the module: 1 hr, maybe 1 directie)."""
    roles = ["hr"]
    if size >= 2 and rng.random() < DIRECTIE_SHARE:
        roles.append("directie")
    others = size - len(roles)
    managers = int(rng.binomial(others, MANAGER_SHARE))
    if others >= 3:
        managers = max(managers, 1)
    return roles + ["leidinggevende"] * managers + ["medewerker"] * (others - managers)


class _Organisation:
    """One organisation drawn from the model: its scores, item deviations and context."""

    def __init__(self, rng: np.random.Generator, model: ProfileModel, questionnaire: Questionnaire):
        weights = np.array([profile.weight for profile in model.profiles])
        profile = model.profiles[rng.choice(len(weights), p=weights / weights.sum())]
        self.z = {
            c: rng.normal(profile.means[c], np.sqrt(profile.variances[c])) for c in model.challenges
        }
        mean, sd = model.standardisation.mean, model.standardisation.sd
        self.scores = {c: float(np.clip(mean[c] + sd[c] * z, 0, 100)) for c, z in self.z.items()}
        self.versions = {role: questionnaire.for_role(role) for role in ROLES}
        self.deviation = {
            item.id: rng.normal(0, ITEM_SD)
            for version in self.versions.values()
            for item in version.items("B")
        }
        self.context = {}
        for item_id, challenge, options in CONTEXT_DRAWS:
            if challenge:
                # Most organisations have one or a few sites and few people at a distance;
                # a high score on the challenge makes a larger answer likelier.
                base = rng.normal(CONTEXT_CENTRE + CONTEXT_TILT * self.z[challenge], 1.0)
            else:
                base = rng.normal(len(options) / 2 - 0.5, 1.2)
            self.context[item_id] = (options, int(np.clip(round(base), 0, len(options) - 1)))
        self.practices: dict[str, str] | None = None

    def respondent(self, rng: np.random.Generator, role: str = "hr") -> dict[str, object]:
        """The answers of one respondent of `role` (hr by default: its version has every part)."""
        version = self.versions[role]
        answers: dict[str, object] = {}
        shift = {c: rng.normal(0, RESPONDENT_SD) for c in self.scores}
        for item in version.items("B"):
            if rng.random() < DONT_KNOW:
                answers[item.id] = None
                continue
            raw = (
                1
                + 4 * self.scores[item.challenge] / 100
                + self.deviation[item.id]
                + shift[item.challenge]
                + rng.normal(0, ANSWER_SD)
            )
            value = int(np.clip(round(raw), 1, 5))
            answers[item.id] = 6 - value if item.reverse else value
        asked = {item.id for item in version.items("A")}
        for item_id, (options, index) in self.context.items():
            if item_id not in asked:
                continue
            draw = rng.random()
            if draw < 0.1:
                answers[item_id] = None
            elif draw < 0.2:
                step = 1 if rng.random() < 0.5 else -1
                answers[item_id] = options[int(np.clip(index + step, 0, len(options) - 1))]
            else:
                answers[item_id] = options[index]
        perceived = {c: s + rng.normal(0, NEED_NOISE_SD) for c, s in self.scores.items()}
        ranked = sorted(perceived, key=lambda c: (-perceived[c], c))
        for (need_id, urgency_id), challenge in zip(version.need_items(), ranked, strict=False):
            answers[need_id] = challenge
            if urgency_id and rng.random() >= 0.2:
                urgency = 1 + 4 * perceived[challenge] / 100 + rng.normal(0, 0.8)
                answers[urgency_id] = int(np.clip(round(urgency), 1, 5))
        if self.practices is not None:
            for item in version.items("C"):
                actions = item.actions or ((item.action,) if item.action else ())
                if not actions:
                    continue
                state = self.practices[actions[0]]
                if rng.random() >= PRACTICE_AGREEMENT:
                    state = PRACTICE_STATES[rng.integers(len(PRACTICE_STATES))]
                answers[item.id] = state
        return answers


def _top3(responses: Sequence[dict], **context) -> tuple[str, ...]:
    outcome = compute_outcome(responses, **context)
    return tuple(entry["action"] for entry in outcome["top3"])


def measure_coverage(
    n: int,
    seed: int,
    *,
    questionnaire: Questionnaire,
    catalogue: Catalogue,
    model: ProfileModel,
    attributes: ActionAttributesFile,
) -> Coverage:
    """Draw `n` organisations (seeded) and measure the top 3's coverage (see the module)."""
    rng = np.random.default_rng(seed)
    context = {
        "questionnaire": questionnaire,
        "catalogue": catalogue,
        "model": model,
        "attributes": attributes,
    }
    action_ids = [action.id for action in catalogue.actions()]
    counts: Counter[str] = Counter()
    reached = {False: set(), True: set()}
    flips = large = large_flips = 0
    for index in range(n):
        organisation = _Organisation(rng, model, questionnaire)
        with_c = index % 2 == 1
        if with_c:
            states = rng.choice(len(PRACTICE_STATES), size=len(action_ids), p=PRACTICE_SHARES)
            organisation.practices = {
                action_id: PRACTICE_STATES[state]
                for action_id, state in zip(action_ids, states, strict=True)
            }
        size = int(rng.integers(1, MAX_RESPONDENTS + 1))
        responses = [organisation.respondent(rng, role) for role in roles_of(size, rng)]
        top = _top3(responses, **context)
        counts.update(top)
        reached[with_c].update(top)
        role = "leidinggevende" if rng.random() < EXTRA_MANAGER_SHARE else "medewerker"
        extra = _top3([*responses, organisation.respondent(rng, role)], **context)
        flips += set(extra) != set(top)
        if size >= LARGE_ROUND:
            large += 1
            large_flips += set(extra) != set(top)
    action, most = max(counts.items(), key=lambda item: (item[1], item[0]))
    return Coverage(
        organisations=n,
        actions=len(action_ids),
        reached_without_c=len(reached[False]),
        reached_with_c=len(reached[True]),
        most_frequent_action=action,
        most_frequent_share=most / n,
        flip_rate=flips / n,
        flip_rate_large=large_flips / large if large else 0.0,
        counts=dict(sorted(counts.items())),
    )
