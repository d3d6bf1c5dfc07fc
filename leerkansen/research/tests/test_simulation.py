"""Simulated organisations: flagged, complete, reproducible and near their planted profiles."""

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from leerkansen.content.questionnaire import get_questionnaire, questionnaire_for
from leerkansen.organisations.models import Organisation
from leerkansen.reports.models import Report
from leerkansen.scoring.scales import challenge_scores, scale_items
from leerkansen.survey.models import Answer, Assessment, Response
from leerkansen.survey.services import completed_responses

from ..simulation import TITLE, prototypes, simulate_organisations

pytestmark = pytest.mark.django_db


def scores_of(organisation_ids) -> dict[int, list[float | None]]:
    rows = Report.objects.filter(assessment__organisation_id__in=organisation_ids)
    return {
        organisation_id: [scores[str(c)] for c in range(1, 10)]
        for organisation_id, scores in rows.values_list("assessment__organisation_id", "scores")
    }


def test_simulated_organisations_are_flagged_and_complete():
    simulation = simulate_organisations(n=40, profiles=4, seed=7)

    organisations = Organisation.objects.filter(pk__in=simulation.organisation_ids)
    assert organisations.count() == 40
    assert all(o.is_simulated and not o.is_demo for o in organisations)
    assert Assessment.objects.filter(status=Assessment.Status.CLOSED).count() == 40
    assert Response.objects.filter(completed_on__isnull=False).count() == 40
    assert Report.objects.count() == 40
    # Every diagnostic item and the three needs; "weet niet" is stored as an empty answer.
    assert Answer.objects.count() == 40 * (45 + 3)
    numbers = set(Answer.objects.filter(item_id__startswith="B").values_list("number", flat=True))
    assert numbers <= {1, 2, 3, 4, 5, None}
    # The planted profile is in the round's title.
    titles = dict(
        Assessment.objects.values_list("organisation_id", "title")
        .filter(organisation_id__in=simulation.organisation_ids)
        .order_by()
    )
    assert [titles[i] for i in simulation.organisation_ids] == [
        TITLE.format(label) for label in simulation.labels
    ]


def test_reports_hold_the_scores_of_the_stored_answers():
    simulation = simulate_organisations(n=10, profiles=3, seed=2)
    items = scale_items(get_questionnaire())
    for assessment in Assessment.objects.filter(organisation_id__in=simulation.organisation_ids):
        ((_role, answers),) = completed_responses(assessment)
        expected = {str(c): s for c, s in challenge_scores(answers, items).items()}
        assert assessment.report.scores == expected
        assert assessment.report.model_version == "1.1.0"


def test_scores_lie_near_the_planted_prototypes_and_reverse_keys_are_respected():
    simulation = simulate_organisations(n=200, profiles=4, seed=1)
    scores = scores_of(simulation.organisation_ids)
    planted = prototypes(4)
    labelled = list(zip(simulation.organisation_ids, simulation.labels, strict=True))
    for label in range(1, 5):
        members = [o for o, k in labelled if k == label]
        rows = np.array([scores[o] for o in members], dtype=float)
        means = np.nanmean(rows, axis=0)
        assert np.all(np.abs(means - planted[label - 1]) < 7), (label, means)

    # Organisations of profile 1 agree with the work-pressure barrier (challenge 1): high
    # answers on its normal items and low ones on its reverse-keyed item.
    first = [o for o, k in labelled if k == 1]
    items = questionnaire_for("hr").diagnostic_items(1)
    for item in items:
        answers = Answer.objects.filter(
            response__assessment__organisation_id__in=first, item_id=item.id
        ).exclude(number=None)
        mean = np.mean(list(answers.values_list("number", flat=True)))
        assert (mean < 2.6) if item.reverse else (mean > 3.4), (item.id, item.reverse, mean)
    assert any(item.reverse for item in items)


def test_the_same_seed_gives_the_same_organisations():
    first = simulate_organisations(n=15, profiles=4, seed=11)
    second = simulate_organisations(n=15, profiles=4, seed=11)
    other = simulate_organisations(n=15, profiles=4, seed=12)
    assert first.labels == second.labels
    a, b, c = (scores_of(s.organisation_ids) for s in (first, second, other))
    assert [a[i] for i in first.organisation_ids] == [b[i] for i in second.organisation_ids]
    assert [a[i] for i in first.organisation_ids] != [c[i] for i in other.organisation_ids]


def test_the_command_writes_and_replaces_simulated_organisations():
    out = io.StringIO()
    call_command(
        "simulate_organisations", "--n", "12", "--profiles", "2", "--seed", "3", stdout=out
    )
    assert "Wrote 12 simulated organisations (seed 3)" in out.getvalue()
    real = Organisation.objects.create(name="Echt")

    out = io.StringIO()
    call_command("simulate_organisations", "--n", "5", "--replace", stdout=out)
    assert "Removed 12 simulated organisations." in out.getvalue()
    assert Organisation.objects.filter(is_simulated=True).count() == 5
    assert Organisation.objects.filter(pk=real.pk).exists()

    with pytest.raises(CommandError, match="--profiles"):
        call_command("simulate_organisations", "--profiles", "9", stdout=io.StringIO())
