"""Estimating the evidence E(action, profile) from action ratings: empirical-Bayes shrinkage
toward the middle of the scale, smooth in n, with a standard error and a weighted n per cell;
planted evidence found back; unrated actions never ahead of measured ones on the prior alone;
the uncertainty stored with the draft and shown on the model page."""

import copy
import io
import itertools
import math
import random
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from leerkansen.content.catalogue import get_catalogue
from leerkansen.modelversions.models import ModelVersion
from leerkansen.modelversions.services import activate, get_model
from leerkansen.reports.models import ActionRating, Report
from leerkansen.reports.tests import make_report
from leerkansen.research import simulation
from leerkansen.research.evidence import compare_with_planted, estimate_evidence
from leerkansen.research.evidence_bayes import (
    NoEvidence,
    Rating,
    estimate_table,
    rating_evidence,
    shrink,
)
from leerkansen.research.simulation import simulate_organisations
from leerkansen.scoring.model import (
    SHIPPED_FILES,
    ModelFileError,
    get_shipped_model,
    validate_model,
)
from leerkansen.testing import make_researcher

LOW, HIGH = 0.30, 0.85
PRIOR = (LOW + HIGH) / 2
ACTIONS = [action.id for action in get_catalogue().actions()]


PLANTED_LINE = (
    r"Against planted, (\d+) cells with n >= (\d+): correlation (-?\d\.\d\d|nan), "
    r"mean absolute error (\d\.\d{3}|nan), within 2 SE (\d+%|nan%)"
)


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("estimate_evidence", *args, stdout=out)
    return out.getvalue().splitlines()


def background(model, seed: int = 3, per_cell: int = 8) -> list[Rating]:
    """Ratings of clear rounds on every cell, so that sigma and tau barely move with one cell."""
    rng = random.Random(seed)
    ratings = []
    for profile in model.profiles:
        for action_id in ACTIONS:
            centre = rng.randint(1, 5)
            for _ in range(per_cell):
                relevance = min(5, max(1, centre + rng.choice((-1, 0, 0, 1))))
                ratings.append(Rating({profile.id: 1.0}, action_id, relevance, rng.randint(2, 4)))
    return ratings


# The scale and the shrinkage --------------------------------------------------------------


def test_ratings_are_rescaled_onto_the_evidence_scale():
    assert rating_evidence(1, 1, LOW, HIGH) == pytest.approx(LOW)
    assert rating_evidence(5, 5, LOW, HIGH) == pytest.approx(HIGH)
    assert rating_evidence(3, 3, LOW, HIGH) == pytest.approx(LOW + 0.55 * 8 / 24)


def test_shrinkage_moves_smoothly_and_monotonically_from_the_prior_to_the_mean():
    sigma2, tau2, mean = 0.15**2, 0.08**2, 0.80
    ns = [i / 4 for i in range(0, 4 * 200 + 1)]
    estimates, errors = zip(*[shrink(mean, n, PRIOR, sigma2, tau2)[:2] for n in ns], strict=True)
    # No rating: the prior, with the spread of the cells as its standard error.
    assert estimates[0] == PRIOR and errors[0] == pytest.approx(0.08)
    steps = [b - a for a, b in itertools.pairwise(estimates)]
    # Always toward the mean, never past it, each step smaller than the one before: no jump.
    assert all(step > 0 for step in steps)
    assert all(later <= earlier + 1e-15 for earlier, later in itertools.pairwise(steps))
    assert estimates[-1] < mean and mean - estimates[-1] < 0.01
    # Around 20 ratings the estimate moves by what it moved just before (no cut-off there).
    at = {n: e for n, e in zip(ns, estimates, strict=True)}
    assert at[20] - at[19.75] == pytest.approx(at[19.75] - at[19.5], rel=0.03)
    assert at[20] - at[19.75] < 0.001
    # The standard error falls with n.
    assert all(b < a for a, b in itertools.pairwise(errors))
    assert errors[-1] == pytest.approx(math.sqrt(1 / (1 / tau2 + 200 / sigma2)))


