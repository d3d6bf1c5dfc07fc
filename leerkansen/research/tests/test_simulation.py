"""Simulated organisations: flagged, complete, reproducible, and each option does what it says."""

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.modelversions.services import get_active_model
from leerkansen.organisations.models import Organisation
from leerkansen.reports.models import ActionRating, Report
from leerkansen.reports.services import compute_report
from leerkansen.research.dashboard_filters import real_reports
from leerkansen.research.estimation import organisation_scores
from leerkansen.research.models import PlantedProfile, SimulationRun
from leerkansen.scoring.anonymity import role_counts
from leerkansen.scoring.model import DEFINING_Z, get_shipped_model
from leerkansen.scoring.profiles import assign_profile
from leerkansen.scoring.round_outcome import profile_entry
from leerkansen.survey.models import Answer, Assessment, Response
from leerkansen.survey.services import completed_responses

from .. import simulation_reports
from ..simulation import (
    delete_simulated_organisations,
    planted_evidence,
    planted_profiles,
    simulate_organisations,
)
from ..simulation_draws import (
    DEFINING,
    GAP,
    PROFILE_IDS,
    SPREAD,
    TITLE,
    Settings,
    composition,
    draw_latent,
    prototypes,
    simulated_scores,
)

pytestmark = pytest.mark.django_db


def scores_of(organisation_ids) -> dict[int, list[float | None]]:
    rows = Report.objects.filter(assessment__organisation_id__in=organisation_ids)
    return {
        organisation_id: [scores[str(c)] for c in range(1, 10)]
        for organisation_id, scores in rows.values_list("assessment__organisation_id", "scores")
    }


def score_matrix(simulation) -> np.ndarray:
    found = scores_of(simulation.organisation_ids)
    return np.array([found[o] for o in simulation.organisation_ids], dtype=float)


def test_simulated_organisations_are_flagged_complete_and_keep_their_planted_profile():
    simulation = simulate_organisations(n=40, profiles=4, seed=7)

    organisations = Organisation.objects.filter(pk__in=simulation.organisation_ids)
    assert organisations.count() == 40
    assert all(o.is_simulated and not o.is_demo for o in organisations)
    assert Assessment.objects.filter(status=Assessment.Status.CLOSED).count() == 40
    assert Response.objects.filter(completed_on__isnull=False, report_step=1).count() == 40
    assert Report.objects.filter(final=True).count() == 40
    # Every diagnostic item of HR's version and the three needs; "weet niet" is an empty answer.
    assert Answer.objects.count() == 40 * (45 + 3)
    numbers = set(Answer.objects.filter(item_id__startswith="B").values_list("number", flat=True))
    assert numbers <= {1, 2, 3, 4, 5, None}
    # Six actions rated per round, all asked at random, none recommended.
    assert ActionRating.objects.count() == 40 * 6
    assert not ActionRating.objects.filter(recommended=True).exists()
    assert not ActionRating.objects.filter(asked_at_random=False).exists()
    # The planted profile is stored per organisation (and still named in the round's title).
    assert planted_profiles(simulation.organisation_ids) == dict(
        zip(simulation.organisation_ids, simulation.labels, strict=True)
    )
    titles = dict(
        Assessment.objects.filter(organisation_id__in=simulation.organisation_ids)
        .values_list("organisation_id", "title")
        .order_by()
    )
    assert [titles[i] for i in simulation.organisation_ids] == [
        TITLE.format(label) for label in simulation.labels
    ]
    run = SimulationRun.objects.get()
    assert run.settings["n"] == 40 and run.settings["seed"] == 7
    # Simulated data stays out of the real research views.
    assert not real_reports().exists()


@pytest.mark.parametrize(
    ("respondents", "missing"), [(1, 0.01), (1, 0.5), (8, 0.2), (20, 0.1), (5, 0.3)]
)
def test_each_report_holds_what_compute_report_makes_of_the_stored_responses(respondents, missing):
    simulation = simulate_organisations(
        n=25, profiles=5, seed=3, respondents=respondents, missing=missing
    )
    model = get_active_model()
    reports = {
        report.assessment.organisation_id: report
        for report in Report.objects.select_related("assessment")
    }
    without = 0
    for organisation_id in simulation.organisation_ids:
        assessment = Assessment.objects.get(organisation_id=organisation_id)
        responses = completed_responses(assessment)
        counts = role_counts([role for role, _answers in responses])
        try:
            expected = compute_report(
                responses, model=model, final=True, steps=[counts], protected=counts
            )
        except ValueError:
            # No score at all: no profile can be assigned, and the simulation wrote no report.
            assert organisation_id not in reports
            without += 1
            continue
        report = reports[organisation_id]
        for field, value in expected.items():
            if field in ("top3", "also_strong"):
                assert getattr(report, field) == []
            else:
                assert getattr(report, field) == value, field
    assert simulation.reports == len(simulation.organisation_ids) - without
    if missing == 0.5:
        assert without > 0


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


