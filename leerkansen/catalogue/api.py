"""GET /api/v1/catalogue: the whole action menu as JSON.

It changes only with the catalogue: encoded once per catalogue (lib/pagecache.py) and served
as stored bytes with an ETag and Last-Modified, so a conditional GET gets a 304.
"""

import json

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import NinjaJSONEncoder

from leerkansen.content.catalogue import Action, Catalogue, Tip, get_catalogue
from leerkansen.lib.pagecache import StoredPage, once, serve, stored_page

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


def _encoded(catalogue: Catalogue) -> StoredPage:
    # What ninja would send for the dict: validated by the schema, then its JSON encoder.
    data = CatalogueOut.model_validate(catalogue_as_dict(catalogue)).model_dump()
    content = json.dumps(data, cls=NinjaJSONEncoder)
    return stored_page(content, catalogue.version, "application/json; charset=utf-8")


@router.get("/catalogue", response=CatalogueOut, summary="The full catalogue of actions")
def catalogue(request: HttpRequest) -> HttpResponse:
    current = get_catalogue()
    # The same for everyone and in every language: no Vary of our own.
    return serve(request, once(current, ("api",), lambda: _encoded(current)), vary=())
