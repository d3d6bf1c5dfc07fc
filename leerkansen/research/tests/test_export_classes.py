"""The profiles dataset (issue 15, item 5): every round's class and posteriors under a model
version the researcher chooses (a draft too), and for simulated organisations the planted
profile, so that recovery can be cross-tabbed outside the app."""

from __future__ import annotations

import pytest
from django.urls import reverse
from sklearn.metrics import adjusted_rand_score

from leerkansen.modelversions.services import create_draft, get_model
from leerkansen.research.codebook_rounds import posterior_name
from leerkansen.research.exports import pseudonym
from leerkansen.research.simulation import planted_profiles, simulate_organisations
from leerkansen.scoring.model import get_shipped_model
from leerkansen.scoring.profiles import assign_profile
from leerkansen.testing import make_researcher

from .conftest import logged_in
from .export_fixtures import csv_rows, dataset_url, download, make_exported_round, read_sav

pytestmark = pytest.mark.django_db


def test_simulated_rounds_come_with_their_planted_profile_and_their_class():
    # Five respondents each: rounds below the anonymity threshold are in no export.
    simulation = simulate_organisations(n=40, profiles=4, seed=3, respondents=5)
    client = logged_in(make_researcher())
    rows = csv_rows(download(client, dataset_url("classes", "csv", "simulated=1")))
    assert len(rows) == 40
    planted = planted_profiles()
    by_key = {pseudonym("organisation", o.code): o.pk for o in _organisations(simulation)}
    active = get_shipped_model()
    for row in rows:
        assert row["class_model_version"] == active.version
        assert int(row["planted_profile"]) == planted[by_key[row["org_key"]]]
        probabilities = [float(row[f"class_{posterior_name(p.id)}"]) for p in active.profiles]
        assert sum(probabilities) == pytest.approx(1, abs=1e-3)
        assert row["class_profile"] == active.profiles[probabilities.index(max(probabilities))].id
    # The classes carry the planted structure (the prior was designed on the same challenges).
    ari = adjusted_rand_score(
        [row["planted_profile"] for row in rows], [row["class_profile"] for row in rows]
    )
    assert ari > 0.3


def _organisations(simulation):
    from leerkansen.organisations.models import Organisation

    return Organisation.objects.filter(pk__in=simulation.organisation_ids)


def test_a_draft_version_can_be_chosen_and_classifies_with_its_own_profiles():
    assessment = make_exported_round()
    report = assessment.report
    shipped = get_shipped_model("1.0.0").model_dump(mode="json")
    draft = create_draft(shipped, based_on="1.0.0", source="test")
    model = get_model(draft.version)
    client = logged_in(make_researcher())
    page = client.get(reverse("research:exports")).content.decode()
    assert f'<option value="{draft.version}">' in page

    [row] = csv_rows(
        download(client, dataset_url("classes", "csv", f"modelversie={draft.version}"))
    )
    expected = assign_profile({int(c): v for c, v in report.scores.items()}, model)
    assert row["class_model_version"] == draft.version
    assert row["class_profile"] == expected.dominant
    assert float(row["class_probability"]) == pytest.approx(expected.dominant_probability, abs=1e-4)
    # Real organisations have no planted profile: the column is not there at all.
    assert "planted_profile" not in row


def test_the_spss_file_labels_the_classes_with_the_chosen_versions_names():
    make_exported_round()
    client = logged_in(make_researcher())
    frame, meta = read_sav(download(client, dataset_url("classes", "sav", "modelversie=1.0.0")))
    names = {profile.id: profile.name for profile in get_shipped_model("1.0.0").profiles}
    assert meta.variable_value_labels["class_profile"] == names
    assert list(frame["class_model_version"]) == ["1.0.0"]


def test_an_unknown_version_is_refused_with_a_dutch_message():
    make_exported_round()
    client = logged_in(make_researcher())
    response = client.post(dataset_url("classes", "csv", "modelversie=9.9.9"))
    assert response.status_code == 400
    assert "Een filter is ongeldig" in response.content.decode()
