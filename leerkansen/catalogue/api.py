"""GET /api/v1/catalogue: the whole action menu as JSON."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from leerkansen.content.catalogue import Action, Catalogue, Tip, get_catalogue

router = Router(tags=["catalogue"])


class TipOut(Schema):
    title: str
    text: str = Field(
        description=(
            "The tip's paragraphs. Where the source continues after the sub-items, that "
            "paragraph follows after a blank line."
        )
    )
    items: list[str]


class ActionOut(Schema):
    id: str = Field(examples=["1.1"])
    title: str
    highlight: str | None = Field(description="The source's HIGHLIGHT line, or null.")
    overlap: bool = Field(description="The source marks this action (OVERLAP).")
    related: list[str] = Field(description="Ids of the same practice under other challenges.")
    introduction: str
    tips: list[TipOut]


class ChallengeOut(Schema):
    number: int
    title: str
    actions: list[ActionOut]


class CatalogueOut(Schema):
    version: str
    challenges: list[ChallengeOut]


def _tip(tip: Tip) -> dict:
    text = "\n\n".join(part for part in (tip.text, tip.text_after) if part)
    return {"title": tip.title, "text": text, "items": list(tip.items)}


def _action(action: Action) -> dict:
    return {
        "id": action.id,
        "title": action.title,
        "highlight": action.highlight,
        "overlap": action.overlap,
        "related": list(action.related),
        "introduction": action.introduction,
        "tips": [_tip(tip) for tip in action.tips],
    }


def catalogue_as_dict(catalogue: Catalogue) -> dict:
    return {
        "version": catalogue.version,
        "challenges": [
            {
                "number": challenge.number,
                "title": challenge.title,
                "actions": [_action(action) for action in challenge.actions],
            }
            for challenge in catalogue.challenges
        ],
    }


@router.get("/catalogue", response=CatalogueOut, summary="The full catalogue of actions")
def catalogue(request: HttpRequest) -> dict:
    return catalogue_as_dict(get_catalogue())
