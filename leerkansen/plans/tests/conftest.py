"""Two organisations with an admin each; organisation A has a co-admin and a report."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from leerkansen.organisations.models import Organisation
from leerkansen.testing import BARE, make_admin, make_organisation


@dataclass
class Team:
    organisation: Organisation
    admin: Client
    co_admin: Client


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def team_a(db) -> Team:
    organisation = make_organisation("Alfa Zorg")
    admin, _ = make_admin("an@alfa.be", organisation=organisation, **BARE)
    co_admin, _ = make_admin("jo@alfa.be", organisation=organisation, **BARE)
    return Team(organisation, logged_in(admin), logged_in(co_admin))


@pytest.fixture
def admin_b(db) -> Client:
    organisation = make_organisation("Bravo Bouw", sector="F", size_band="10_19")
    admin, _ = make_admin("bo@bravo.be", organisation=organisation, **BARE)
    return logged_in(admin)
