"""The questionnaire in Dutch, French and English (issue 17): every text in every language,
checked against the Dutch file, with the same ids and option values."""

import copy

import pytest
import yaml
from django.utils import translation

from leerkansen.content import questionnaire_translations as translations
from leerkansen.content.questionnaire import (
    ROLES,
    QuestionnaireError,
    get_questionnaire,
    questionnaire_for,
)
from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.content.questionnaire_translations import (
    TRANSLATED,
    available_languages,
    load_translation,
    questionnaire_in,
    translate,
    translation_template,
)


@pytest.fixture(scope="module")
def dutch():
    return get_questionnaire()


@pytest.fixture
def complete(dutch):
    """A complete (made-up) French translation: each Dutch text with "FR " in front."""
    return translation_template(dutch, "fr", mark="FR ")


def problems_of(dutch, raw) -> str:
    with pytest.raises(ValueError) as refused:
        translate(dutch, raw, "fr")
    return str(refused.value)


# --- The committed translations -------------------------------------------------------------


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_asked_item_has_its_text_in_every_language(language, dutch):
    # Loading checks it all: a text left out names the item (tests below).
    translated = load_translation(language)
    for role in ROLES:
        version = translated.for_role(role)
        assert [i.id for i in version.items()] == [i.id for i in questionnaire_for(role).items()]
        for item in version.items():
            assert item.text.strip(), f"{language}: {item.id} has no text"
            assert item.text != dutch.item(item.id).text, f"{language}: {item.id} is Dutch"
            for option in item.options:
                assert option.label.strip(), f"{language}: {item.id} option {option.value}"
    for section in translated.sections:
        assert section.title != dutch.section(section.id).title


def test_the_three_languages_are_offered():
    assert available_languages() == ("nl", "fr", "en")


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_asks_the_same_items_with_the_same_values(language, dutch):
    translated = questionnaire_in(language)
    assert translated.language == language
    for item in dutch.items():
        other = translated.item(item.id)
        assert (other.section, other.challenge, other.reverse, other.roles, other.scale) == (
            item.section,
            item.challenge,
            item.reverse,
            item.roles,
            item.scale,
        )
        assert [o.value for o in other.options] == [o.value for o in item.options]
    assert translated.scale_items() == dutch.scale_items()


def test_the_dutch_texts_stay_what_the_rest_of_the_code_reads(dutch):
    french = questionnaire_in("fr", "medewerker")
    assert french.item("B1_6").text == load_translation("fr").item("B1_6").text
    assert french.item("B1_6").text != dutch.item("B1_6").text
    # Loading French changed nothing of the Dutch file: item.text is the Dutch text.
    assert get_questionnaire().item("B1_6").text.startswith("Door de drukte op het werk")
    assert questionnaire_for("medewerker").item("B1_6").text == dutch.item("B1_6").text
    assert questionnaire_in("nl") is get_questionnaire()


def test_a_translated_version_refuses_answers_in_its_own_language():
    french = questionnaire_in("fr", "medewerker")
    with translation.override("fr"):
        errors = french.validate_answers({"B1_6": 7})
    scale = french.scales
    assert errors["B1_6"] == [
        f"Choisissez une réponse de 1 ({scale.agreement[0].label}) à 5 "
        f"({scale.agreement[-1].label}), ou choisissez «\u00a0{scale.dont_know_label}\u00a0»."
    ]
    assert scale.dont_know_label != get_questionnaire().scales.dont_know_label


def test_the_pages_of_a_long_section_are_numbered_in_the_language():
    assert questionnaire_pages("hr").section("B2").title == "Uitdagingen (2 van 5)"
    assert questionnaire_pages("hr", "fr").section("B2").title == "Défis (2 sur 5)"
    assert questionnaire_pages("hr", "en").section("B2").title.endswith("(2 of 5)")


def test_challenge_titles_come_with_the_translation(dutch):
    french = questionnaire_in("fr", "hr")
    assert french.challenge_title(1) != dutch.challenge_title(1)
    assert [o.label for o in french.item("D_1").options] == [
        french.challenge_title(n) for n in range(1, 10)
    ]


def test_an_unknown_language_is_not_offered():
    with pytest.raises(LookupError):
        questionnaire_in("de")


# --- The checks at load, on a made-up translation --------------------------------------------