def _mean_within_profile_correlation(values: np.ndarray, labels: np.ndarray) -> float:
    found = []
    for label in np.unique(labels):
        matrix = np.corrcoef(values[labels == label], rowvar=False)
        found.append(matrix[np.triu_indices_from(matrix, k=1)].mean())
    return float(np.mean(found))


@pytest.mark.parametrize("correlation", [0.0, 0.3, 0.6])
def test_within_correlation_is_the_correlation_of_the_latent_scores_within_a_profile(
    correlation,
):
    settings = Settings(n=6_000, within_correlation=correlation, ratings=0)
    labels, latent = draw_latent(settings, np.random.default_rng(5))
    assert _mean_within_profile_correlation(latent, labels) == pytest.approx(correlation, abs=0.03)
    # Each challenge keeps its spread around the prototype.
    member = latent[labels == 0]
    assert member.std(axis=0).mean() == pytest.approx(SPREAD, rel=0.1)


def test_within_correlation_reaches_the_stored_scores():
    common = {"n": 400, "seed": 4, "missing": 0.0, "ratings": 0}
    independent = simulate_organisations(within_correlation=0.0, **common)
    correlated = simulate_organisations(within_correlation=0.5, **common)
    low, high = (
        _mean_within_profile_correlation(score_matrix(s), np.array(s.labels))
        for s in (independent, correlated)
    )
    assert abs(low) < 0.08
    # Item noise lowers it below 0.5: a score of five items has a reliability of about 0.65,
    # so the scores correlate about 0.5 x 0.65.
    assert 0.22 < high < 0.45


@pytest.mark.parametrize("separation", [15.0, 20.0, GAP])
def test_separation_is_the_gap_between_a_profiles_high_and_low_challenges(separation):
    planted = prototypes(5, separation)
    assert np.array_equal(prototypes(5, GAP), prototypes(5))
    for row, defining in zip(planted, DEFINING, strict=True):
        high = [row[c - 1] for c in defining]
        low = [row[c - 1] for c in range(1, 10) if c not in defining]
        if defining:
            assert set(high) == {42 + separation} and set(low) == {42}
        else:
            assert low == pytest.approx([42 - 2 * separation / 3] * 9)
    # And in the reports' scores: the mean of the defining challenges lies D above the rest.
    simulation = simulate_organisations(n=160, seed=6, separation=separation, ratings=0)
    scores, labels = score_matrix(simulation), np.array(simulation.labels)
    for label, defining in enumerate(DEFINING[:4], start=1):
        rows = scores[labels == label]
        inside = [c - 1 for c in defining]
        outside = [c - 1 for c in range(1, 10) if c not in defining]
        gap = np.nanmean(rows[:, inside]) - np.nanmean(rows[:, outside])
        assert gap == pytest.approx(separation, abs=4), (label, gap)


@pytest.mark.parametrize("missing", [0.0, 0.2])
def test_missing_is_the_share_of_statements_answered_weet_niet(missing):
    simulate_organisations(n=100, seed=8, missing=missing, ratings=0)
    answers = Answer.objects.filter(item_id__startswith="B")
    assert answers.count() == 100 * 45
    share = answers.filter(number=None).count() / answers.count()
    assert share == pytest.approx(missing, abs=0.02)