def test_a_cell_moves_smoothly_as_its_ratings_come_in_one_by_one():
    """Through estimate_table: the cell's value grows with each rating, with no jump at 20."""
    model = get_shipped_model()
    rest = background(model)
    values, errors = [], []
    for count in range(0, 41):
        cell = [Rating({"op-weg": 1.0}, "9.1", 5, 5)] * count
        result = estimate_table(model, rest + cell)
        values.append(result.cells["op-weg", "9.1"].estimate)
        errors.append(result.cells["op-weg", "9.1"].se)
    assert values[0] < values[1]
    steps = [b - a for a, b in itertools.pairwise(values)]
    assert all(step > 0 for step in steps)
    # Each new rating moves it less than the one before (within a hair: sigma and tau move too).
    assert all(later <= earlier * 1.02 for earlier, later in itertools.pairwise(steps))
    assert steps[19] == pytest.approx(steps[18], rel=0.15)
    assert all(b < a for a, b in itertools.pairwise(errors))
    assert result.cells["op-weg", "9.1"].n == 8 + 40


def test_a_rating_counts_with_the_rounds_probability_of_the_profile():
    model = get_shipped_model()
    mixed = {"druk-en-verspreid": 0.9, "op-weg": 0.1}
    ratings = background(model) + [Rating(mixed, "2.1", 5, 5)] * 23
    result = estimate_table(model, ratings)
    druk, op_weg = result.cells["druk-en-verspreid", "2.1"], result.cells["op-weg", "2.1"]
    assert druk.n == pytest.approx(8 + 23 * 0.9)
    assert op_weg.n == pytest.approx(8 + 23 * 0.1)
    assert result.uncertainty["druk-en-verspreid"]["2.1"] == {
        "n": round(druk.n, 4),
        "se": round(druk.se, 4),
    }
    # The profile the rounds belong to moves much more toward their "5 x 5".
    assert druk.shrinkage > op_weg.shrinkage and druk.se < op_weg.se


def test_without_any_action_rated_twice_in_a_profile_nothing_is_estimated():
    model = get_shipped_model()
    with pytest.raises(NoEvidence, match="rated twice"):
        estimate_table(model, [])
    with pytest.raises(NoEvidence):
        estimate_table(model, [Rating({"op-weg": 1.0}, a, 4, 4) for a in ACTIONS])


# The prior: the middle of the scale ---------------------------------------------------------


def test_unrated_actions_sit_at_the_middle_not_at_the_invented_085():
    model = get_shipped_model()
    assert model.evidence["druk-en-verspreid"]["1.1"] == 0.85
    ratings = [Rating({"druk-en-verspreid": 1.0}, "2.1", 4, 4)] * 12
    ratings += [Rating({"druk-en-verspreid": 1.0}, "2.2", 2, 3)] * 12
    result = estimate_table(model, ratings)
    assert result.prior == pytest.approx(PRIOR)
    # 1.1 was designed at 0.85 but nobody rated it: the middle, with the widest uncertainty.
    unrated = result.cells["druk-en-verspreid", "1.1"]
    assert (unrated.n, unrated.mean, unrated.estimate) == (0.0, None, pytest.approx(PRIOR))
    assert unrated.se == pytest.approx(result.tau)
    assert result.evidence["druk-en-verspreid"]["1.1"] == round(PRIOR, 3)
    # 2.1, rated 4 x 4 (0.64 on the scale), is now ahead of it; 2.2, rated 2 x 3, behind.
    assert result.evidence["druk-en-verspreid"]["2.1"] > result.evidence["druk-en-verspreid"]["1.1"]
    assert result.evidence["druk-en-verspreid"]["2.2"] < result.evidence["druk-en-verspreid"]["1.1"]


