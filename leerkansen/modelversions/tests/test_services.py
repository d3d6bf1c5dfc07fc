"""Model versions: drafts, activation (all or nothing), caching and reproducible reports."""

import copy
import re

import pytest

from leerkansen.modelversions import services
from leerkansen.modelversions.models import ModelActivation, ModelVersion, content_checksum
from leerkansen.modelversions.services import (
    ModelVersionError,
    UnknownModelVersion,
    activate,
    get_active_model,
    get_model,
    rename_profiles,
)
from leerkansen.organisations.models import SecurityEvent
from leerkansen.reports.models import Report
from leerkansen.reports.services import create_report, recompute_report, refresh_report
from leerkansen.reports.tests import add_responses, make_completed_assessment
from leerkansen.scoring.model import ModelFileError, get_shipped_model

from . import make_draft

pytestmark = pytest.mark.django_db

# Fields of a report that its model decides, directly or through the profile.
MODEL_FIELDS = ("model_version", "scores", "profile", "top3", "needs", "practices")


def renamed_and_reweighted(content: dict) -> None:
    """Another model: new profile names and evidence that prefers challenge 9's actions."""
    for profile in content["profiles"]:
        profile["name"] = "Nieuw " + profile["name"]
    for row in content["evidence"].values():
        for action_id in row:
            row[action_id] = 0.9 if action_id.startswith("9.") else 0.3


def test_without_an_active_version_reports_use_the_shipped_model():
    assert get_active_model() is get_shipped_model()
    assert services.active_version() == "1.1.0"
    assert get_model("1.1.0") is get_shipped_model()
    with pytest.raises(UnknownModelVersion):
        get_model("1.2.0")


def test_drafts_get_the_next_minor_version_written_into_their_content():
    first, second = make_draft(), make_draft()
    assert (first.version, second.version) == ("1.2.0", "1.3.0")
    assert first.content["version"] == "1.2.0"
    assert first.status == ModelVersion.Status.DRAFT
    assert get_model("1.3.0").version == "1.3.0"
    # A draft is not used until it is activated.
    assert get_active_model() is get_shipped_model()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c["evidence"].pop("op-weg"), "evidence: missing profiles op-weg"),
        (lambda c: c["profiles"][0]["means"].pop("9"), "profiles[0].means: missing challenges 9"),
        (lambda c: c["profiles"][0].update(weight=0.5), "weights add up to"),
        (lambda c: c.update(status="guessed"), "status:"),
    ],
)
def test_a_draft_is_checked_like_a_model_file_before_it_is_saved(change, expected):
    with pytest.raises(ModelFileError, match=re.escape(expected)):
        make_draft(change)
    assert not ModelVersion.objects.exists()


def test_every_save_of_the_content_is_checked():
    draft = make_draft()
    draft.content = {**draft.content, "dominance_threshold": 2}
    with pytest.raises(ModelFileError, match="dominance_threshold"):
        draft.save()
    draft.refresh_from_db()
    assert draft.content["dominance_threshold"] == 0.7


def test_activation_switches_the_model_at_once_and_is_recorded(django_user_model):
    user = django_user_model.objects.create_user("onderzoeker@ugent.be")
    draft = make_draft(renamed_and_reweighted)
    assert get_active_model().profiles[0].name == "Druk en verspreid"

    assert activate(draft.version, user=user) == "1.1.0"

    # The same process sees the new version immediately: nothing stale in a cache.
    assert get_active_model().version == "1.2.0"
    assert get_active_model().profiles[0].name == "Nieuw Druk en verspreid"
    draft.refresh_from_db()
    assert draft.status == ModelVersion.Status.ACTIVE
    assert draft.activated_by == user and draft.activated_at is not None
    activation = ModelActivation.objects.get()
    assert (activation.version, activation.previous_version, activation.user) == (
        "1.2.0",
        "1.1.0",
        user,
    )

    second = make_draft()
    assert activate(second.version, user=user) == "1.2.0"
    draft.refresh_from_db()
    assert draft.status == ModelVersion.Status.RETIRED
    assert get_active_model().version == "1.3.0"

    # Back to the shipped model: no version is active any more.
    assert activate("1.1.0", user=user) == "1.3.0"
    assert get_active_model() is get_shipped_model()
    assert not ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).exists()
    assert ModelActivation.objects.count() == 3
    # And in the security log, next to logins and exports.
    logged = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MODEL_ACTIVATED)
    assert list(logged.order_by("pk").values_list("detail", "user")) == [
        ("1.1.0 -> 1.2.0", user.pk),
        ("1.2.0 -> 1.3.0", user.pk),
        ("1.3.0 -> 1.1.0", user.pk),
    ]


