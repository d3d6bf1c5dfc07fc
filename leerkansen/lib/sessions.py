"""Django's database sessions, read with a query compiled once per process (lib/prepared.py).

Every request of a logged-in person reads their session; the ORM spent more time building that
one lookup than the database spent answering it. The session is the same row, read the same
way (a session past its expiry date is no session); saving, deleting and the rest are Django's.
settings.SESSION_ENGINE names this module.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import router
from django.utils import timezone

from .prepared import Prepared

_SESSION = Prepared(
    lambda key: Session.objects.filter(session_key=key).only("session_data", "expire_date"),
    "prepared-session-key-marker",
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        if self.session_key is not None:
            using = router.db_for_read(Session)
            for session in _SESSION.instances(self.session_key, using=using):
                if session.expire_date > timezone.now():
                    return session
        self._session_key = None
        return None
