"""Django's database sessions, read with a query compiled once per process (lib/prepared.py)
and decoded once per process for each stored text.

Every request of a logged-in person reads their session; the ORM spent more time building that
one lookup than the database spent answering it, and checking the signature of the same
stored text again on every request cost about as much again. The session is still the same row,
read on every request the same way (a session past its expiry date is no session, a session
logged out elsewhere is gone): only the decoding of a text this process has already verified,
under the same keys, is remembered. Saving, deleting and the rest are Django's.
settings.SESSION_ENGINE names this module.
"""

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import router
from django.db.models.functions import Now

from .prepared import Prepared

# Values a shallow copy of the decoded session copies whole: a session holding anything else
# (a list, a dict) is decoded afresh each time, so that changing it in place on one request
# cannot change what the next request reads.
_IMMUTABLE = (str, int, float, bool, type(None))
# Signed text and keys → the decoded items. Cleared when full: a few thousand logged-in people
# per process at most, a few hundred bytes each.
_DECODED: dict[tuple, tuple[tuple[str, object], ...]] = {}
_DECODED_MAX = 4096


# What a request reads: the stored text of a session not past its expiry date, compared with
# the database's clock in the query itself (Django compares with the application's clock; both
# are UTC, and the database is the one clock all processes share).
_SESSION_DATA = Prepared(
    lambda key: Session.objects.filter(session_key=key, expire_date__gt=Now()).values_list(
        "session_data"
    ),
    "prepared-session-key-marker",
)


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        if self.session_key is not None:
            using = router.db_for_read(Session)
            for (session_data,) in _SESSION_DATA.rows(self.session_key, using=using):
                return self.decode(session_data)
        self._session_key = None
        return {}

    def decode(self, session_data: str) -> dict:
        key = (session_data, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))
        items = _DECODED.get(key)
        if items is not None:
            return dict(items)
        decoded = super().decode(session_data)
        # An empty result is also what a bad signature gives: never remembered, so that it is
        # logged each time.
        if decoded and all(isinstance(value, _IMMUTABLE) for value in decoded.values()):
            if len(_DECODED) >= _DECODED_MAX:
                _DECODED.clear()
            _DECODED[key] = tuple(decoded.items())
        return decoded