rating_lists = st.lists(
    st.tuples(
        st.sampled_from(["druk-en-verspreid", "op-weg", "alleen-aan-de-slag"]),
        st.sampled_from(ACTIONS[:12]),
        st.integers(1, 5),
        st.integers(1, 5),
        st.floats(0.05, 1.0),
    ),
    min_size=2,
    max_size=80,
)


@settings(max_examples=60, derandomize=True)
@given(rating_lists)
def test_an_unrated_action_never_outranks_a_measured_one_on_the_prior_alone(rows):
    """Whatever the ratings: an action without ratings in a profile is never ahead of an action
    whose ratings lie at or above the middle, and sits at or below every designed 0.85."""
    model = get_shipped_model()
    ratings = [Rating({k: p}, a, r, f) for k, a, r, f, p in rows]
    # Two of the same, so that the spread of ratings can be estimated.
    ratings += [Rating({"op-weg": 1.0}, "9.9", 3, 3), Rating({"op-weg": 1.0}, "9.9", 3, 4)]
    try:
        result = estimate_table(model, ratings)
    except NoEvidence:
        return
    for profile in model.profiles:
        cells = {a: result.cells[profile.id, a] for a in ACTIONS}
        unrated = [cell.estimate for cell in cells.values() if cell.n == 0]
        measured_high = [c.estimate for c in cells.values() if c.n > 0 and c.mean >= PRIOR]
        assert all(value == pytest.approx(PRIOR) for value in unrated)
        if unrated and measured_high:
            assert max(unrated) <= min(measured_high) + 1e-12


# Planted evidence found back --------------------------------------------------------------


def planted_table(profiles: list[str], seed: int) -> tuple[dict, dict]:
    """Per cell a planted distribution of relevance and feasibility (1-5), and its planted E:
    the expected rating on the evidence scale (relevance and feasibility independent)."""
    rng = random.Random(seed)
    distributions, planted = {}, {}
    for profile_id in profiles:
        planted[profile_id] = {}
        for action_id in ACTIONS:
            pair = []
            for _aspect in range(2):
                centre = rng.uniform(1.3, 4.9)
                weights = [math.exp(-((x - centre) ** 2) / (2 * 0.7**2)) for x in range(1, 6)]
                total = sum(weights)
                pair.append([w / total for w in weights])
            distributions[profile_id, action_id] = pair
            expected = [sum((x + 1) * p for x, p in enumerate(d)) for d in pair]
            planted[profile_id][action_id] = (
                LOW + (HIGH - LOW) * (expected[0] * expected[1] - 1) / 24
            )
    return distributions, planted


def planted_ratings(distributions, profiles, rounds_per_profile, seed) -> list[Rating]:
    """Rounds that clearly (p 0.85-0.99) belong to one profile; each rates 12 of the 48 actions,
    in a rotation that gives every cell about rounds_per_profile / 4 ratings."""
    rng = random.Random(seed)
    ratings = []
    for profile_id in profiles:
        for number in range(rounds_per_profile):
            own = rng.uniform(0.85, 0.99)
            probabilities = {k: (1 - own) / (len(profiles) - 1) for k in profiles}
            probabilities[profile_id] = own
            # The round's probabilities are honest: it belongs to a profile with them.
            true = rng.choices(profiles, [probabilities[k] for k in profiles])[0]
            for index, action_id in enumerate(ACTIONS):
                if (index + number) % 4:
                    continue
                relevance, feasibility = distributions[true, action_id]
                ratings.append(
                    Rating(
                        probabilities,
                        action_id,
                        rng.choices(range(1, 6), relevance)[0],
                        rng.choices(range(1, 6), feasibility)[0],
                    )
                )
    return ratings


