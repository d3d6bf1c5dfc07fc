"""Moving the model versions out of research keeps every row, its table and its content type."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from leerkansen.modelversions.models import ModelActivation, ModelVersion, content_checksum
from leerkansen.modelversions.services import get_model

from . import shipped_content

pytestmark = pytest.mark.django_db(transaction=True)

# Before the move: the models still in research, the modelversions app not yet migrated.
BEFORE = [("research", "0001_initial"), ("modelversions", None)]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # A fresh executor reads the applied migrations again.
    return MigrationExecutor(connection)


def test_rows_written_before_the_move_are_read_after_it():
    old_apps = migrate(BEFORE).loader.project_state(("research", "0001_initial")).apps
    OldVersion = old_apps.get_model("research", "ModelVersion")
    OldActivation = old_apps.get_model("research", "ModelActivation")
    assert ContentType.objects.get_for_model(OldVersion).app_label == "research"
    content = {**shipped_content(), "version": "1.2.0"}
    old = OldVersion.objects.create(
        version="1.2.0",
        status="active",
        content=content,
        checksum=content_checksum(content),
        based_on="1.0.0",
        source="before the move",
    )
    OldActivation.objects.create(version="1.2.0", previous_version="1.0.0")
    type_ids = {
        model: ContentType.objects.get(app_label="research", model=model).pk
        for model in ("modelversion", "modelactivation")
    }

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert ModelVersion._meta.db_table == "research_modelversion"
    assert ModelActivation._meta.db_table == "research_modelactivation"
    row = ModelVersion.objects.get()
    assert (row.pk, row.version, row.status, row.source) == (old.pk, "1.2.0", "active", old.source)
    assert get_model("1.2.0").version == "1.2.0"
    assert list(ModelActivation.objects.values_list("version", "previous_version")) == [
        ("1.2.0", "1.0.0")
    ]
    ContentType.objects.clear_cache()
    for model in (ModelVersion, ModelActivation):
        content_type = ContentType.objects.get_for_model(model)
        assert content_type.app_label == "modelversions"
        assert content_type.pk == type_ids[model._meta.model_name]
    assert not ContentType.objects.filter(
        app_label="research", model__in=["modelversion", "modelactivation"]
    ).exists()