def test_a_complete_translation_passes(dutch, complete):
    french = translate(dutch, complete, "fr")
    assert french.item("B1_6").text == "FR " + dutch.item("B1_6").text
    assert french.item("A_size").options[-1].label == "FR Weet niet"
    assert french.anonymity_note.startswith("FR ")


def test_an_item_left_out_fails_naming_it(dutch, complete):
    del complete["items"]["B1_6"]
    assert problems_of(dutch, complete) == "items.B1_6: missing"


def test_an_item_of_one_role_left_out_fails_too(dutch, complete):
    # Asked only of employees: a translation is complete for every role or for none.
    del complete["items"]["E_5"]
    assert problems_of(dutch, complete) == "items.E_5: missing"


def test_a_blank_text_fails(dutch, complete):
    complete["items"]["E_open"]["text"] = "  "
    assert problems_of(dutch, complete) == "items.E_open.text: text is blank"


def test_an_option_left_out_or_added_fails(dutch, complete):
    del complete["items"]["A_size"]["options"]["lt10"]
    complete["items"]["A_size"]["options"]["lt5"] = "FR moins de 5"
    problems = problems_of(dutch, complete)
    assert "items.A_size.options.lt5: not an option value of the Dutch version" in problems
    assert "items.A_size.options.lt10: missing" in problems


def test_a_scale_label_left_out_fails(dutch, complete):
    del complete["scales"]["agreement"][3]
    del complete["scales"]["dont_know_label"]
    problems = problems_of(dutch, complete)
    assert "scales.agreement.3: missing" in problems
    assert "scales.dont_know_label: give a text" in problems


def test_another_version_fails(dutch, complete):
    complete["version"] = "1.1.0"
    assert problems_of(dutch, complete) == (
        "version: translates '1.1.0', the questionnaire is '2.0.0'"
    )


def test_an_unknown_item_or_section_fails(dutch, complete):
    complete["items"]["B1_99"] = {"text": "FR ?"}
    complete["sections"]["Z"] = {"title": "FR", "purpose": "FR"}
    problems = problems_of(dutch, complete)
    assert "items.B1_99: not an item of the questionnaire" in problems
    assert "sections.Z: not a section of the questionnaire" in problems


def test_a_section_title_left_out_fails(dutch, complete):
    del complete["sections"]["C"]["purpose"]
    assert problems_of(dutch, complete) == "sections.C.purpose: give a text"


def test_the_challenges_titles_are_needed(dutch, complete):
    del complete["challenges"][9]
    assert problems_of(dutch, complete) == "challenges.9: missing"


def test_a_practice_row_may_come_from_row_texts_or_actions(dutch, complete):
    rows = {k: v for k, v in complete["items"].items() if k.startswith("C_")}
    for item_id in rows:
        del complete["items"][item_id]
    variant = copy.deepcopy(complete)
    variant["sections"]["C"]["row_texts"] = {"1.1": "FR rangée 1.1"}
    variant["actions"] = {
        item.action: "FR " + item.text
        for item in dutch.items("C")
        if item.roles and item.action != "1.1"
    }
    french = translate(dutch, variant, "fr")
    assert french.item("C_1_1").text == "FR rangée 1.1"
    assert french.item("C_9_5").text.startswith("FR ")
    del variant["actions"]["9.5"]
    assert problems_of(dutch, variant) == "items.C_9_5: missing"


def test_retired_items_are_not_asked_for(dutch, complete):
    assert "A_role" not in complete["items"]
    assert "C_2_2" not in complete["items"]
    french = translate(dutch, complete, "fr")
    # Kept, in Dutch, so that answers stored under it can still be read.
    assert french.item("A_role").text == dutch.item("A_role").text


def test_a_file_that_fails_is_named_and_not_offered(dutch, complete, tmp_path, monkeypatch):
    del complete["items"]["B1_6"]
    path = tmp_path / "questionnaire.fr.yaml"
    path.write_text(yaml.safe_dump(complete, allow_unicode=True), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"questionnaire\.fr\.yaml: items\.B1_6: missing"):
        load_translation("fr", path)
    monkeypatch.setattr(translations, "translation_file", lambda language: path)
    translations.clear_caches()
    try:
        assert available_languages() == ("nl",)
        with pytest.raises(LookupError):
            questionnaire_in("fr")
    finally:
        translations.clear_caches()