def test_respondents_have_their_roles_and_answer_only_their_versions_statements():
    assert composition(1) == ("hr",)
    assert composition(8) == ("hr",) + ("leidinggevende",) * 2 + ("medewerker",) * 5
    simulation = simulate_organisations(n=6, seed=9, respondents=8, ratings=0)
    expected = {"hr": 1, "leidinggevende": 2, "medewerker": 5}
    for assessment in Assessment.objects.filter(organisation_id__in=simulation.organisation_ids):
        assert assessment.roles == ["hr", "leidinggevende", "medewerker"]
        responses = assessment.responses.all()
        assert role_counts([r.role for r in responses]) == expected
        assert assessment.report.role_counts == expected
        assert assessment.report.response_count == 8
        for response in responses:
            version = questionnaire_for(response.role)
            asked = {item.id for item in version.items("B")}
            asked |= {need for need, _urgency in version.need_items()}
            answered = set(response.answers.values_list("item_id", flat=True))
            assert answered == asked, response.role
    # Employees are asked 36 statements and no needs; HR 45 and three needs.
    assert not Answer.objects.filter(response__role="medewerker", item_id__startswith="D").exists()
    assert Answer.objects.filter(response__role="hr").count() == 6 * (45 + 3)


def test_the_written_rows_are_what_estimation_reads():
    simulation = simulate_organisations(n=60, seed=10, respondents=3, missing=0.05, ratings=0)
    from_reports = organisation_scores(simulated=True)
    assert from_reports.organisation_ids == simulation.organisation_ids
    # The generator without the database gives the same scores.
    scores, labels = simulated_scores(60, seed=10, respondents=3, missing=0.05)
    assert tuple(labels) == simulation.labels
    complete = ~np.isnan(scores).any(axis=1)
    assert np.array_equal(from_reports.scores, scores[complete])
    # Without the reports, estimation computes the same scores from the stored answers.
    Report.objects.all().delete()
    from_answers = organisation_scores(simulated=True)
    assert from_answers.organisation_ids == from_reports.organisation_ids
    assert np.array_equal(from_answers.scores, from_reports.scores)


def test_the_planted_profiles_are_the_shipped_models_profiles():
    shipped = get_shipped_model()
    assert [p.id for p in shipped.profiles] == list(PROFILE_IDS)
    for profile, defining in zip(shipped.profiles, DEFINING, strict=True):
        high = {c for c, z in profile.means.items() if z >= DEFINING_Z}
        assert high == set(defining), profile.id


def test_ratings_recover_the_planted_evidence_on_average():
    simulation = simulate_organisations(n=400, profiles=4, seed=12, ratings=24)
    planted = planted_evidence()
    assert set(planted) == set(PROFILE_IDS[:4])
    actions = [a.id for a in get_catalogue().actions()]
    assert all(set(row) == set(actions) for row in planted.values())
    label_of = planted_profiles()
    organisation_of = dict(Assessment.objects.values_list("pk", "organisation_id"))
    cells: dict[tuple[str, str], list[float]] = {}
    for assessment, action, relevance, feasibility in ActionRating.objects.values_list(
        "assessment_id", "action_id", "relevance", "feasibility"
    ):
        profile = PROFILE_IDS[label_of[organisation_of[assessment]] - 1]
        cells.setdefault((profile, action), []).append(
            0.30 + 0.55 * (relevance * feasibility - 1) / 24
        )
    assert sum(len(v) for v in cells.values()) == 400 * 24
    observed = np.array([np.mean(values) for values in cells.values()])
    expected = np.array([planted[profile][action] for profile, action in cells])
    assert np.corrcoef(observed, expected)[0, 1] > 0.9
    assert np.abs(observed - expected).mean() < 0.04
    # The planted table spreads over the scale, with relevant actions above the others.
    assert (
        max(planted["druk-en-verspreid"].values()) - min(planted["druk-en-verspreid"].values())
        > 0.2
    )
    assert simulation.ratings == 400 * 24


def test_planted_evidence_is_the_exact_expectation_under_any_map_of_the_ratings():
    simulate_organisations(n=5, seed=1, profiles=2)
    run = SimulationRun.objects.get()
    products = planted_evidence(lambda relevance, feasibility: relevance * feasibility)
    for profile_id, row in run.planted["relevance"].items():
        for action_id, p in row.items():
            f = run.planted["feasibility"][action_id]
            assert sum(p) == pytest.approx(1) and sum(f) == pytest.approx(1)
            expected = sum((r + 1) * pr for r, pr in enumerate(p)) * sum(
                (x + 1) * px for x, px in enumerate(f)
            )
            assert products[profile_id][action_id] == pytest.approx(expected)
    default = planted_evidence()
    assert all(0.30 <= e <= 0.85 for row in default.values() for e in row.values())
    # Another process reads the same table from the database.
    assert planted_evidence(run=SimulationRun.objects.get()) == default


