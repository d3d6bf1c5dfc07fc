"""Helpers of the organisations tests: links in mails, records of django-axes."""

import re
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core import mail
from django.utils import timezone


def link_in_last_mail(path_start: str) -> str:
    """The path of the first link in the last e-mail that starts with `path_start`."""
    body = mail.outbox[-1].body
    match = re.search(rf"https?://[^/\s]+({re.escape(path_start)}\S*)", body)
    assert match, f"no link to {path_start} in:\n{body}"
    return match.group(1)


def login_records(username: str, days_old: int = 0) -> list:
    """What django-axes keeps of a failed attempt, a failure and a login, `days_old` days ago."""
    common = {
        "username": username,
        "ip_address": "198.51.100.7",
        "user_agent": "Firefox",
        "http_accept": "*/*",
        "path_info": "/account/inloggen/",
    }
    rows = [
        AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=1),
        AccessFailureLog.objects.create(**common),
        AccessLog.objects.create(**common),
    ]
    for row in rows:
        type(row).objects.filter(pk=row.pk).update(
            attempt_time=timezone.now() - timedelta(days=days_old)
        )
    return rows
