"""Checks of the action attributes file: a faithful, validated reading of each action's text."""

import copy
import itertools
import re
from collections import defaultdict

import pytest
import yaml

from leerkansen.content.action_attributes import (
    DATA_FILE,
    ActionAttributesError,
    action_text,
    get_action_attributes,
    load_action_attributes,
    normalise_space,
)
from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import ROLES, get_questionnaire, questionnaire_for


@pytest.fixture(scope="module")
def attributes():
    return get_action_attributes()


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def by_challenge(attributes):
    grouped = defaultdict(list)
    for entry in attributes.actions:
        grouped[entry.challenge_number].append(entry)
    return grouped


def write_copy(tmp_path, raw, change):
    data = copy.deepcopy(raw)
    change(data)
    path = tmp_path / "action_attributes.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def entry(data, action_id):
    return next(action for action in data["actions"] if action["id"] == action_id)


def asked_now(challenge):
    """The diagnostic items of a challenge that some role answers in the current version."""
    return {
        item.id for role in ROLES for item in questionnaire_for(role).diagnostic_items(challenge)
    }


def refused(path):
    with pytest.raises(ActionAttributesError) as error:
        load_action_attributes(path)
    return str(error.value)


# The shipped file


def test_shipped_file_loads_with_its_versions(attributes, raw):
    assert list(raw) == ["version", "catalogue_version", "actions"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", attributes.version)
    assert attributes.catalogue_version == get_catalogue().version


def test_file_describes_exactly_the_catalogue_actions_in_order(attributes):
    assert [entry.id for entry in attributes.actions] == [
        action.id for action in get_catalogue().actions()
    ]
    assert len(attributes.actions) == 48
    assert attributes.action("4.3").id == "4.3"
    assert attributes.action("10.1") is None


def test_every_quotation_occurs_in_its_own_action_text(attributes):
    catalogue = get_catalogue()
    quotations = 0
    for entry in attributes.actions:
        passages = action_text(catalogue.action(entry.id))
        for loc, cited in entry.citations():
            quote = normalise_space(cited.because)
            assert any(quote in passage for passage in passages), (entry.id, loc, quote)
            quotations += 1
    # Every value is cited: 48 actions × (facets + needs + reaches + effort + first result).
    assert quotations == sum(
        len(entry.facets) + len(entry.needs) + len(entry.reaches) + 2
        for entry in attributes.actions
    )


def test_facets_are_items_of_the_actions_own_challenge(attributes):
    questionnaire = get_questionnaire()
    for entry in attributes.actions:
        own = {item.id for item in questionnaire.diagnostic_items(entry.challenge_number)}
        assert entry.facet_items <= own, entry.id


def test_every_item_asked_now_is_a_facet_of_an_action_of_its_challenge(by_challenge):
    """Every diagnostic item some role answers in the current version has an action."""
    for challenge, entries in by_challenge.items():
        answered = set().union(*(entry.facet_items for entry in entries))
        asked = asked_now(challenge)
        assert asked, challenge
        assert asked - answered == set(), challenge
        for entry in entries:
            assert entry.facet_items & asked, entry.id


def test_items_of_the_earlier_version_keep_their_facets(by_challenge):
    """Answers given to questionnaire 1.1.0 still count: its items stay facets too."""
    (earlier,) = get_questionnaire().earlier_versions
    for challenge, entries in by_challenge.items():
        answered = set().union(*(entry.facet_items for entry in entries))
        items = {item for item in earlier.diagnostic_items if item.startswith(f"B{challenge}_")}
        assert items, challenge
        assert items - answered == set(), challenge


# Retired 1.1.0 items and the 2.0.0 item that asks the same thing (commit ab12174).
SUCCESSORS = {
    "B1_2": "B1_8",
    "B1_4": "B1_7",
    "B2_3": "B2_6",
    "B2_4": "B2_9",
    "B3_1": "B3_6",
    "B4_3": "B4_6",
    "B4_5": "B4_7",
    "B5_2": "B5_6",
    "B5_3": "B5_7",
    "B5_4": "B5_11",
    "B6_1": "B6_6",
    "B6_4": "B6_10",
    "B7_1": "B7_6",
    "B7_3": "B7_8",
    "B7_4": "B7_6",
    "B7_5": "B7_9",
    "B8_2": "B8_6",
    "B8_3": "B8_8",
    "B8_5": "B8_7",
    "B9_4": "B9_10",
    "B9_5": "B9_8",
}


def test_a_successor_is_a_facet_wherever_its_retired_item_was(attributes):
    questionnaire = get_questionnaire()
    for retired, successor in SUCCESSORS.items():
        assert questionnaire.item(retired).roles == (), retired
        assert questionnaire.item(successor).roles, successor
    for entry in attributes.actions:
        for facet in entry.facets:
            if facet.item in SUCCESSORS:
                assert SUCCESSORS[facet.item] in entry.facet_items, (entry.id, facet.item)


def test_actions_of_one_challenge_can_be_told_apart(by_challenge):
    """No two actions of a challenge share all their attributes.

    Measured on versions 1.0.0 and 1.1.0: every challenge has as many distinct attribute
    profiles as actions, so the file gives the scoring something to choose with everywhere; on
    the items asked now alone too (a new round answers no retired item). Without the
    facets (needs, reaches, effort, first result: what the context of an organisation acts on),
    one pair is alike: 5.1 and 5.3 both bring a trainer or coach to managers on the work floor
    for a quick first result; they differ in the facets they answer.
    """
    for challenge, entries in by_challenge.items():
        profiles = [entry.profile() for entry in entries]
        assert len(set(profiles)) == len(entries), challenge
        without_facets = [profile[1:] for profile in profiles]
        alike = [
            (first.id, second.id)
            for first, second in itertools.combinations(entries, 2)
            if first.profile()[1:] == second.profile()[1:]
        ]
        assert len(set(without_facets)) >= len(entries) - 1, (challenge, alike)
        asked = asked_now(challenge)
        current = [(profile[0] & asked, *profile[1:]) for profile in profiles]
        assert len(set(current)) == len(entries), challenge


def test_every_attribute_value_is_used_and_varies(attributes):
    """Each attribute takes each of its values somewhere: none is a constant."""
    needs = {need for entry in attributes.actions for need in entry.need_values}
    reaches = {reach for entry in attributes.actions for reach in entry.reach_values}
    assert needs == {"hr_capacity", "development_conversations", "digital_tools", "manager_time"}
    assert reaches == {"on_site", "at_distance", "working_alone"}
    assert {entry.effort.value for entry in attributes.actions} == {"low", "medium", "high"}
    assert {entry.first_result.value for entry in attributes.actions} == {
        "quick_win",
        "structural",
    }
    assert any(not entry.needs for entry in attributes.actions)
    assert any(entry.reach_values == {"on_site"} for entry in attributes.actions)
    assert any("on_site" not in entry.reach_values for entry in attributes.actions)


def test_actions_with_the_same_tips_are_read_the_same_way(attributes):
    """1.1 and 2.2 share their tips word for word: their non-facet attributes must agree."""
    catalogue = get_catalogue()
    for first, second in itertools.combinations(attributes.actions, 2):
        if catalogue.action(first.id).tips == catalogue.action(second.id).tips:
            assert first.profile()[1:] == second.profile()[1:], (first.id, second.id)
    assert attributes.action("1.1").profile()[1:] == attributes.action("2.2").profile()[1:]


# A broken file is refused with the file, the field and the action in the message


def test_invented_quotation_is_refused(tmp_path, raw):
    def invent(data):
        entry(data, "1.3")["effort"]["because"] = "De FAQ kost nauwelijks tijd om op te zetten."

    path = write_copy(tmp_path, raw, invent)
    message = refused(path)
    assert str(path) in message
    assert "actions[2].effort.because: action 1.3: quotation not found" in message
    assert "De FAQ kost nauwelijks tijd" in message


def test_quotation_from_another_action_is_refused(tmp_path, raw):
    def borrow(data):
        # A real sentence of action 1.1, cited for 1.2.
        entry(data, "1.2")["reaches"][0]["because"] = "Houd het laagdrempelig en uitnodigend."

    message = refused(write_copy(tmp_path, raw, borrow))
    assert "actions[1].reaches[0].because: action 1.2: quotation not found" in message


def test_quotation_matches_across_line_breaks_and_spaces(tmp_path, raw):
    def rewrap(data):
        cited = entry(data, "1.1")["effort"]
        cited["because"] = cited["because"].replace(" ", "\n  ", 2)

    assert load_action_attributes(write_copy(tmp_path, raw, rewrap)).action("1.1")


def test_too_short_quotation_is_refused(tmp_path, raw):
    def shorten(data):
        entry(data, "1.1")["effort"]["because"] = "laagdrempelig"

    message = refused(write_copy(tmp_path, raw, shorten))
    assert "actions[0].effort.because: action 1.1: a quotation needs at least" in message


def test_facet_of_another_challenge_is_refused(tmp_path, raw):
    def misplace(data):
        entry(data, "2.1")["facets"][0]["item"] = "B1_1"

    path = write_copy(tmp_path, raw, misplace)
    message = refused(path)
    assert str(path) in message
    assert (
        "actions[5].facets[0].item: action 2.1: B1_1 is not a diagnostic item of its "
        "challenge 2 (B2_6, B2_7, B2_1, B2_2, B2_5, B2_10, B2_11, B2_8, B2_9, B2_3, B2_4)"
    ) in message


def test_unknown_facet_item_is_refused(tmp_path, raw):
    def unknown(data):
        entry(data, "9.5")["facets"][0]["item"] = "B9_99"

    message = refused(write_copy(tmp_path, raw, unknown))
    assert "actions[47].facets[0].item: action 9.5: B9_99 is not a diagnostic item" in message


def test_missing_action_is_refused(tmp_path, raw):
    def drop(data):
        data["actions"] = [action for action in data["actions"] if action["id"] != "4.3"]

    path = write_copy(tmp_path, raw, drop)
    message = refused(path)
    assert str(path) in message
    assert "actions: action 4.3 of the catalogue is missing" in message


def test_action_outside_the_catalogue_and_duplicates_are_refused(tmp_path, raw):
    def extra(data):
        data["actions"].append(copy.deepcopy(entry(data, "9.5")))
        invented = copy.deepcopy(entry(data, "9.5"))
        invented["id"] = "9.6"
        data["actions"].append(invented)

    message = refused(write_copy(tmp_path, raw, extra))
    assert "actions[48].id: action 9.5 is described twice" in message
    assert "actions[49].id: action 9.6 is not in the catalogue" in message


@pytest.mark.parametrize(
    ("field", "change", "expected"),
    [
        (
            "effort",
            lambda action: action["effort"].update(value="huge"),
            "actions[24].effort.value: action 5.1: Input should be 'low', 'medium' or 'high'",
        ),
        (
            "first_result",
            lambda action: action["first_result"].update(value="someday"),
            "actions[24].first_result.value: action 5.1: Input should be 'quick_win' or",
        ),
        (
            "needs",
            lambda action: action["needs"][0].update(value="budget"),
            "actions[24].needs[0].value: action 5.1: Input should be 'hr_capacity',",
        ),
        (
            "reaches",
            lambda action: action["reaches"][0].update(value="everywhere"),
            "actions[24].reaches[0].value: action 5.1: Input should be 'on_site',",
        ),
    ],
)
def test_unknown_value_is_refused(tmp_path, raw, field, change, expected):
    path = write_copy(tmp_path, raw, lambda data: change(entry(data, "5.1")))
    message = refused(path)
    assert str(path) in message
    assert expected in message


def test_empty_facets_or_reaches_and_repeated_values_are_refused(tmp_path, raw):
    def empty(data):
        entry(data, "6.2")["facets"] = []
        entry(data, "6.2")["reaches"] = []
        needs = entry(data, "6.5")["needs"]
        needs.append(copy.deepcopy(needs[0]))

    message = refused(write_copy(tmp_path, raw, empty))
    assert "actions[30].facets: action 6.2: Tuple should have at least 1 item" in message
    assert "actions[30].reaches: action 6.2: Tuple should have at least 1 item" in message
    assert "actions[33].needs: action 6.5: listed twice: ['digital_tools']" in message


def test_value_without_quotation_is_refused(tmp_path, raw):
    def uncited(data):
        del entry(data, "7.3")["first_result"]["because"]

    message = refused(write_copy(tmp_path, raw, uncited))
    assert "actions[36].first_result.because: action 7.3: Field required" in message


def test_other_catalogue_version_is_refused(tmp_path, raw):
    path = write_copy(tmp_path, raw, lambda data: data.update(catalogue_version="0.9.0"))
    message = refused(path)
    assert "catalogue_version: read from catalogue 0.9.0, the catalogue is 1.0.0" in message


def test_actions_out_of_catalogue_order_are_refused(tmp_path, raw):
    def swap(data):
        data["actions"][0], data["actions"][1] = data["actions"][1], data["actions"][0]

    message = refused(write_copy(tmp_path, raw, swap))
    assert "actions: actions must follow the catalogue order" in message
