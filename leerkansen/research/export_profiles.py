"""The per-round profile datasets of the research exports: "scores" (each report's scores,
profile and posteriors under its own model version) and "classes" (each round's profile and
posteriors under a version the researcher chooses, with the planted profile of simulated
organisations). Registered in exports.DATASETS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from leerkansen.content.catalogue import get_catalogue
from leerkansen.modelversions.services import UnknownModelVersion, get_active_model, get_model
from leerkansen.scoring.model import ProfileModel
from leerkansen.scoring.profiles import assign_profile

from .codebook import Variable
from .codebook_rounds import class_variables, score_variables
from .export_rounds import ExportFilter, Row, _reports, _round_rows
from .simulation import planted_profiles


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"[.]", version))


def report_profiles(export_filter: ExportFilter) -> dict[str, str]:
    """Profile id → label, for every model version the reports were made with (oldest first).

    One report per version is read: a version's profiles are fixed once it is used, so every
    report of it has the same ones. Names and order come from the version's model; a version
    that is gone gives its ids as names, sorted (jsonb keeps no key order).
    """
    reports = _reports(export_filter).order_by()
    versions = sorted(
        set(reports.values_list("model_version", flat=True).distinct()), key=_version_key
    )
    by_version: dict[str, dict[str, str]] = {}
    for version in versions:
        try:
            names = {profile.id: profile.name for profile in get_model(version).profiles}
        except UnknownModelVersion:
            names = {}
        profile = reports.filter(model_version=version).values_list("profile", flat=True).first()
        stored = set((profile or {}).get("probabilities", {}))
        in_order = [profile_id for profile_id in names if profile_id in stored]
        for profile_id in in_order + sorted(stored - set(in_order)):
            by_version.setdefault(profile_id, {})[version] = names.get(profile_id, profile_id)
    # One id named differently in two versions (renamed, or estimated anew) is labelled with
    # each version's name: a single name would be wrong for the other version's rounds.
    return {
        profile_id: next(iter(names.values()))
        if len(set(names.values())) == 1
        else "; ".join(f"{name} (model {version})" for version, name in names.items())
        for profile_id, names in by_version.items()
    }


def score_rows(export_filter: ExportFilter, profiles: Iterable[str]) -> Iterator[Row]:
    challenges = [challenge.number for challenge in get_catalogue().challenges]
    fields = (
        "questionnaire_version",
        "model_version",
        "catalogue_version",
        "response_count",
        "scores",
        "profile",
    )
    profiles = list(profiles)
    for first, rest in _round_rows(_reports(export_filter), fields):
        questionnaire, model, catalogue, count, scores, profile = rest
        probabilities = profile.get("probabilities", {})
        yield [
            *first,
            questionnaire,
            model,
            catalogue,
            count,
            *(scores.get(str(number)) for number in challenges),
            profile.get("id"),
            profile.get("probability"),
            profile.get("nearest_prototype"),
            *(probabilities.get(profile_id) for profile_id in profiles),
        ]


def _scores(export_filter: ExportFilter) -> tuple[list[Variable], Iterator[Row]]:
    profiles = report_profiles(export_filter)
    return score_variables(profiles), score_rows(export_filter, profiles)


def classification_model(export_filter: ExportFilter) -> ProfileModel:
    """The model the classes dataset uses: the chosen version, else the active one."""
    return (
        get_model(export_filter.model_version)
        if export_filter.model_version
        else (get_active_model())
    )


def class_rows(export_filter: ExportFilter, model: ProfileModel) -> Iterator[Row]:
    """Per round with a report (the scores dataset's rounds): its profile and posteriors
    under `model`, from the report's stored scores; with `simulated`, the planted profile."""
    ids = [profile.id for profile in model.profiles]
    planted = planted_profiles() if export_filter.simulated else None
    fields = ("assessment__questionnaire_version", "assessment__organisation_id", "scores")
    for first, (questionnaire, organisation_id, scores) in _round_rows(
        _reports(export_filter), fields
    ):
        values = {int(number): value for number, value in scores.items()}
        try:
            assignment = assign_profile(values, model)
        except ValueError:
            # No score at all: no profile.
            cells = [None, None, *([None] * len(ids))]
        else:
            cells = [
                assignment.dominant,
                round(assignment.dominant_probability, 4),
                *(round(assignment.probabilities[profile_id], 4) for profile_id in ids),
            ]
        row = [*first, questionnaire, model.version, *cells]
        if planted is not None:
            row.append(planted.get(organisation_id))
        yield row


def _classes(export_filter: ExportFilter) -> tuple[list[Variable], Iterator[Row]]:
    model = classification_model(export_filter)
    profiles = {profile.id: profile.name for profile in model.profiles}
    variables = class_variables(model.version, profiles, export_filter.simulated)
    return variables, class_rows(export_filter, model)
