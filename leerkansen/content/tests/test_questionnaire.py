"""Checks of the questionnaire data file, its loader and the answer validation."""

import copy
import re

import pytest
import yaml

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import (
    DATA_FILE,
    ROLES,
    QuestionnaireError,
    get_questionnaire,
    load_questionnaire,
    scale_items,
    validate_answers,
)

# Common English words that are not also Dutch words ("of", "is", "in", "want" are Dutch).
ENGLISH_WORDS = {
    "the", "and", "our", "your", "you", "with", "that", "this", "are", "have", "from", "for",
    "not", "they", "who", "what", "when", "time", "learn", "learning", "work", "employees",
    "staff", "manager", "managers", "organisation", "organization", "training", "yes", "no",
}  # fmt: skip
MAX_TEXT_LENGTH = 160


@pytest.fixture(scope="module")
def questionnaire():
    return get_questionnaire()


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


def write_copy(tmp_path, raw, change):
    data = copy.deepcopy(raw)
    change(data)
    path = tmp_path / "questionnaire.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def diagnostic_items(data):
    return next(s for s in data["sections"] if s["kind"] == "diagnostic")["items"]


# The data file


def test_file_declares_version_language_anonymity_and_scales(raw, questionnaire):
    assert list(raw) == [
        "version",
        "language",
        "anonymity_note",
        "scales",
        "sections",
        "earlier_versions",
    ]
    assert questionnaire.version == "2.0.0"
    assert questionnaire.language == "nl"
    assert "anoniem" in questionnaire.anonymity_note
    assert list(raw["scales"]) == ["agreement", "practice", "urgency", "dont_know_label"]


def test_sections_are_a_to_e_with_their_kinds(questionnaire):
    assert [(s.id, s.kind) for s in questionnaire.sections] == [
        ("A", "context"),
        ("B", "diagnostic"),
        ("C", "practices"),
        ("D", "needs"),
        ("E", "outcomes"),
    ]


def test_every_section_has_a_title_and_a_short_purpose_line(questionnaire):
    for section in questionnaire.sections:
        assert section.title
        assert section.purpose.endswith(".")
        assert "\n" not in section.purpose
        assert len(section.purpose) <= 100, section.id


def test_every_challenge_has_four_or_five_items_in_every_version(questionnaire):
    for role in ROLES:
        for challenge in range(1, 10):
            items = questionnaire.for_role(role).diagnostic_items(challenge)
            assert 4 <= len(items) <= 5, (role, challenge)


def test_every_challenge_has_one_or_two_reverse_keyed_items_in_every_version(questionnaire):
    for role in ROLES:
        for challenge in range(1, 10):
            items = questionnaire.for_role(role).diagnostic_items(challenge)
            assert 1 <= len([item for item in items if item.reverse]) <= 2, (role, challenge)


def test_diagnostic_ids_name_their_challenge_and_number_every_item_once(questionnaire):
    for challenge in range(1, 10):
        ids = [item.id for item in questionnaire.diagnostic_items(challenge)]
        numbers = sorted(int(item_id.split("_")[1]) for item_id in ids)
        assert all(item_id.startswith(f"B{challenge}_") for item_id in ids)
        assert numbers == list(range(1, len(ids) + 1))


def test_item_ids_are_unique(questionnaire):
    ids = [item.id for item in questionnaire.items()]
    assert len(ids) == len(set(ids))


def test_only_diagnostic_items_have_a_challenge_or_a_reverse_key(questionnaire):
    for item in questionnaire.items():
        assert (item.challenge is not None) == (item.section == "B"), item.id
        assert not item.reverse or item.section == "B", item.id


def test_agreement_items_offer_five_points_and_weet_niet(questionnaire):
    for item in questionnaire.items("B") + questionnaire.items("E"):
        if item.scale == "text":
            continue
        assert [o.value for o in item.options] == [1, 2, 3, 4, 5, None], item.id
        assert item.options[0].label == "Helemaal oneens"
        assert item.options[4].label == "Helemaal eens"
        assert item.options[5].label == "Weet niet"