@pytest.mark.parametrize("seed", [11, 12])
def test_planted_evidence_is_found_back_with_its_uncertainty(seed):
    model = get_shipped_model()
    profiles = [profile.id for profile in model.profiles][:4]
    distributions, planted = planted_table(profiles, seed)
    # 160 rounds per profile: 40 ratings of its own rounds in every cell.
    ratings = planted_ratings(distributions, profiles, 160, seed)
    result = estimate_table(model, ratings)
    assert min(result.cells[k, a].n for k in profiles for a in ACTIONS) >= 40 * 0.85

    comparison = compare_with_planted(result, planted)
    assert comparison.cells == 4 * 48
    assert comparison.correlation >= 0.8
    assert comparison.mean_absolute_error <= 0.02
    # The standard errors are honest: about 95% of the planted values within 2 SE.
    assert comparison.within_2_se >= 0.9
    # With a tenth of the ratings the estimates are worse and say so (larger SE).
    few = estimate_table(model, planted_ratings(distributions, profiles, 16, seed))
    assert compare_with_planted(few, planted).mean_absolute_error > comparison.mean_absolute_error
    assert few.cells[profiles[0], "1.1"].se > result.cells[profiles[0], "1.1"].se


# The draft, the command and the model page ------------------------------------------------


def rate(assessment, action_id: str, relevance: int, feasibility: int, **flags) -> None:
    """Rate (again: simulated rounds may have rated the action already)."""
    ActionRating.objects.update_or_create(
        assessment=assessment,
        action_id=action_id,
        defaults={"relevance": relevance, "feasibility": feasibility, **flags},
    )


@pytest.fixture
def rated_rounds(db):
    """21 clear "Druk en verspreid" rounds: all rate 2.1 (4-5 x 4), ten 3.1 (5 x 4-5), two
    of them 1.2 as asked at random; simulated organisations' ratings are no research data."""
    rounds = [make_report(organisation_name=f"Org {i}").assessment for i in range(21)]
    report = Report.objects.get(assessment=rounds[0])
    assert report.profile["id"] == "druk-en-verspreid"
    assert report.profile["probabilities"]["druk-en-verspreid"] > 0.96
    for number, assessment in enumerate(rounds):
        rate(assessment, "2.1", (5, 4, 5)[number % 3], 4, recommended=True)
    for number, assessment in enumerate(rounds[:10]):
        rate(assessment, "3.1", 5, (5, 4)[number % 2])
    for assessment in rounds[:2]:
        rate(assessment, "1.2", 2, 2, asked_at_random=True)
    for organisation_id in simulate_organisations(n=5, profiles=1, seed=1).organisation_ids:
        for simulated in Report.objects.filter(assessment__organisation_id=organisation_id):
            rate(simulated.assessment, "3.1", 1, 1)
    return rounds


def test_the_draft_stores_every_cell_with_its_weighted_n_and_standard_error(rated_rounds):
    lines = run()

    draft = ModelVersion.objects.get()
    assert draft.based_on == "1.1.0" and draft.fit["kind"] == "evidence"
    model = get_model(draft.version)
    evidence, uncertainty = model.evidence["druk-en-verspreid"], model.evidence_uncertainty
    mean_21 = (14 * rating_evidence(5, 4, LOW, HIGH) + 7 * rating_evidence(4, 4, LOW, HIGH)) / 21
    mean_31 = (rating_evidence(5, 5, LOW, HIGH) + rating_evidence(5, 4, LOW, HIGH)) / 2
    # Between the middle and the mean; more ratings, closer to the mean.
    # Moved from the middle to the ratings (a little past their mean: the rounds belong to
    # "Druk en verspreid" with p 0.97, and the rest of their rating is put on the other
    # profiles, still near the middle).
    assert PRIOR < evidence["2.1"] < mean_21 + 0.01 and PRIOR < evidence["3.1"] < mean_31 + 0.01
    weight = {
        a: (evidence[a] - PRIOR) / (m - PRIOR) for a, m in (("2.1", mean_21), ("3.1", mean_31))
    }
    assert weight["2.1"] > weight["3.1"]
    cell = uncertainty["druk-en-verspreid"]["2.1"]
    assert 20.0 < cell.n < 21.0 and 0 < cell.se < uncertainty["druk-en-verspreid"]["3.1"].se
    # Unrated: the middle, n 0, SE tau; the simulated ratings of 3.1 (1 x 1) left out.
    assert evidence["1.1"] == round(PRIOR, 3)
    assert uncertainty["druk-en-verspreid"]["1.1"].n == 0
    assert uncertainty["druk-en-verspreid"]["1.1"].se == pytest.approx(draft.fit["tau"], abs=1e-4)
    assert draft.fit["ratings"] == 21 + 10 + 2
    assert draft.fit["origins"] == {"recommended": 21, "random": 2, "chosen": 10}
    assert draft.fit["prior"] == pytest.approx(PRIOR)
    rated = [(k, a) for k, row in uncertainty.items() for a, cell in row.items() if cell.n > 0]
    assert ("druk-en-verspreid", "1.2") in rated and ("druk-en-verspreid", "1.1") not in rated
    assert draft.fit["cells_estimated"] == len(rated) and draft.fit["cells_total"] == 5 * 48
    assert "op het midden van de schaal" in model.description_nl
    assert lines[0] == (
        f"33 ratings (21 of top-3 actions, 2 asked at random, 10 chosen); {len(rated)} of 240 "
        "cells rated."
    )
    assert f"Draft model version {draft.version} written (based on 1.1.0)." in lines
    assert any(line.startswith("  druk-en-verspreid 2.1: ") and "n 20." in line for line in lines)


