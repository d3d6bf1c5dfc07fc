"""The committed catalogue data file as plain YAML, for the checks of its data and text."""

from pathlib import Path

import pytest
import yaml

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "catalogue.yaml"


@pytest.fixture(scope="module")
def data():
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def actions(data):
    return [action for challenge in data["challenges"] for action in challenge["actions"]]


@pytest.fixture(scope="module")
def by_id(actions):
    return {action["id"]: action for action in actions}


def tip(action, title):
    matches = [t for t in action["tips"] if t["title"] == title]
    assert len(matches) == 1, f"{action['id']}: tip {title!r} found {len(matches)} times"
    return matches[0]


# --- structure -----------------------------------------------------------------------------
