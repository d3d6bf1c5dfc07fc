"""Filled-in paper questionnaires for the tests: the keys HR would type, per role."""

from __future__ import annotations

from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.paper.keys import choices


def typed_answers(role: str, agreement: str = "4", seed: int = 0) -> dict[str, str]:
    """The keys of a questionnaire of `role` with every box ticked: each statement `agreement`
    (or, with `seed`, a number that varies per item), each other question its first box, the
    three needs the challenges 1, 2 and 3, and an open answer."""
    keys: dict[str, str] = {}
    need = 0
    for index, item in enumerate(questionnaire_for(role).items()):
        if item.scale == "text":
            keys[item.id] = "Meer tijd om van elkaar te leren."
        elif item.scale == "challenges":
            need += 1
            keys[item.id] = str(need)
        elif item.scale == "agreement":
            keys[item.id] = str((index + seed) % 5 + 1) if seed else agreement
        else:
            keys[item.id] = choices(item)[0].number
    return keys