def test_outcome_section_has_three_to_five_statements_and_an_optional_open_question(
    questionnaire,
):
    for role in ROLES:
        version = questionnaire.for_role(role)
        items = [item for item in version.items("E") if item.scale == "agreement"]
        assert 3 <= len(items) <= 5, role
        open_questions = [item for item in version.items("E") if item.scale == "text"]
        assert [(item.id, item.optional, item.options) for item in open_questions] == [
            ("E_open", True, ())
        ]
    assert [i.id for i in questionnaire.for_role("medewerker").items("E")][:2] == ["E_5", "E_2"]


def test_every_context_item_has_options(questionnaire):
    items = questionnaire.items("A")
    assert len(items) == 9
    for item in items:
        assert item.scale is None
        assert len([o for o in item.options if o.value is not None]) >= 2, item.id
    sizes = [o.label for o in questionnaire.item("A_size").options]
    assert sizes[:5] == ["Minder dan 10", "10 tot 19", "20 tot 49", "50 tot 249", "250 of meer"]
    assert not questionnaire.item("A_role").allows_dont_know


def test_practice_rows_are_the_catalogue_actions(questionnaire, raw):
    catalogue = get_catalogue()
    rows = questionnaire.items("C")
    assert [row.action for row in rows] == [action.id for action in catalogue.actions()]
    assert len(rows) == 48
    assert all(row.optional for row in rows)
    assert [o.value for o in rows[0].options] == ["al", "deels", "nog_niet", "nvt", None]
    assert rows[0].options[-1].label == "Weet niet"
    # The file refers to the catalogue and does not repeat its titles.
    text = DATA_FILE.read_text(encoding="utf-8")
    assert not any(action.title in text for action in catalogue.actions())


def test_needs_rank_three_challenges_with_optional_urgency(questionnaire):
    needs = questionnaire.need_items()
    assert needs == [("D_1", "D_1_urgency"), ("D_2", "D_2_urgency"), ("D_3", "D_3_urgency")]
    first = questionnaire.item("D_1")
    assert [o.value for o in first.options] == list(range(1, 10))
    assert first.options[0].label == get_catalogue().challenge(1).title
    urgency = questionnaire.item("D_1_urgency")
    assert urgency.optional
    assert (urgency.options[0].label, urgency.options[-1].label) == ("Kan wachten", "Heel dringend")


def test_item_texts_are_dutch_and_short(questionnaire):
    for item in questionnaire.items():
        if item.section == "C":
            continue  # the catalogue's own titles
        words = set(re.findall(r"[a-z]+", item.text.lower()))
        assert not words & ENGLISH_WORDS, (item.id, words & ENGLISH_WORDS)
        assert len(item.text) <= MAX_TEXT_LENGTH, item.id
        for option in item.options:
            assert not set(re.findall(r"[a-z]+", option.label.lower())) & ENGLISH_WORDS


def test_scale_items_give_id_challenge_and_reverse_for_scoring(questionnaire):
    items = scale_items()
    assert len(items) == len(questionnaire.items("B"))
    assert [item[:3] for item in items if item[0] == "B1_4"] == [("B1_4", 1, True)]
    b1_1 = next(item for item in items if item[0] == "B1_1")
    assert b1_1[:3] == ("B1_1", 1, False)
    # The forms that ask it: earlier versions, and this version's roles.
    assert "1.1.0" in b1_1[3]


# The loader


def test_loader_names_file_and_field_for_missing_text(tmp_path, raw):
    path = write_copy(tmp_path, raw, lambda d: diagnostic_items(d)[2].pop("text"))
    with pytest.raises(QuestionnaireError) as error:
        load_questionnaire(path)
    assert str(error.value) == f"{path}: sections[1].items[2].text: Field required"


def test_loader_names_file_and_field_for_duplicate_id(tmp_path, raw):
    path = write_copy(tmp_path, raw, lambda d: diagnostic_items(d)[3].update(id="B1_6"))
    with pytest.raises(QuestionnaireError, match=r"items\[3\]\.id: item id B1_6 occurs twice"):
        load_questionnaire(path)


def test_loader_refuses_challenge_ten(tmp_path, raw):
    path = write_copy(tmp_path, raw, lambda d: diagnostic_items(d)[2].update(challenge=10))
    with pytest.raises(QuestionnaireError) as error:
        load_questionnaire(path)
    assert str(error.value).startswith(f"{path}: sections[1].items[2].challenge: ")


