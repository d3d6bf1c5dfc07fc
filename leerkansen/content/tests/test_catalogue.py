from pathlib import Path

import pytest
import yaml

from leerkansen.catalogue.selection import select_actions
from leerkansen.content.catalogue import (
    DATA_FILE,
    CatalogueError,
    get_catalogue,
    load_catalogue,
    normalise,
)


def write_variant(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_committed_catalogue_loads():
    catalogue = load_catalogue()
    assert len(catalogue.challenges) == 9
    assert len(list(catalogue.actions())) == 48


def test_missing_field_error_names_file_and_field(tmp_path):
    def drop_title(data):
        del data["challenges"][1]["actions"][2]["title"]

    path = write_variant(tmp_path, drop_title)
    with pytest.raises(CatalogueError) as error:
        load_catalogue(path)
    message = str(error.value)
    assert str(path) in message
    assert "challenges[1].actions[2].title" in message


def test_empty_tips_are_refused(tmp_path):
    def no_tips(data):
        data["challenges"][0]["actions"][0]["tips"] = []

    with pytest.raises(CatalogueError, match=r"challenges\[0\]\.actions\[0\]\.tips"):
        load_catalogue(write_variant(tmp_path, no_tips))


def test_duplicate_action_id_is_refused(tmp_path):
    def duplicate(data):
        data["challenges"][0]["actions"][1]["id"] = "1.1"

    with pytest.raises(CatalogueError, match=r"1\.1 occurs twice"):
        load_catalogue(write_variant(tmp_path, duplicate))


def test_one_sided_related_link_is_refused(tmp_path):
    def one_sided(data):
        data["challenges"][0]["actions"][4]["related"] = ["9.5"]

    with pytest.raises(CatalogueError, match="not back"):
        load_catalogue(write_variant(tmp_path, one_sided))


def test_unreadable_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("challenges: [", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"broken\.yaml"):
        load_catalogue(path)


def test_normalise_drops_case_accents_and_punctuation():
    assert normalise("Creëer één ‘Kennisrondje’!") == "creeer een kennisrondje"


def test_select_actions_combines_search_and_filters():
    catalogue = get_catalogue()
    everything = select_actions(catalogue)
    assert sum(len(s.actions) for s in everything) == 48
    coaching = select_actions(catalogue, query="coach", challenge_number=9)
    assert [s.challenge.number for s in coaching] == [9]
    assert all(catalogue.matches(a, ["coach"]) for a in coaching[0].actions)
    assert select_actions(catalogue, query="zzzzqqq") == []
