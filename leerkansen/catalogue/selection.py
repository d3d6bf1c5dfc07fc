"""Which actions the action menu shows for a search and filters."""

from dataclasses import dataclass

from leerkansen.content.catalogue import Action, Catalogue, Challenge, search_words


@dataclass(frozen=True)
class ChallengeSelection:
    challenge: Challenge
    actions: list[Action]


def select_actions(
    catalogue: Catalogue,
    query: str = "",
    challenge_number: int | None = None,
    only_highlight: bool = False,
) -> list[ChallengeSelection]:
    """The challenges with at least one matching action, in catalogue order."""
    words = search_words(query)
    selections = []
    for challenge in catalogue.challenges:
        if challenge_number is not None and challenge.number != challenge_number:
            continue
        actions = [
            action
            for action in challenge.actions
            if (not only_highlight or action.highlight)
            and (not words or catalogue.matches(action, words))
        ]
        if actions:
            selections.append(ChallengeSelection(challenge, actions))
    return selections
