"""The authentication backend for accounts: Django's ModelBackend, with the logged-in person
read on every request by a query compiled once per process (lib/prepared.py) instead of built
by the ORM each time. Logging in, permissions and the checks on an account are ModelBackend's."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import router

from leerkansen.lib.prepared import Prepared

UserModel = get_user_model()

_USER = Prepared(lambda pk: UserModel._default_manager.filter(pk=pk), -7_770_002)


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = UserModel._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        found = _USER.instances(pk, using=router.db_for_read(UserModel))
        if not found or not self.user_can_authenticate(found[0]):
            return None
        return found[0]