def test_the_command_writes_with_its_options_and_replaces():
    out = io.StringIO()
    call_command(
        "simulate_organisations",
        *("--n", "12", "--profiles", "2", "--seed", "3", "--respondents", "5"),
        *("--within-correlation", "0.3", "--separation", "20", "--missing", "0.05"),
        *("--ratings", "4"),
        stdout=out,
    )
    assert "Wrote 12 simulated organisations (seed 3)" in out.getvalue()
    assert "1 hr, 1 leidinggevende, 3 medewerker; 12 reports; 48 action ratings" in out.getvalue()
    run = SimulationRun.objects.get()
    assert run.settings == {
        "n": 12,
        "profiles": 2,
        "seed": 3,
        "within_correlation": 0.3,
        "separation": 20.0,
        "missing": 0.05,
        "respondents": 5,
        "ratings": 4,
    }
    real = Organisation.objects.create(name="Echt")

    out = io.StringIO()
    call_command("simulate_organisations", "--n", "5", "--replace", stdout=out)
    assert "Removed 12 simulated organisations." in out.getvalue()
    assert Organisation.objects.filter(is_simulated=True).count() == 5
    assert Organisation.objects.filter(pk=real.pk).exists()
    assert SimulationRun.objects.count() == 1 and PlantedProfile.objects.count() == 5
    assert Response.objects.count() == 5 and ActionRating.objects.count() == 5 * 6


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--profiles", "9"),
        ("--within-correlation", "1"),
        ("--separation", "-5"),
        ("--missing", "0.9"),
        ("--respondents", "0"),
        ("--ratings", "49"),
        ("--n", "0"),
    ],
)
def test_the_command_refuses_a_value_out_of_range_and_names_the_option(option, value):
    with pytest.raises(CommandError, match=option):
        call_command("simulate_organisations", option, value, stdout=io.StringIO())
    assert not Organisation.objects.exists()


def test_deleting_simulated_organisations_leaves_real_ones():
    simulate_organisations(n=30, seed=2, respondents=3)
    real = Organisation.objects.create(name="Echt")
    assert delete_simulated_organisations(chunk=7) == 30
    assert list(Organisation.objects.all()) == [real]
    assert not Answer.objects.exists() and not ActionRating.objects.exists()
    assert not SimulationRun.objects.exists() and planted_profiles() == {}


def test_under_a_model_with_covariance_matrices_every_round_goes_to_assign_profile(monkeypatch):
    model = get_active_model()
    scores, _labels = simulated_scores(12, seed=3)
    called = []

    def counting(given, used):
        called.append(given)
        return assign_profile(given, used)

    monkeypatch.setattr(simulation_reports, "assign_profile", counting)
    # A diagonal model: only rounds on a tie or with a missing score go there (none here).
    simulation_reports.profile_entries(scores, model)
    assert called == []
    covariances = {c: {d: float(c == d) for d in range(1, 10)} for c in range(1, 10)}
    with_matrices = model.model_copy(
        update={
            "profiles": tuple(
                p.model_copy(update={"covariances": covariances}) for p in model.profiles
            )
        }
    )
    entries = simulation_reports.profile_entries(scores, with_matrices)
    assert len(called) == 12
    assert entries == [
        profile_entry(assign_profile(dict(enumerate(row.tolist(), 1)), with_matrices), model)
        for row in scores
    ]


def test_bulk_inserted_rows_get_their_keys_in_order_and_later_inserts_new_ones():
    """insert_rows(returning=True) gives each row's key in the order of the rows (COPY with
    keys taken from the sequence on PostgreSQL, INSERT … RETURNING on SQLite), and an
    ordinary insert afterwards gets a key of its own."""
    from ..bulk_insert import insert_rows

    before = Organisation.objects.create(name="Ervoor")
    names = [f"Bulk {i}" for i in range(7)]
    ids = insert_rows(
        Organisation,
        ("name", "sector", "size_band", "is_simulated"),
        [(name, "", "", True) for name in names],
        returning=True,
    )

    assert len(set(ids)) == 7 and before.pk not in ids
    assert [Organisation.objects.get(pk=pk).name for pk in ids] == names
    after = Organisation.objects.create(name="Erna")
    assert after.pk not in ids and after.pk > max(ids)
    assert insert_rows(Organisation, ("name",), [], returning=True) == []
