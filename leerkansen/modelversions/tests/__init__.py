"""Helpers for the tests of model versions, here and in research: valid drafts."""

from leerkansen.modelversions.models import ModelVersion
from leerkansen.modelversions.services import create_draft
from leerkansen.scoring.model import get_shipped_model


def shipped_content() -> dict:
    return get_shipped_model().model_dump(mode="json")


def make_draft(change=None, **kwargs) -> ModelVersion:
    """A valid draft: the shipped model, changed by `change(content)` when given."""
    content = shipped_content()
    if change:
        change(content)
    kwargs.setdefault("based_on", "1.0.0")
    kwargs.setdefault("source", "test")
    return create_draft(content, **kwargs)
