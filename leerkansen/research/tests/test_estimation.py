"""Re-estimating profiles: planted profiles found back, the k rules, the drafts.

Evidence is tested in test_evidence.py.
"""

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from sklearn.metrics import adjusted_rand_score

from leerkansen.modelversions.models import ModelVersion
from leerkansen.modelversions.services import get_model
from leerkansen.organisations.models import Organisation
from leerkansen.reports.models import Report
from leerkansen.reports.tests import make_completed_assessment, make_report
from leerkansen.research.estimation import (
    Fit,
    TooFewOrganisations,
    choose,
    estimate_profiles,
    organisation_scores,
    relative_entropy,
)
from leerkansen.research.simulation import simulate_organisations
from leerkansen.scoring.model import get_shipped_model

pytestmark = pytest.mark.django_db

PRIOR_NAMES = {profile.name for profile in get_shipped_model().profiles}


def run(command: str, *args: str) -> list[str]:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue().splitlines()


def fake_fit(k, bic, entropy=0.9, share=0.2, converged=True) -> Fit:
    return Fit(k, bic, entropy, share, converged, mixture=None, labels=np.zeros(1))


# Profiles ---------------------------------------------------------------------------------


def test_estimation_finds_the_four_planted_profiles_back():
    simulation = simulate_organisations(n=500, profiles=4, seed=1)
    planted = dict(zip(simulation.organisation_ids, simulation.labels, strict=True))

    estimate = estimate_profiles(simulated=True)

    assert estimate.chosen.k == 4
    found = estimate.labels_by_organisation()
    ids = sorted(found)
    # A few organisations lack a score ("weet niet" on too many items of a challenge).
    assert len(ids) >= 480
    ari = adjusted_rand_score([planted[i] for i in ids], [found[i] for i in ids])
    assert ari >= 0.90, ari

    # The draft: a valid model version, named after the prior profiles they resemble.
    draft = estimate.draft
    assert draft.status == ModelVersion.Status.DRAFT and draft.based_on == "1.1.0"
    model = get_model(draft.version)
    assert model.status == "estimated" and len(model.profiles) == 4
    assert {p.name for p in model.profiles} == PRIOR_NAMES - {"Op weg"}
    by_id = {p.id: p for p in model.profiles}
    # Planted profile 1 is high on challenges 1 and 4: so is the profile named after the prior
    # profile that is about them, and it inherits that profile's evidence.
    assert by_id["druk-en-verspreid"].defining_challenges == (1, 4)
    assert model.evidence["druk-en-verspreid"] == get_shipped_model().evidence["druk-en-verspreid"]
    assert sum(p.weight for p in model.profiles) == pytest.approx(1)
    # Standardised on this sample: the mixture of the profiles is centred on 0.
    for c in model.challenges:
        assert sum(p.weight * p.means[c] for p in model.profiles) == pytest.approx(0, abs=0.01)
    assert draft.fit["n"] == len(ids) and draft.fit["chosen_k"] == 4
    assert [line["k"] for line in draft.fit["table"]] == [1, 2, 3, 4, 5, 6, 7]


def test_the_command_prints_the_table_and_ends_with_the_choice():
    simulate_organisations(n=60, profiles=2, seed=4)

    lines = run("estimate_profiles", "--simulated", "--min-organisations", "50", "--n-init", "2")

    assert "k | BIC | entropy | smallest share" in lines
    rows = [line for line in lines if line[:2] in {f"{k} " for k in range(1, 8)}]
    assert [row.split(" | ")[0] for row in rows] == [str(k) for k in range(1, 8)]
    assert rows[0].split(" | ")[2] == "–"
    assert lines[-1] == "chosen: k = 2"
    assert ModelVersion.objects.get().fit["chosen_k"] == 2


def test_too_few_organisations_writes_nothing():
    simulate_organisations(n=40, profiles=2, seed=2)

    with pytest.raises(CommandError, match=r"Too few organisations .* 40 .* at least 150"):
        call_command("estimate_profiles", "--simulated", stdout=io.StringIO())
    with pytest.raises(TooFewOrganisations):
        estimate_profiles(simulated=True, min_organisations=41)

    assert not ModelVersion.objects.exists()


def test_real_estimates_leave_out_simulated_and_demo_organisations():
    simulate_organisations(n=30, profiles=2, seed=3)
    real = make_completed_assessment().organisation
    demo = make_completed_assessment(organisation_name="Demo").organisation
    Organisation.objects.filter(pk=demo.pk).update(is_demo=True)

    table = organisation_scores(simulated=False)
    assert table.organisation_ids == (real.pk,)
    simulated = organisation_scores(simulated=True)
    assert len(simulated.organisation_ids) + simulated.left_out == 30
    assert real.pk not in simulated.organisation_ids

    with pytest.raises(CommandError, match="Too few organisations"):
        call_command("estimate_profiles", stdout=io.StringIO())
    assert not ModelVersion.objects.exists()


def test_a_round_without_report_is_scored_from_its_responses():
    with_report = make_report().assessment
    without = make_completed_assessment(organisation_name="Zonder rapport")

    table = organisation_scores()

    assert set(table.assessment_ids) == {with_report.pk, without.pk}
    stored = Report.objects.get(assessment=with_report).scores
    rows = dict(zip(table.assessment_ids, table.scores.tolist(), strict=True))
    # The same answers: the computed scores equal the report's stored ones.
    assert rows[without.pk] == rows[with_report.pk] == [stored[str(c)] for c in range(1, 10)]


def test_relative_entropy_is_one_for_clear_and_zero_for_uniform_assignments():
    assert relative_entropy(np.eye(3)) == pytest.approx(1)
    assert relative_entropy(np.full((4, 2), 0.5)) == pytest.approx(0)
    assert relative_entropy(np.ones((5, 1))) is None


def test_k_is_the_lowest_bic_among_solutions_that_meet_the_rules():
    fits = [
        fake_fit(1, 1000, entropy=None, share=1.0),
        fake_fit(2, 900),
        fake_fit(3, 850),
        fake_fit(4, 800, entropy=0.79),  # too uncertain
        fake_fit(5, 790, share=0.04),  # a profile below 5%
        fake_fit(6, 780, converged=False),
    ]
    assert choose(fits).k == 3
    # A tie (to 0.01) goes to the smaller k.
    assert choose([fake_fit(2, 900.004), fake_fit(3, 900.001)]).k == 2
    # k = 1 always meets the rules.
    assert choose([fake_fit(1, 1000, entropy=None, share=1), fake_fit(2, 10, entropy=0.5)]).k == 1
