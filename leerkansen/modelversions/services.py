"""Which profile model a report uses, and how a researcher makes a new version active.

- `get_active_model()`: the activated version, or the shipped model (SHIPPED_VERSION, 1.1.0)
  when none is. The older shipped file 1.0.0 is kept for the reports made with it.
- `get_model(version)`: exactly the model of that version, so that a report made with it is
  recomputed with it (reports.services).
- `create_draft`, `rename_profiles`, `activate`: the life of a version (draft → active →
  retired; a retired version or the shipped model can be activated again to roll back).

Caching: which version is active is read from the database on every call (one small query),
so an activation in one process is seen by all of them at once. Parsing a version's content
(schema and catalogue checks) is the expensive part; it is cached per (version, checksum),
and the checksum changes with every change of content, so the cache is never stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.db import transaction
from django.utils import timezone

from leerkansen.organisations.models import SecurityEvent
from leerkansen.organisations.security import log_event
from leerkansen.scoring.model import (
    SHIPPED_FILES,
    SHIPPED_VERSION,
    ModelFileError,
    ProfileModel,
    get_shipped_model,
    validate_model,
)

from .models import ModelActivation, ModelVersion

VERSION_PATTERN = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
MAX_NAME_LENGTH = 60


class UnknownModelVersion(LookupError):
    """No shipped file and no stored version has this version string."""


class ModelVersionError(Exception):
    """A version that cannot be saved, renamed or activated; the message says why.

    `code` names the reason for the views, which say it in the interface's language.
    """

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


def version_key(version: str) -> tuple[int, int, int]:
    match = VERSION_PATTERN.match(version)
    if not match:
        raise ModelVersionError(f"{version!r} is not a version like 1.2.0")
    return (int(match[1]), int(match[2]), int(match[3]))


def check_content(version: str, content: object) -> ProfileModel:
    """The parsed model, after the checks a model file gets and a check of its version."""
    if version in SHIPPED_FILES:
        raise ModelVersionError(f"version {version} is a shipped model file")
    version_key(version)
    model = validate_model(content, f"model version {version}")
    if model.version != version:
        raise ModelFileError(
            f"model version {version}: version: the content says {model.version!r}"
        )
    return model


@lru_cache(maxsize=32)
def _parsed(version: str, checksum: str) -> ProfileModel:
    content = (
        ModelVersion.objects.filter(version=version, checksum=checksum)
        .values_list("content", flat=True)
        .first()
    )
    if content is None:
        # Gone, or changed between reading its checksum and its content (a draft renamed).
        raise UnknownModelVersion(version)
    return check_content(version, content)


def _checksum(version: str) -> str | None:
    return ModelVersion.objects.filter(version=version).values_list("checksum", flat=True).first()


def clear_cache() -> None:
    _parsed.cache_clear()


def active_version() -> str:
    """The version new reports use."""
    version = (
        ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE)
        .values_list("version", flat=True)
        .first()
    )
    return version or SHIPPED_VERSION


def get_active_model() -> ProfileModel:
    """The activated version's model, or the shipped model when none is active."""
    row = (
        ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE)
        .values_list("version", "checksum")
        .first()
    )
    if row is None:
        return get_shipped_model()
    return _parsed(*row)


def get_model(version: str) -> ProfileModel:
    """The model of `version`, whatever its status; raises UnknownModelVersion."""
    if version in SHIPPED_FILES:
        return get_shipped_model(version)
    checksum = _checksum(version)
    if checksum is None:
        raise UnknownModelVersion(version)
    try:
        return _parsed(version, checksum)
    except UnknownModelVersion:
        # A draft renamed in between: once more with its new checksum.
        return _parsed(version, _checksum(version) or "")


def next_version() -> str:
    """The next minor version after every known one, shipped files included: 1.2.0, 1.3.0 …"""
    versions = [*SHIPPED_FILES, *ModelVersion.objects.values_list("version", flat=True)]
    major, minor, _patch = max(version_key(v) for v in versions)
    return f"{major}.{minor + 1}.0"


def create_draft(
    content: dict,
    *,
    based_on: str,
    source: str,
    fit: dict | None = None,
    notes: str = "",
    user=None,
) -> ModelVersion:
    """Store `content` as a new draft under the next version (written into the content too).

    Raises ModelFileError when the content is not a valid model.
    """
    with transaction.atomic():
        version = next_version()
        content = {**content, "version": version}
        return ModelVersion.objects.create(
            version=version,
            content=content,
            based_on=based_on,
            source=source[:200],
            fit=fit or {},
            notes=notes,
            created_by=user,
        )


