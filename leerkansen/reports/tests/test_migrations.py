"""Reports made before they stored their thresholds get the values in force."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from leerkansen.modelversions.models import ModelVersion, content_checksum
from leerkansen.organisations.models import Organisation
from leerkansen.reports.models import Report
from leerkansen.scoring.model import get_shipped_model
from leerkansen.survey.models import Assessment

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("reports", "0004_published_in_steps")


def old_report(OldReport, assessment_id: int, model_version: str, **fields):
    """A report as an older migration state stored it, with no content of its own."""
    return OldReport.objects.create(
        assessment_id=assessment_id,
        questionnaire_version="1.0.0",
        model_version=model_version,
        catalogue_version="1.0.0",
        response_count=1,
        scores={},
        profile={},
        top3=[],
        needs=[],
        practices={},
        **fields,
    )


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def test_existing_reports_get_the_thresholds_in_force_and_their_models_dominance(settings):
    settings.ANONYMITY_THRESHOLD, settings.FREE_TEXT_THRESHOLD = 6, 9
    content = {**get_shipped_model().model_dump(mode="json"), "version": "1.2.0"}
    content["dominance_threshold"] = 0.6
    ModelVersion.objects.create(
        version="1.2.0", status="active", content=content, checksum=content_checksum(content)
    )
    old_apps = migrate([BEFORE]).loader.project_state(BEFORE).apps
    OldReport = old_apps.get_model("reports", "Report")
    organisation = Organisation.objects.create(name="Zorggroep De Linde")
    for version in ("1.0.0", "1.2.0"):
        assessment = Assessment.objects.create(organisation=organisation)
        old_report(OldReport, assessment.pk, version)

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    stored = {
        report.model_version: (
            report.anonymity_threshold,
            report.free_text_threshold,
            report.dominance_threshold,
        )
        for report in Report.objects.all()
    }
    assert stored == {
        "1.0.0": (6, 9, get_shipped_model().dominance_threshold),
        "1.2.0": (6, 9, 0.6),
    }


def test_stored_pdfs_are_forgotten_so_the_next_request_renders_the_tagged_pdf():
    before = ("reports", "0005_thresholds_of_the_report")
    old_apps = migrate([before]).loader.project_state(before).apps
    OldReport = old_apps.get_model("reports", "Report")
    assessment = Assessment.objects.create(
        organisation=Organisation.objects.create(name="Zorggroep De Linde")
    )
    old_report(OldReport, assessment.pk, "1.0.0", pdf=b"%PDF-1.4 untagged")

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert Report.objects.get().pdf is None


def test_stored_bodies_with_a_priors_numbers_are_worded_anew_on_their_next_view(client):
    from . import make_report, member_client

    report = make_report()
    old_body = "<p>Je organisatie past sterk bij dit profiel (99% kans).</p>"
    Report.objects.filter(pk=report.pk).update(html=old_body, pdf=b"%PDF-1.4 old")
    snapshot = Report.objects.values("scores", "profile", "top3", "response_count").get()
    migrate([("reports", "0007_also_strong")])

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    stored = Report.objects.get()
    assert stored.html == "" and stored.pdf is None
    page = member_client(client, report).get(f"/rapport/{report.code}/").content.decode()
    assert "99% kans" not in page
    assert "Jullie organisatie lijkt het meest op dit profiel" in page
    # Worded anew once, from the unchanged snapshot.
    stored = Report.objects.get()
    assert stored.html and stored.html in page
    assert Report.objects.values("scores", "profile", "top3", "response_count").get() == snapshot


def test_a_stored_version_named_like_a_shipped_file_moves_to_the_next_free_version():
    from leerkansen.modelversions.models import ModelActivation
    from leerkansen.modelversions.services import get_active_model, get_model

    before = ("reports", "0008_word_stored_bodies_again")
    old_apps = migrate([before]).loader.project_state(before).apps
    OldReport = old_apps.get_model("reports", "Report")
    # A researcher's draft of the time, on the model of that time, made active.
    content = {**get_shipped_model("1.0.0").model_dump(mode="json"), "version": "1.1.0"}
    # bulk_create: as it was stored then, without today's check against the shipped files.
    ModelVersion.objects.bulk_create(
        [
            ModelVersion(
                version="1.1.0",
                status="active",
                content=content,
                checksum=content_checksum(content),
                based_on="1.0.0",
            )
        ]
    )
    ModelActivation.objects.create(version="1.1.0", previous_version="1.0.0")
    assessment = Assessment.objects.create(
        organisation=Organisation.objects.create(name="Zorggroep De Linde")
    )
    old_report(OldReport, assessment.pk, "1.1.0")

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = ModelVersion.objects.get()
    assert moved.version == "1.2.0" and moved.content["version"] == "1.2.0"
    assert moved.checksum == content_checksum(moved.content)
    assert "Stored as 1.1.0" in moved.notes
    assert Report.objects.get().model_version == "1.2.0"
    assert ModelActivation.objects.get().version == "1.2.0"
    # The draft is read again, as what it was: the active model, with 1.0.0's method.
    assert get_active_model().version == "1.2.0"
    assert get_model("1.2.0").method == "dominant"
    assert get_model("1.1.0") == get_shipped_model("1.1.0")
