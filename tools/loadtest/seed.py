"""Seed the load test's campaign and write what the Locust users need to a JSON file.

    python tools/loadtest/seed.py plan.json --organisations 200 --hr-organisations 20

Run by tools/loadtest/run.py in the load test's environment (its own database, production
settings). Made the real way, through the apps' own functions:
- `organisations` organisations, each with an open round for every role and a shared link
  per role (what a campaign mails out);
- the first `hr-organisations` of them also have an HR admin who can log in (one password,
  hashed once and copied: hashing takes a fifth of a second) and a closed earlier round
  answered by the demo's made-up respondents, with its report, for the admin to read;
- per role, a few respondents' answers as the questionnaire pages post them (the forms' own
  encoding, section by section), taken from the demo's made-up answers.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leerkansen.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.urls import reverse  # noqa: E402

from leerkansen.content.questionnaire_pages import questionnaire_pages  # noqa: E402
from leerkansen.organisations import services as accounts  # noqa: E402
from leerkansen.reports.demo import DEMO_ROUND, respondent_answers  # noqa: E402
from leerkansen.reports.services import create_report  # noqa: E402
from leerkansen.survey.forms import encode  # noqa: E402
from leerkansen.survey.models import Role  # noqa: E402
from leerkansen.survey.rounds import close_round, create_shared_link, invitation_token, open_round  # noqa: E402
from leerkansen.survey.services import complete_response, save_answers, start_response  # noqa: E402

# Different made-up respondents per role whose page posts the users take turns with.
ANSWER_VARIANTS = 8


def page_posts(role: str, index: int) -> list[tuple[str, dict[str, str]]]:
    """(section id, form fields) per questionnaire page of `role`, as the pages post them."""
    answers = respondent_answers(role, index)
    questionnaire = questionnaire_pages(role)
    return [
        (
            section.id,
            {
                item.id: encode(answers[item.id])
                for item in questionnaire.items(section.id)
                if item.id in answers
            },
        )
        for section in questionnaire.sections
    ]


def answered_round(organisation) -> str:
    """A closed round answered by the demo's respondents; the code of its report."""
    assessment = open_round(organisation, list(DEMO_ROUND), "Voorjaar 2026")
    for role, number in DEMO_ROUND.items():
        for index in range(number):
            response, _token = start_response(assessment, role)
            save_answers(response, respondent_answers(role, index))
            complete_response(response)
    close_round(assessment)
    return create_report(assessment).code


def seed(organisations: int, hr_organisations: int) -> dict:
    password = secrets.token_urlsafe(16)
    password_hash = None
    roles = list(Role.values)
    links, admins = [], []
    for number in range(organisations):
        with transaction.atomic():
            email = f"hr{number}@loadtest.example"
            user = accounts.new_user(email, "HR", None, active=True)
            organisation = accounts.create_organisation(user, f"Laadtest {number}", "Q", "50_249")
            report = answered_round(organisation) if number < hr_organisations else ""
            assessment = open_round(organisation, roles, "Najaar 2026")
            links.append(
                {
                    role: reverse(
                        "survey:invitation",
                        args=[invitation_token(create_shared_link(assessment, role))],
                    )
                    for role in roles
                }
            )
            if number < hr_organisations:
                if password_hash is None:
                    user.set_password(password)
                    password_hash = user.password
                get_user_model().objects.filter(pk=user.pk).update(password=password_hash)
                admins.append({"email": email, "round": assessment.code, "report": report})
    return {
        "password": password,
        "links": links,
        "admins": admins,
        "pages": {
            role: [page_posts(role, index) for index in range(ANSWER_VARIANTS)] for role in roles
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--hr-organisations", type=int, default=20)
    args = parser.parse_args()
    plan = seed(args.organisations, min(args.hr_organisations, args.organisations))
    args.plan.write_text(json.dumps(plan))
    print(f"seeded {len(plan['links'])} organisations, {len(plan['admins'])} HR admins")


if __name__ == "__main__":
    main()
