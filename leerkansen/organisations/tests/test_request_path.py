"""What every request of a logged-in member reads: the session, the account and the
organisations they work in, each with one query compiled once per process (lib/sessions.py,
backends.py, tenancy.py; issue 16, item 4). Cheaper, and exactly as strict as Django's own."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from leerkansen.lib.prepared import Prepared
from leerkansen.organisations.models import Membership
from leerkansen.organisations.tenancy import organisations_of
from leerkansen.reports.tests import close_and_publish, make_answered_round, make_member
from leerkansen.testing import make_organisation, make_user

pytestmark = pytest.mark.django_db

DASHBOARD = "/organisatie/"


def logged_in_member():
    organisation = make_organisation()
    user = make_user(password=None)
    Membership.objects.create(user=user, organisation=organisation)
    client = Client()
    client.force_login(user)
    return client, user


def test_a_members_report_page_reads_session_account_and_report_with_one_query_each(
    django_assert_num_queries,
):
    report = close_and_publish(make_answered_round({"medewerker": 5}))
    client = Client()
    client.force_login(make_member(report.assessment.organisation))
    client.get(f"/rapport/{report.code}/")
    # The session, the account, the report in the organisation the account works in now.
    with django_assert_num_queries(3):
        assert client.get(f"/rapport/{report.code}/").status_code == 200


def test_a_session_past_its_expiry_date_is_no_session():
    client, _user = logged_in_member()
    assert client.get(DASHBOARD).status_code == 200

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    page = client.get(DASHBOARD)
    assert page.status_code == 302 and page["Location"].startswith("/account/inloggen/")


def test_a_deactivated_account_is_logged_out_on_its_next_request():
    client, user = logged_in_member()
    assert client.get(DASHBOARD).status_code == 200

    get_user_model().objects.filter(pk=user.pk).update(is_active=False)

    page = client.get(DASHBOARD)
    assert page.status_code == 302 and page["Location"].startswith("/account/inloggen/")


def test_a_changed_password_logs_out_the_other_sessions():
    client, user = logged_in_member()
    assert client.get(DASHBOARD).status_code == 200

    user.set_password("een-heel-ander-wachtwoord-2026")
    user.save()

    assert client.get(DASHBOARD).status_code == 302


def test_prepared_instances_are_the_orms_own_with_their_types():
    user = make_user(is_staff=True)
    user.last_login = timezone.now()
    user.save()
    prepared = Prepared(lambda pk: get_user_model().objects.filter(pk=pk), -1)

    (found,) = prepared.instances(user.pk)

    orm = get_user_model().objects.get(pk=user.pk)
    assert [getattr(found, f.attname) for f in orm._meta.concrete_fields] == [
        getattr(orm, f.attname) for f in orm._meta.concrete_fields
    ]
    assert found.is_staff is True and found.is_active is True
    assert found.last_login == orm.last_login and found.last_login.tzinfo is not None
    assert not found._state.adding and found._state.db == "default"
    assert prepared.instances(user.pk + 1000) == []


def test_prepared_instances_refuse_a_query_of_other_columns():
    prepared = Prepared(lambda pk: get_user_model().objects.filter(pk=pk).values_list("email"), -1)
    with pytest.raises(TypeError):
        prepared.instances(1)


def test_the_organisations_of_an_account_come_oldest_membership_first():
    user = make_user(password=None)
    first, second = make_organisation("Eerste"), make_organisation("Tweede")
    Membership.objects.create(user=user, organisation=second)
    Membership.objects.create(user=user, organisation=first)
    Membership.objects.filter(organisation=first).update(
        created_at=timezone.now() - timedelta(days=1)
    )

    assert [o.name for o in organisations_of(user)] == ["Eerste", "Tweede"]


def test_prepared_instances_refuse_a_query_with_a_join_selected_in():
    prepared = Prepared(lambda pk: Membership.objects.filter(pk=pk).select_related("user"), -1)
    with pytest.raises(TypeError):
        prepared.instances(1)