def test_a_dry_run_prints_and_writes_nothing(rated_rounds):
    lines = run("--dry-run")
    assert not ModelVersion.objects.exists()
    assert lines[0].startswith("33 ratings")


def test_the_model_page_shows_the_evidence_with_its_uncertainty(rated_rounds):
    _result, draft = estimate_evidence()
    researcher = Client()
    researcher.force_login(make_researcher())
    html = researcher.get(f"/onderzoek/modellen/{draft.version}/").content.decode()
    section = html[html.index('id="bewijs"') :]
    assert "Bewijs per actie en profiel, met de onzekerheid" in section
    assert f"{draft.fit['cells_estimated']} van 240 combinaties zijn beoordeeld" in section
    assert (
        "33 beoordelingen: 21 van acties uit de top 3 van het rapport, 2 van acties waarnaar "
        "willekeurig gevraagd werd, 10 van acties die de organisatie zelf koos." in section
    )
    model = get_model(draft.version)
    row = section[section.index('id="bewijs-actie-2-1"') :]
    row = row[: row.index("</tr>")]
    cell = model.evidence_uncertainty["druk-en-verspreid"]["2.1"]
    value = f"{model.evidence['druk-en-verspreid']['2.1']:.2f}".replace(".", ",")
    assert f"{value}&nbsp;±&nbsp;{cell.se:.2f}".replace(".", ",") in row
    assert f"n = {cell.n:.1f}".replace(".", ",") in row
    unrated = section[section.index('id="bewijs-actie-1-1"') :]
    assert "niet beoordeeld" in unrated[: unrated.index("</tr>")]
    # The shipped model's evidence is designed, not measured: no such table.
    shipped = researcher.get("/onderzoek/modellen/1.1.0/").content.decode()
    assert 'id="bewijs"' not in shipped


def test_evidence_is_estimated_on_the_active_version(db):
    base = ModelVersion.objects.create(
        version="1.2.0",
        content={**get_shipped_model().model_dump(mode="json"), "version": "1.2.0"},
    )
    activate(base.version)
    rounds = [make_report(organisation_name=f"Org {i}").assessment for i in range(21)]
    for number, assessment in enumerate(rounds):
        rate(assessment, "1.1", 1, (1, 2)[number % 2])

    _result, draft = estimate_evidence()

    assert draft.version == "1.3.0" and draft.based_on == "1.2.0"
    low = get_model("1.3.0").evidence["druk-en-verspreid"]["1.1"]
    assert LOW < low < PRIOR


