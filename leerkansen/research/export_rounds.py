"""Which rounds a research export covers, and the keys and first columns every per-round row
shares (exports.py, export_profiles.py).

The filter takes the dashboard's choices; an export covers closed and open rounds' reports of
at least k responses (suppression.py). Organisations and rounds appear under pseudonymous keys:
an HMAC of their code with SECRET_KEY, stable across exports, not reversible without the key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes

from leerkansen.reports.models import Report

from .population import eligible_organisations
from .suppression import threshold

CHUNK_SIZE = 2000

Row = list


@dataclass(frozen=True)
class ExportFilter:
    """Which rounds an export covers; the same choices as the research dashboard's filters.

    `start` and `end` are months (their first day): rounds opened from `start` up to and
    including `end`. Every dataset of one filter covers the same rounds, so they join.
    """

    sector: str = ""
    size_band: str = ""
    start: date | None = None
    end: date | None = None
    # Only simulated organisations (validation) instead of only real ones.
    simulated: bool = False
    # The model version the classes dataset classifies under (a draft too); "": the active.
    model_version: str = ""

    def describe(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("sector", self.sector),
                ("size", self.size_band),
                ("from", self.start and f"{self.start:%Y-%m}"),
                ("until", self.end and f"{self.end:%Y-%m}"),
            )
            if value
        ]
        return " ".join([*parts, "simulated"] if self.simulated else parts)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def rounds_q(export_filter: ExportFilter, prefix: str) -> Q:
    """The rounds an export covers, as a condition on `prefix` + Assessment's fields."""
    organisation = f"{prefix}organisation__"
    condition = eligible_organisations(export_filter.simulated, f"{prefix}organisation")
    if export_filter.sector:
        condition &= Q(**{f"{organisation}sector": export_filter.sector})
    if export_filter.size_band:
        condition &= Q(**{f"{organisation}size_band": export_filter.size_band})
    if export_filter.start:
        condition &= Q(**{f"{prefix}created_at__date__gte": export_filter.start.replace(day=1)})
    if export_filter.end:
        condition &= Q(**{f"{prefix}created_at__date__lt": _next_month(export_filter.end)})
    return condition


def pseudonym(kind: str, code: str) -> str:
    """A stable key for an organisation's or a round's code; without SECRET_KEY it tells
    nothing about the code (HMAC-SHA256, 64 bits shown: no collisions at our scale)."""
    return salted_hmac(f"leerkansen.research.{kind}", code, algorithm="sha256").hexdigest()[:16]


def pseudonyms(kind: str) -> Callable[[str], str]:
    """`pseudonym(kind, ·)` with the HMAC's key derived once, as salted_hmac derives it
    (sha256 of salt and SECRET_KEY), instead of once per value: an export keys every row."""
    digest = hashlib.sha256(
        force_bytes(f"leerkansen.research.{kind}") + force_bytes(settings.SECRET_KEY)
    ).digest()

    def keyed(code: str) -> str:
        return hmac.new(digest, code.encode(), hashlib.sha256).hexdigest()[:16]

    return keyed


def _keys(kind: str) -> Callable[[str], str]:
    # Rows of one organisation or round mostly come together: a small cache saves the HMACs.
    return lru_cache(maxsize=1024)(pseudonyms(kind))


def month(day: date | datetime | None) -> str | None:
    if day is None:
        return None
    if isinstance(day, datetime):
        day = timezone.localtime(day)
    return f"{day:%Y-%m}"


ROUND_FIELDS = (
    "assessment__organisation__code",
    "assessment__code",
    "assessment__organisation__sector",
    "assessment__organisation__size_band",
    "assessment__created_at",
)


def _round_rows(queryset, fields: Sequence[str]) -> Iterator[tuple[Row, tuple]]:
    """(the round's first columns as in codebook.round_variables, the other fields)."""
    organisation_key, round_key = _keys("organisation"), _keys("round")
    rows = queryset.values_list(*ROUND_FIELDS, *fields).iterator(chunk_size=CHUNK_SIZE)
    for org_code, round_code, sector, size_band, created_at, *rest in rows:
        yield (
            [
                organisation_key(org_code),
                round_key(round_code),
                sector,
                size_band,
                month(created_at),
            ],
            tuple(rest),
        )


def _reports(export_filter: ExportFilter):
    """Reports made from at least k responses (suppression.py): a smaller round's scores are
    close to one person's answers."""
    return (
        Report.objects.filter(rounds_q(export_filter, "assessment__"))
        .filter(response_count__gte=threshold())
        .order_by("assessment_id")
    )
