"""Research exports: the SPSS files and the codebook that explains every column."""

from __future__ import annotations

import pytest
from django.urls import reverse

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.reports.models import Report
from leerkansen.research import exports
from leerkansen.research.codebook import (
    CODEBOOK_HEADER,
    DONT_KNOW_CODE,
    DONT_KNOW_NUMBER,
    dont_know_code,
)
from leerkansen.research.exports import ExportFilter, pseudonym
from leerkansen.scoring.model import get_shipped_model
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
    assert items["C_1_1"]["missing"] == "Weet niet: weetniet. Leeg: niet beantwoord."
    assert items["C_1_1"]["action"] == "1.1"
    assert "Niet geëxporteerd" in items["E_open"]["note"]
    datasets = {row["dataset"] for row in rows}
    assert datasets == set(DATASETS)


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
    profiles = exports.report_profiles(ExportFilter())
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