def test_a_failure_halfway_leaves_the_previous_version_active():
    previous = make_draft()
    activate(previous.version)
    broken = make_draft()
    # The content goes bad after it was drafted (as when the catalogue changes): activation
    # retires the previous version first and only then finds the problem.
    content = copy.deepcopy(broken.content)
    del content["evidence"]["op-weg"]["1.1"]
    # Bypasses save(), which would refuse it.
    ModelVersion.objects.filter(pk=broken.pk).update(
        content=content, checksum=content_checksum(content)
    )

    with pytest.raises(ModelFileError, match=re.escape("evidence.op-weg: missing actions 1.1")):
        activate(broken.version)

    previous.refresh_from_db()
    broken.refresh_from_db()
    assert previous.status == ModelVersion.Status.ACTIVE
    assert broken.status == ModelVersion.Status.DRAFT and broken.activated_at is None
    assert get_active_model().version == previous.version
    assert list(ModelActivation.objects.values_list("version", flat=True)) == [previous.version]


def test_activating_the_active_or_an_unknown_version_changes_nothing():
    draft = make_draft()
    activate(draft.version)
    with pytest.raises(ModelVersionError, match="already active") as error:
        activate(draft.version)
    assert error.value.code == "already_active"
    with pytest.raises(UnknownModelVersion):
        activate("7.0.0")
    assert services.active_version() == draft.version
    assert ModelActivation.objects.count() == 1


def test_a_version_estimated_on_simulated_organisations_is_never_activated():
    draft = make_draft(fit={"kind": "profiles", "simulated": True})
    with pytest.raises(ModelVersionError) as error:
        activate(draft.version)
    assert error.value.code == "simulated"
    assert services.active_version() == "1.1.0"


def test_only_a_draft_is_renamed_and_names_stay_distinct():
    draft = make_draft()
    rename_profiles(draft, {"op-weg": "  Goed op   weg ", "druk-en-verspreid": "Veel drukte"})
    assert [p.name for p in get_model(draft.version).profiles][:1] == ["Veel drukte"]
    assert get_model(draft.version).profile("op-weg").name == "Goed op weg"
    # The ids stay: reports and evidence refer to them.
    assert get_model(draft.version).profile("op-weg").id == "op-weg"

    with pytest.raises(ModelVersionError, match="same name"):
        rename_profiles(draft, {"op-weg": "veel DRUKTE"})
    with pytest.raises(ModelVersionError, match="unknown profiles"):
        rename_profiles(draft, {"niet-bestaand": "X"})
    activate(draft.version)
    draft.refresh_from_db()
    with pytest.raises(ModelVersionError, match="not a draft"):
        rename_profiles(draft, {"op-weg": "Later"})
    assert get_active_model().profile("op-weg").name == "Goed op weg"


def test_an_old_report_reproduces_exactly_after_a_new_version_is_activated():
    assessment = make_completed_assessment(needs=(1, 4, 5))
    old = create_report(assessment)
    assert old.model_version == "1.1.0"
    stored = {field: getattr(old, field) for field in MODEL_FIELDS}

    activate(make_draft(renamed_and_reweighted).version)

    # Recomputed with its own version, the old report is exactly what it was.
    again = recompute_report(old)
    assert {field: again[field] for field in MODEL_FIELDS} == stored
    # An update of its (still open) round, after 5 new responses, keeps its version too.
    add_responses(assessment, "hr", 5)
    refreshed = refresh_report(assessment)
    assert refreshed.revision == 2 and refreshed.response_count == 6
    assert refreshed.model_version == "1.1.0"
    assert refreshed.profile["name"] == stored["profile"]["name"] == "Druk en verspreid"
    # The same answers again: the same actions (the counts in their parts grow with the round).
    assert [e["action"] for e in refreshed.top3] == [e["action"] for e in stored["top3"]]

    # A new report takes the new version: same answers, another model, another outcome.
    new = create_report(make_completed_assessment(needs=(1, 4, 5), organisation_name="Ander"))
    assert new.model_version == "1.2.0"
    assert new.profile["name"] == "Nieuw Druk en verspreid"
    assert new.top3 != stored["top3"]
    assert Report.objects.get(pk=old.pk).model_version == "1.1.0"


def test_a_report_of_an_unknown_version_cannot_be_recomputed():
    report = create_report(make_completed_assessment())
    Report.objects.filter(pk=report.pk).update(model_version="0.9.0")
    report.refresh_from_db()
    with pytest.raises(UnknownModelVersion):
        recompute_report(report)