def test_without_replication_no_evidence_draft_is_written(db):
    assessment = make_report().assessment
    rate(assessment, "1.1", 5, 5)
    with pytest.raises(CommandError, match="rated twice"):
        run()
    with pytest.raises(NoEvidence):
        estimate_evidence()
    assert not ModelVersion.objects.exists()


def test_simulated_compares_with_the_planted_evidence(db, monkeypatch):
    ids = simulate_organisations(n=6, profiles=1, seed=2).organisation_ids
    rounds = [
        report.assessment for report in Report.objects.filter(assessment__organisation__in=ids)
    ]
    for assessment in rounds:
        rate(assessment, "1.1", 5, 5)
        rate(assessment, "1.2", 1, 2)
    planted = {profile.id: {"1.1": 0.8, "1.2": 0.35} for profile in get_shipped_model().profiles}
    monkeypatch.setattr(
        simulation, "planted_evidence", lambda *args, **kwargs: planted, raising=False
    )
    lines = run("--simulated", "--dry-run")
    found = [re.fullmatch(PLANTED_LINE, line) for line in lines if line.startswith("Against")]
    assert [match[2] for match in found] == ["1", "40"]
    # With at least one weighted rating: the dominant profiles' 1.1, rated 5 x 5 where 0.80 is
    # planted, and 1.2, rated 1 x 2 where 0.35 is: they agree.
    assert int(found[0][1]) >= 2 and float(found[0][3]) > 0.9
    # Six rounds: no cell has 40.
    assert found[1][1] == "0" and found[1][3] == "nan"


def test_the_simulations_planted_evidence_comes_back_with_its_uncertainty(db):
    """simulate_organisations plants ratings (asked at random) and keeps their expectation;
    at n = 2,000 with 5 ratings each, most cells have 40 weighted ratings or more."""
    simulate_organisations(n=2_000, profiles=4, seed=1, ratings=5)
    lines = run("--simulated", "--dry-run")

    assert lines[0].startswith("10000 ratings (0 of top-3 actions, 10000 asked at random, 0 ")
    found = {
        int(match[2]): match
        for match in (re.fullmatch(PLANTED_LINE, line) for line in lines)
        if match is not None
    }
    assert set(found) == {1, 40}
    at_40 = found[40]
    assert int(at_40[1]) >= 150
    assert float(at_40[3]) >= 0.8
    assert float(at_40[4]) <= 0.03
    assert int(at_40[5].rstrip("%")) >= 85
    assert not ModelVersion.objects.exists()


# The model file's optional uncertainty -----------------------------------------------------


def test_shipped_model_files_stay_valid_without_uncertainty():
    for version in SHIPPED_FILES:
        assert get_shipped_model(version).evidence_uncertainty is None


def test_a_model_with_uncertainty_is_checked_against_its_profiles_and_the_catalogue():
    content = get_shipped_model().model_dump(mode="json")
    content["evidence_uncertainty"] = {
        profile_id: {action_id: {"n": 0, "se": 0.1} for action_id in row}
        for profile_id, row in content["evidence"].items()
    }
    model = validate_model(content, "test")
    assert model.evidence_uncertainty["op-weg"]["1.1"].se == 0.1

    missing = copy.deepcopy(content)
    del missing["evidence_uncertainty"]["op-weg"]["4.2"]
    with pytest.raises(ModelFileError, match=r"evidence_uncertainty\.op-weg: missing actions 4\.2"):
        validate_model(missing, "test")
    unknown = copy.deepcopy(content)
    unknown["evidence_uncertainty"]["geen-profiel"] = unknown["evidence_uncertainty"]["op-weg"]
    with pytest.raises(ModelFileError, match="unknown profiles geen-profiel"):
        validate_model(unknown, "test")
    negative = copy.deepcopy(content)
    negative["evidence_uncertainty"]["op-weg"]["1.1"]["se"] = -0.1
    with pytest.raises(ModelFileError, match="se"):
        validate_model(negative, "test")
