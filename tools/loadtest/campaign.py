"""The campaign the load test stands for, and the rates that follow from it (no Django here).

A campaign: 10,000 organisations with 50 respondents each answer within one week. Its busiest
hour: a third of the week's responses come in on one day, and a tenth of that day's in one
hour. HR admins visit too: each organisation's admin logs in three times in the week (to see
the counts, read the report, download the data), with the same busiest-hour shares.
"""

from __future__ import annotations

from dataclasses import dataclass

ORGANISATIONS = 10_000
RESPONDENTS_PER_ORGANISATION = 50
BUSIEST_DAY_SHARE = 1 / 3
BUSIEST_HOUR_SHARE = 1 / 10
HR_VISITS_PER_ORGANISATION = 3

# Who answers in an organisation of 50 (the roles of a round, see survey.models.Role).
ROLE_MIX = {"hr": 2, "directie": 2, "leidinggevende": 6, "medewerker": 40}


def busiest_hour(per_week: float) -> float:
    """How many of `per_week` fall in the campaign's busiest hour."""
    return per_week * BUSIEST_DAY_SHARE * BUSIEST_HOUR_SHARE


RESPONSES_PER_WEEK = ORGANISATIONS * RESPONDENTS_PER_ORGANISATION
RESPONSES_PER_HOUR = busiest_hour(RESPONSES_PER_WEEK)
RESPONSES_PER_SECOND = RESPONSES_PER_HOUR / 3600
HR_VISITS_PER_HOUR = busiest_hour(ORGANISATIONS * HR_VISITS_PER_ORGANISATION)
HR_VISITS_PER_SECOND = HR_VISITS_PER_HOUR / 3600


def requests_per_response(pages_per_role: dict[str, int]) -> float:
    """HTTP requests of one response, averaged over ROLE_MIX."""
    total = sum(ROLE_MIX.values())
    requests = sum(respondent_requests(pages_per_role[role]) * n for role, n in ROLE_MIX.items())
    return requests / total


def respondent_requests(pages: int) -> int:
    """Link (302), per page GET and POST (302), overview GET, send (302), thank-you page."""
    return 1 + 2 * pages + 1 + 1 + 1


# One HR visit: login page, login (302), dashboard, rounds, the open round, the report, the data
# page, the data download, log out (302).
HR_REQUESTS_PER_VISIT = 9


@dataclass(frozen=True)
class Rates:
    multiple: float
    responses_per_second: float
    hr_visits_per_second: float
    requests_per_second: float


def rates(multiple: float, pages_per_role: dict[str, int]) -> Rates:
    """The busiest hour's rates times `multiple`."""
    responses = RESPONSES_PER_SECOND * multiple
    visits = HR_VISITS_PER_SECOND * multiple
    return Rates(
        multiple=multiple,
        responses_per_second=responses,
        hr_visits_per_second=visits,
        requests_per_second=responses * requests_per_response(pages_per_role)
        + visits * HR_REQUESTS_PER_VISIT,
    )
