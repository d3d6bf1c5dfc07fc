"""Research exports: the SPSS files and the codebook that explains every column."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from django.urls import reverse

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.reports.models import ActionRating, Report
from leerkansen.research import export_profiles, exports
from leerkansen.research.codebook import (
    CODEBOOK_HEADER,
    DONT_KNOW_CODE,
    DONT_KNOW_NUMBER,
    SHORTENED_NOTE,
    dont_know_code,
)
from leerkansen.research.exports import ExportFilter, pseudonym
from leerkansen.research.spss import MAX_VALUE_LABEL
from leerkansen.scoring.model import get_shipped_model
from leerkansen.survey.models import Answer, Response
from leerkansen.testing import make_researcher

from .conftest import logged_in
from .export_fixtures import (
    DATASETS,
    RESPONSES,
    csv_rows,
    dataset_url,
    download,
    make_exported_round,
    read_sav,
)

pytestmark = pytest.mark.django_db


def test_spss_file_reads_back_with_variable_and_value_labels():
    make_exported_round()
    values, meta = read_sav(download(logged_in(make_researcher()), dataset_url("responses", "sav")))
    questionnaire = get_questionnaire()
    assert meta.number_rows == RESPONSES
    assert meta.column_names_to_labels["B1_1"] == questionnaire.item("B1_1").text
    assert meta.variable_value_labels["B1_1"] == {
        1.0: "Helemaal oneens",
        2.0: "Oneens",
        3.0: "Niet eens, niet oneens",
        4.0: "Eens",
        5.0: "Helemaal eens",
        -1.0: "Weet niet",
    }
    assert meta.variable_value_labels["A_size"]["weetniet"] == "Weet niet"
    assert meta.variable_value_labels["D_1"][1.0] == get_catalogue().challenge(1).title
    assert meta.missing_ranges["B1_1"] == [{"lo": -1.0, "hi": -1.0}]
    assert meta.missing_ranges["A_size"] == [{"lo": "weetniet", "hi": "weetniet"}]
    assert values["B1_1"] == [-1.0] * RESPONSES
    assert values["B1_2"] == [5.0] * RESPONSES
    assert values["A_size"] == ["weetniet"] * RESPONSES
    assert values["role"] == ["medewerker"] * RESPONSES
    assert "E_open" not in values
    assert meta.variable_measure["D_1"] == "nominal"


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_dataset_reads_back_from_spss_even_when_empty(dataset):
    client = logged_in(make_researcher())
    values, meta = read_sav(download(client, dataset_url(dataset, "sav")))
    assert meta.number_rows in (0, None)
    make_exported_round()
    values, meta = read_sav(download(client, dataset_url(dataset, "sav")))
    assert meta.number_rows == (RESPONSES if dataset == "responses" else 1)
    assert all(meta.column_names_to_labels[name] for name in values)


def test_codebook_covers_every_questionnaire_item_and_explains_what_is_left_out():
    questionnaire = get_questionnaire()
    rows = csv_rows(
        download(logged_in(make_researcher()), reverse("research:export_codebook", args=["csv"]))
    )
    assert tuple(rows[0]) == CODEBOOK_HEADER
    items = {row["variable"]: row for row in rows if row["dataset"] == "responses"}
    for item in questionnaire.items():
        row = items[item.id]
        assert row["label"] == item.text
        assert row["section"] == item.section
        assert row["questionnaire_version"] == questionnaire.version
        assert row["challenge"] == (str(item.challenge) if item.challenge else "")
        assert row["reverse"] == (str(int(item.reverse)) if item.challenge else "")
    assert items["B1_4"]["reverse"] == "1" and items["B1_1"]["reverse"] == "0"
    assert items["B1_1"]["values"].startswith("1 = Helemaal oneens; 2 = Oneens")
    assert items["B1_1"]["missing"] == "Weet niet: -1. Leeg: niet beantwoord."
    assert items["A_size"]["missing"] == "Weet niet: weetniet. Leeg: niet beantwoord."
    assert items["C_1_1"]["values"] == (
        "1 = Nog niet; 2 = Deels; 3 = Hebben we al; -2 = Niet van toepassing; -1 = Weet niet"
    )
    assert items["C_1_1"]["missing"] == (
        "Niet van toepassing: -2. Weet niet: -1. Leeg: niet beantwoord."
    )
    assert "user-missing" in items["C_1_1"]["note"]
    assert items["C_1_1"]["action"] == "1.1"
    assert "Niet geëxporteerd" in items["E_open"]["note"]
    datasets = {row["dataset"] for row in rows}
    assert datasets == set(DATASETS)
    # "Niet beantwoord" is what an empty item means; the other columns say their own.
    said = {row["variable"] for row in rows if "niet beantwoord" in row["missing"]}
    assert said == {item.id for item in questionnaire.items() if item.scale != "text"}
    fixed = {(row["dataset"], row["variable"]): row["missing"] for row in rows}
    assert fixed[("scores", "n_responses")] == "Nooit leeg."
    assert fixed[("responses", "role")].startswith("Leeg: voor de hele ronde leeggemaakt")
    assert fixed[("needs", "need_3")] == "Leeg: de respondenten rangschikten minder dan 3 noden."


def test_the_dont_know_codes_never_clash_with_an_answer():
    for item in get_questionnaire().items():
        code = dont_know_code(item)
        if code is not None:
            assert code not in [option.value for option in item.options], item.id
            assert code in (DONT_KNOW_NUMBER, DONT_KNOW_CODE)


def test_score_columns_cover_the_profiles_of_every_model_version():
    first = make_exported_round()
    second = make_exported_round("Tweede BV", title="Ronde twee", email="")
    report = Report.objects.get(assessment=second)
    profile = dict(report.profile)
    profile["probabilities"] = {"nieuw-profiel": 0.9, "ander-profiel": 0.1}
    profile["id"] = "nieuw-profiel"
    Report.objects.filter(pk=report.pk).update(model_version="2.0.0", profile=profile)
    profiles = export_profiles.report_profiles(ExportFilter())
    assert Report.objects.get(assessment=first).model_version == get_shipped_model().version
    old = [profile.id for profile in get_shipped_model().profiles]
    # A known version keeps its model's order; a version that is gone sorts its ids, because
    # PostgreSQL's jsonb does not keep the order in which keys were written.
    assert list(profiles) == [*old, "ander-profiel", "nieuw-profiel"]
    # Names from the version's model; a version that does not exist gives its ids.
    assert profiles[old[0]] == get_shipped_model().profile(old[0]).name
    assert profiles["nieuw-profiel"] == "nieuw-profiel"
    rows = {
        row["round_key"]: row
        for row in csv_rows(download(logged_in(make_researcher()), dataset_url("scores", "csv")))
    }
    newer = rows[pseudonym("round", second.code)]
    assert newer["posterior_nieuw_profiel"] == "0.9"
    assert newer[f"posterior_{old[0].replace('-', '_')}"] == ""


def test_a_profile_renamed_in_a_later_version_is_labelled_with_each_versions_name():
    from leerkansen.modelversions.services import create_draft

    first = make_exported_round()
    second = make_exported_round("Tweede BV", title="Ronde twee", email="")
    shipped = get_shipped_model()
    content = shipped.model_dump(mode="json")
    content["profiles"][0]["name"] = "Druk, druk, druk"
    draft = create_draft(content, based_on=shipped.version, source="test")
    Report.objects.filter(assessment=second).update(model_version=draft.version)

    profiles = export_profiles.report_profiles(ExportFilter())

    renamed, kept = shipped.profiles[0], shipped.profiles[1]
    assert Report.objects.get(assessment=first).model_version == shipped.version
    assert profiles[renamed.id] == (
        f"{renamed.name} (model {shipped.version}); Druk, druk, druk (model {draft.version})"
    )
    assert profiles[kept.id] == kept.name


PRACTICE_LABELS = {
    1.0: "Nog niet",
    2.0: "Deels",
    3.0: "Hebben we al",
    -2.0: "Niet van toepassing",
    -1.0: "Weet niet",
}


def test_practices_are_numbers_with_not_applicable_and_dont_know_user_missing_in_spss():
    assessment = make_exported_round()
    responses = Response.objects.filter(assessment=assessment, completed_on__isnull=False)
    first, second = responses.order_by("pk")[:2]
    Answer.objects.create(response=first, item_id="C_3_1", code="nvt")
    # "Weet niet" is stored without number or code.
    Answer.objects.create(response=second, item_id="C_3_1")
    client = logged_in(make_researcher())
    values, meta = read_sav(download(client, dataset_url("responses", "sav")))
    assert meta.variable_value_labels["C_1_1"] == PRACTICE_LABELS
    assert meta.missing_ranges["C_1_1"] == [{"lo": -2.0, "hi": -2.0}, {"lo": -1.0, "hi": -1.0}]
    assert meta.variable_measure["C_1_1"] == "ordinal"
    assert values["C_1_1"] == [3.0] * RESPONSES
    assert values["C_2_1"] == [1.0] * RESPONSES
    assert sorted(values["C_3_1"], key=str) == sorted([-2.0, -1.0, *[None] * 3], key=str)
    # Read as SPSS treats them: both user-missing codes are missing.
    plain, _meta = read_sav(download(client, dataset_url("responses", "sav")), user_missing=False)
    assert plain["C_3_1"] == [None] * RESPONSES
    rows = csv_rows(download(client, dataset_url("responses", "csv")))
    assert sorted(row["C_3_1"] for row in rows) == ["", "", "", "-1", "-2"]

    values, meta = read_sav(download(client, dataset_url("practices", "sav")))
    assert (values["practice_1_1"], values["practice_2_1"]) == ([3.0], [1.0])
    assert values["practice_3_1"] == [None]
    # "Weet niet" never counts in a round's practice; "niet van toepassing" is user-missing.
    assert meta.variable_value_labels["practice_1_1"] == {
        code: label for code, label in PRACTICE_LABELS.items() if code != -1.0
    }
    assert meta.missing_ranges["practice_1_1"] == [{"lo": -2.0, "hi": -2.0}]
    [row] = csv_rows(download(client, dataset_url("practices", "csv")))
    assert (row["practice_1_1"], row["practice_2_1"]) == ("3", "1")


def test_the_new_columns_come_last_and_read_back_from_spss():
    assessment = make_exported_round()
    before_responses = [v.name for v in exports.DATASETS["responses"].build(ExportFilter())[0]]
    entered = Response.objects.filter(assessment=assessment, completed_on__isnull=False).first()
    Response.objects.filter(pk=entered.pk).update(entered_by_organisation=True)
    ActionRating.objects.create(
        assessment=assessment, action_id="5.1", relevance=3, feasibility=3, asked_at_random=True
    )
    client = logged_in(make_researcher())
    values, meta = read_sav(download(client, dataset_url("responses", "sav")))
    assert meta.column_names[-1] == "entered_by_organisation"
    assert meta.column_names[:-1] == before_responses[:-1]
    assert sorted(values["entered_by_organisation"]) == [0.0] * (RESPONSES - 1) + [1.0]
    assert meta.variable_value_labels["entered_by_organisation"] == {0.0: "nee", 1.0: "ja"}

    values, meta = read_sav(download(client, dataset_url("ratings", "sav")))
    assert meta.column_names[-3:] == ["recommended", "rated_month", "asked_at_random"]
    assert dict(zip(values["action"], values["asked_at_random"], strict=True)) == {
        "1.1": 0.0,
        "5.1": 1.0,
    }
    assert meta.variable_value_labels["asked_at_random"] == {0.0: "nee", 1.0: "ja"}

    rows = csv_rows(download(client, reverse("research:export_codebook", args=["csv"])))
    notes = {(row["dataset"], row["variable"]): row for row in rows}
    for key in (("responses", "entered_by_organisation"), ("ratings", "asked_at_random")):
        assert notes[key]["values"] == "0 = nee; 1 = ja"
        assert "Laatste kolom" in notes[key]["note"]


def test_long_value_labels_are_shortened_at_a_word_boundary_and_kept_whole_in_the_codebook():
    make_exported_round()
    client = logged_in(make_researcher())
    codebook = csv_rows(download(client, reverse("research:export_codebook", args=["csv"])))
    rows = {(row["dataset"], row["variable"]): row for row in codebook}
    shortened = 0
    for name, dataset in exports.DATASETS.items():
        variables, _rows = dataset.build(ExportFilter())
        _values, meta = read_sav(download(client, dataset_url(name, "sav")))
        for variable in variables:
            labels = meta.variable_value_labels.get(variable.name, {})
            row = rows[(name, variable.name)]
            for code, full in variable.values.items():
                key = float(code) if variable.kind != "text" else str(code)
                label = labels[key]
                # The codebook always holds the whole label.
                assert f"{code} = {full}" in row["values"]
                if len(full.encode()) <= MAX_VALUE_LABEL:
                    assert label == full
                    continue
                shortened += 1
                assert len(label.encode()) <= MAX_VALUE_LABEL
                kept = label.removesuffix("…")
                assert label.endswith("…") and full.startswith(kept), (name, code)
                # Whole words only: the text goes on with a space after what was kept.
                assert full[len(kept)].isspace() or full[len(kept)] in ",;:(", (name, label)
                assert SHORTENED_NOTE in row["note"]
    # The catalogue's long action titles (5.1 and others) in the ratings' "action" labels.
    assert shortened >= 5
    assert "Organiseren van workshops voor leidinggevenden" in rows[("ratings", "action")]["values"]


def test_the_codebook_gives_the_score_formula_and_the_scores_rebuild_from_it():
    make_exported_round()
    client = logged_in(make_researcher())
    codebook = csv_rows(download(client, reverse("research:export_codebook", args=["csv"])))
    scores_rows = {row["variable"]: row for row in codebook if row["dataset"] == "scores"}
    [scores] = csv_rows(download(client, dataset_url("scores", "csv")))
    responses = csv_rows(download(client, dataset_url("responses", "csv")))
    rebuilt = 0
    for number in range(1, 10):
        row = scores_rows[f"score_{number}"]
        assert "(gemiddeld gesleuteld antwoord − 1) / 4 × 100" in row["note"]
        assert "niet beantwoord" not in row["missing"]
        assert "minder dan 75% van de items" in row["missing"]
        # Rebuild the score from the items the note lists, as the note says.
        listed = re.search(r"Items: (.*?)\. Zoals", row["note"]).group(1).split(", ")
        items = [(entry.split()[0], entry.endswith("(omgekeerd)")) for entry in listed]
        keyed = []
        for item_id, flipped in items:
            answers = [
                Fraction(answer[item_id])
                for answer in responses
                if answer.get(item_id) not in (None, "", str(DONT_KNOW_NUMBER))
            ]
            if answers:
                mean = sum(answers, Fraction(0)) / len(answers)
                keyed.append(6 - mean if flipped else mean)
        if not scores[f"score_{number}"]:
            continue
        mean = sum(keyed, Fraction(0)) / len(keyed)
        assert float(round((mean - 1) / 4 * 100, 1)) == float(scores[f"score_{number}"])
        rebuilt += 1
    assert rebuilt >= 8