def rename_profiles(version: ModelVersion, names: dict[str, str]) -> ModelVersion:
    """Give the draft's profiles new names: {profile id: name}. Ids stay the same.

    Raises ModelVersionError for a version that is not a draft, a blank, too long or repeated
    name, or an unknown profile id.
    """
    if not version.is_draft:
        raise ModelVersionError(f"version {version.version} is not a draft", "not_draft")
    profiles = version.content["profiles"]
    ids = {profile["id"] for profile in profiles}
    unknown = sorted(set(names) - ids)
    if unknown:
        raise ModelVersionError("unknown profiles: " + ", ".join(unknown))
    cleaned = {key: " ".join(value.split()) for key, value in names.items()}
    new_names = [cleaned.get(profile["id"], profile["name"]) for profile in profiles]
    if any(not name or len(name) > MAX_NAME_LENGTH for name in new_names):
        raise ModelVersionError(f"every name needs 1 to {MAX_NAME_LENGTH} characters")
    if len({name.casefold() for name in new_names}) != len(new_names):
        raise ModelVersionError("two profiles have the same name")
    version.content = {
        **version.content,
        "profiles": [
            {**profile, "name": name} for profile, name in zip(profiles, new_names, strict=True)
        ],
    }
    version.save(update_fields=["content"])
    return version


def activate(version: str, user=None) -> str:
    """Make `version` the one new reports use; returns the version that was active before.

    All or nothing: the previously active version is retired, the new one checked again
    (the catalogue may have changed since it was drafted) and made active, and the activation
    recorded, in one transaction. When any step fails, the previous version stays active.
    Activating the shipped version retires the active version, so that the shipped model is
    used again.
    Raises UnknownModelVersion, ModelVersionError (already active, or estimated on simulated
    organisations) or ModelFileError.
    """
    with transaction.atomic():
        rows = {
            row.version: row
            for row in ModelVersion.objects.select_for_update().filter(
                status=ModelVersion.Status.ACTIVE
            )
        }
        previous = next(iter(rows), SHIPPED_VERSION)
        if version == previous:
            raise ModelVersionError(f"version {version} is already active", "already_active")
        target = None
        if version != SHIPPED_VERSION:
            target = ModelVersion.objects.select_for_update().filter(version=version).first()
            if target is None:
                raise UnknownModelVersion(version)
            if target.fit.get("simulated"):
                raise ModelVersionError(
                    f"version {version} is estimated on simulated organisations: it serves to "
                    "check the estimation and is never used for reports",
                    "simulated",
                )
        # Retire first: the constraint allows one active version at a time.
        ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).update(
            status=ModelVersion.Status.RETIRED
        )
        if target is not None:
            check_content(target.version, target.content)
            target.status = ModelVersion.Status.ACTIVE
            target.activated_at = timezone.now()
            target.activated_by = user
            target.save(update_fields=["status", "activated_at", "activated_by"])
        ModelActivation.objects.create(version=version, previous_version=previous, user=user)
        log_event(SecurityEvent.Kind.MODEL_ACTIVATED, user=user, detail=f"{previous} -> {version}")
    return previous


@dataclass(frozen=True)
class VersionSummary:
    """One line of the researchers' list of versions."""

    version: str
    status: str
    is_shipped: bool
    is_active: bool
    source: str
    # "profiles" or "evidence" for an estimated version, "" for others.
    kind: str
    # Estimated on simulated organisations: for checking only, never activated.
    simulated: bool
    profile_names: tuple[str, ...]
    k: int
    n: int | None
    bic: float | None
    entropy: float | None
    smallest_share: float | None
    created_at: object
    activated_at: object


def summary_of(row: ModelVersion, active: str) -> VersionSummary:
    fit = row.fit or {}
    chosen = next(
        (line for line in fit.get("table", []) if line.get("k") == fit.get("chosen_k")), {}
    )
    profiles = row.content.get("profiles", [])
    return VersionSummary(
        version=row.version,
        status=row.status,
        is_shipped=False,
        is_active=row.version == active,
        source=row.source,
        kind=fit.get("kind", ""),
        simulated=bool(fit.get("simulated")),
        profile_names=tuple(profile.get("name", "") for profile in profiles),
        k=len(profiles),
        n=fit.get("n"),
        bic=chosen.get("bic"),
        entropy=chosen.get("entropy"),
        smallest_share=chosen.get("smallest_share"),
        created_at=row.created_at,
        activated_at=row.activated_at,
    )


def shipped_summary(active: str, version: str = SHIPPED_VERSION) -> VersionSummary:
    """A shipped file's line: the default (status "shipped"), or an older file kept for the
    reports made with it ("superseded"), which cannot be activated again."""
    model = get_shipped_model(version)
    return VersionSummary(
        version=version,
        status="shipped" if version == SHIPPED_VERSION else "superseded",
        is_shipped=True,
        is_active=active == version,
        source=f"scoring/data/{SHIPPED_FILES[version].name}",
        kind="",
        simulated=False,
        profile_names=tuple(profile.name for profile in model.profiles),
        k=len(model.profiles),
        n=None,
        bic=None,
        entropy=None,
        smallest_share=None,
        created_at=None,
        activated_at=None,
    )


def version_summaries() -> list[VersionSummary]:
    """Every version, newest first, the shipped files last (newest first too)."""
    active = active_version()
    rows = [summary_of(row, active) for row in ModelVersion.objects.all()]
    rows.sort(key=lambda summary: version_key(summary.version), reverse=True)
    shipped = sorted(SHIPPED_FILES, key=version_key, reverse=True)
    return [*rows, *(shipped_summary(active, version) for version in shipped)]