def test_loader_refuses_too_few_items_for_a_challenge(tmp_path, raw):
    def drop_two(data):
        del diagnostic_items(data)[3:5]

    path = write_copy(tmp_path, raw, drop_two)
    with pytest.raises(QuestionnaireError, match="challenge 1 has 3 items for hr, needs 4 to 5"):
        load_questionnaire(path)


def test_loader_refuses_three_reverse_items_for_a_challenge(tmp_path, raw):
    def reverse_more(data):
        for item in diagnostic_items(data)[:2]:  # B1_4 is reverse already
            item["reverse"] = True

    path = write_copy(tmp_path, raw, reverse_more)
    with pytest.raises(QuestionnaireError, match="challenge 1 has 3 reverse-keyed items"):
        load_questionnaire(path)


def test_loader_refuses_a_challenge_outside_the_diagnostic_section(tmp_path, raw):
    path = write_copy(tmp_path, raw, lambda d: d["sections"][4]["items"][0].update(challenge=2))
    with pytest.raises(
        QuestionnaireError, match=r"sections\[4\]\.items\[0\]\.challenge: only diagnostic"
    ):
        load_questionnaire(path)


def test_loader_refuses_duplicate_option_values(tmp_path, raw):
    def duplicate(data):
        options = data["sections"][0]["items"][1]["options"]
        options.append(dict(options[0]))

    path = write_copy(tmp_path, raw, duplicate)
    with pytest.raises(QuestionnaireError, match=r"items\[1\]\.options\[5\]\.value: value"):
        load_questionnaire(path)


def test_loader_refuses_blank_text_and_unknown_fields(tmp_path, raw):
    path = write_copy(tmp_path, raw, lambda d: d["sections"][4]["items"][0].update(text=" "))
    with pytest.raises(QuestionnaireError, match=r"items\[0\]\.text: text is blank"):
        load_questionnaire(path)
    path = write_copy(tmp_path, raw, lambda d: d["sections"][0].update(intro="Hallo"))
    with pytest.raises(QuestionnaireError, match=r"sections\[0\]\.intro: Extra inputs"):
        load_questionnaire(path)


def test_loader_names_the_file_when_it_is_not_yaml(tmp_path):
    path = tmp_path / "kapot.yaml"
    path.write_text("sections: [", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=f"^{re.escape(str(path))}: cannot be read"):
        load_questionnaire(path)


# Answer validation


def test_validate_answers_accepts_valid_answers_and_none_for_weet_niet():
    answers = {
        "A_sector": "Q",
        "A_size": None,
        "A_role": "hr",
        "B1_1": 1,
        "B1_2": 5,
        "B1_3": None,
        "C_1_1": "al",
        "C_1_2": None,
        "D_1": 3,
        "D_1_urgency": 5,
        "D_2": 7,
        "D_2_urgency": None,
        "E_1": 4,
    }
    assert validate_answers(answers) == {}


def test_validate_answers_reports_unknown_items():
    errors = validate_answers({"B1_99": 3, "Z": 1})
    assert set(errors) == {"B1_99", "Z"}
    assert errors["Z"] == ["Deze vraag hoort niet bij de vragenlijst."]


@pytest.mark.parametrize("value", [0, 6, -1, "3", 3.0, True, [3]])
def test_validate_answers_refuses_agreement_values_outside_one_to_five(value):
    errors = validate_answers({"B2_1": value})
    assert list(errors) == ["B2_1"]
    assert "1 (Helemaal oneens) tot 5 (Helemaal eens)" in errors["B2_1"][0]


def test_validate_answers_refuses_context_values_that_are_not_options():
    errors = validate_answers({"A_sector": "Z", "A_size": 10, "A_role": None})
    assert set(errors) == {"A_sector", "A_size", "A_role"}
    assert errors["A_sector"] == ["Kies een van de antwoorden bij deze vraag."]


def test_validate_answers_refuses_a_challenge_ranked_twice():
    errors = validate_answers({"D_1": 4, "D_2": 4, "D_3": 10, "D_2_urgency": 6})
    assert errors["D_2"] == [
        "Deze uitdaging koos je al op een hogere plaats. Kies een andere uitdaging."
    ]
    assert errors["D_3"] == ["Kies een van de negen uitdagingen."]
    assert "D_2_urgency" in errors
    assert "D_1" not in errors
