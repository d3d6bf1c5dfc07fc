"""Two organisations with an admin each; organisation A has a co-admin and a report."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from leerkansen.organisations.models import Membership, Organisation


@dataclass
class Team:
    organisation: Organisation
    admin: Client
    co_admin: Client


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def member(organisation: Organisation, email: str):
    # No password: force_login needs none, and hashing one per test is slow.
    user = get_user_model().objects.create_user(username=email, email=email)
    Membership.objects.create(user=user, organisation=organisation)
    return user


@pytest.fixture
def team_a(db) -> Team:
    organisation = Organisation.objects.create(name="Alfa Zorg", sector="Q", size_band="50_249")
    admin, co_admin = member(organisation, "an@alfa.be"), member(organisation, "jo@alfa.be")
    return Team(organisation, logged_in(admin), logged_in(co_admin))


@pytest.fixture
def admin_b(db) -> Client:
    organisation = Organisation.objects.create(name="Bravo Bouw", sector="F", size_band="10_19")
    return logged_in(member(organisation, "bo@bravo.be"))
