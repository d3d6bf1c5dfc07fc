"""Re-estimation from the model page: a researcher starts estimate_profiles or
estimate_evidence as a job, follows its progress, and finds a draft (never active); too few
data end the job with the reason in Dutch and a retry button; no one else starts one."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django.urls import reverse

from leerkansen.jobs.models import Job
from leerkansen.modelversions.models import ModelVersion
from leerkansen.modelversions.services import active_version
from leerkansen.organisations.auth import RESEARCHERS_GROUP
from leerkansen.research.estimation import estimate_profiles
from leerkansen.research.simulation import simulate_organisations
from leerkansen.testing import DATABASE_TASKS, make_admin, make_researcher

pytestmark = pytest.mark.django_db

LIST = "/onderzoek/modellen/"
PROFILES = reverse("research:estimate_profiles")
EVIDENCE = reverse("research:estimate_evidence")
# Small enough to run in a test: the page's defaults are the command's (50 starts, k up to 8,
# 20 bootstrap samples).
FAST = {"profielen-starts": "4", "profielen-max_k": "3", "profielen-bootstraps": "2"}


@pytest.fixture
def researcher() -> Client:
    client = Client()
    client.user = make_researcher()
    client.force_login(client.user)
    return client


def text(response) -> str:
    return response.content.decode()


def test_the_model_page_offers_both_re_estimations_with_the_commands_defaults(researcher):
    page = text(researcher.get(LIST))

    for title in ("Profielen opnieuw schatten", "Evidentie opnieuw schatten"):
        assert f">{title}</h3>" in page and f">{title}</button>" in page
    assert "Het resultaat is een concept" in page and "zelf geactiveerd" in page
    profiles_form = page[page.index(f'action="{PROFILES}"') : page.index(f'action="{EVIDENCE}"')]
    assert 'method="post"' in page and "csrfmiddlewaretoken" in profiles_form
    # Labelled fields with the defaults of manage.py estimate_profiles.
    for name, label, value in (
        ("starts", "Willekeurige starts per model", "50"),
        ("max_k", "Grootste aantal profielen", "8"),
        ("bootstraps", "Bootstrapsteekproeven voor de stabiliteit", "20"),
    ):
        assert f'<label for="id_profielen-{name}">{label}</label>' in profiles_form
        assert f'name="profielen-{name}" value="{value}"' in profiles_form
    assert "<legend>Gegevens</legend>" in profiles_form
    assert 'value="real"' in profiles_form and "checked" in profiles_form
    assert "Alleen gesimuleerde organisaties" in profiles_form


def test_re_estimating_profiles_writes_a_draft_the_job_page_links_to(researcher):
    simulate_organisations(n=150, profiles=4, seed=1)

    response = researcher.post(PROFILES, {"profielen-source": "simulated", **FAST})

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "jobs:job", args=[job.pk]
    )
    assert job.kind == "estimate-profiles" and job.status == "done", job.error
    draft = ModelVersion.objects.get()
    assert draft.status == ModelVersion.Status.DRAFT and active_version() == "1.1.0"
    assert draft.fit["simulated"] is True and draft.fit["n"] == 150
    assert draft.fit["starts"] == 4 and draft.fit["stability"]["bootstraps"] == 2
    assert draft.created_by == researcher.user
    # Progress counted every model fitted: the grid (extended past k = 3, where the choice
    # sat at the edge) and the bootstrap samples.
    assert draft.fit["extended"] is True
    assert job.done_count == len(draft.fit["grid"]) + 2 == job.total_count

    page = text(researcher.get(response["Location"]))
    detail = reverse("research:model_detail", args=[draft.version])
    assert (
        f'<a class="button button--primary" href="{detail}">Bekijk het concept {draft.version}</a>'
        in page
    )
    listing = text(researcher.get(LIST))
    assert f'id="versie-{draft.version}"' in listing
    assert researcher.get(detail).status_code == 200


def test_the_progress_total_is_the_number_of_fits_announced_before_they_are_made():
    simulate_organisations(n=150, profiles=4, seed=1)
    calls: list[tuple[str, int]] = []

    class Recorder:
        def set_total(self, total: int) -> None:
            calls.append(("total", total))

        def __call__(self, done: int) -> None:
            calls.append(("done", done))

    result = estimate_profiles(
        simulated=True, starts=4, final_starts=2, max_k=3, bootstraps=3, blrt=1,
        write=False, progress=Recorder(),
    )  # fmt: skip

    dones = [n for what, n in calls if what == "done"]
    totals = [n for what, n in calls if what == "total"]
    # Grid, its extension, the bootstrap samples, the LRT (two fits per sample and k).
    lrt_fits = 2 * len(result.blrt)
    assert dones == list(range(1, len(result.fits) + 3 + lrt_fits + 1))
    assert totals[-1] == dones[-1] and len(totals) == 4
    total = 0
    for what, n in calls:
        if what == "total":
            total = n
        else:
            assert n <= total


def test_re_estimating_evidence_writes_a_draft(researcher):
    simulate_organisations(n=40, profiles=2, seed=3, ratings=3)

    response = researcher.post(EVIDENCE, {"evidentie-source": "simulated"})

    job = Job.objects.get(kind="estimate-evidence")
    assert job.status == "done", job.error
    assert job.done_count == job.total_count == 1
    draft = ModelVersion.objects.get()
    assert draft.status == ModelVersion.Status.DRAFT and draft.fit["kind"] == "evidence"
    assert draft.fit["simulated"] is True and active_version() == "1.1.0"
    page = text(researcher.get(response["Location"]))
    assert f"Bekijk het concept {draft.version}" in page
    assert reverse("research:model_detail", args=[draft.version]) in page


def test_too_few_organisations_fail_the_job_with_the_reason_and_a_retry(researcher):
    simulate_organisations(n=40, profiles=2, seed=2)

    response = researcher.post(PROFILES, {"profielen-source": "simulated", **FAST})

    job = Job.objects.get()
    assert job.status == "failed" and not ModelVersion.objects.exists()
    page = text(researcher.get(response["Location"]))
    assert (
        "Te weinig organisaties om profielen te schatten: 40 met een score op minstens één "
        "uitdaging, er zijn er minstens 150 nodig." in page
    )
    assert "Het bestand kon niet gemaakt worden" not in page
    assert f'action="{reverse("jobs:retry", args=[job.pk])}"' in page and "Probeer opnieuw" in page


def test_evidence_without_ratings_fails_with_the_reason(researcher):
    response = researcher.post(EVIDENCE, {"evidentie-source": "real"})

    page = text(researcher.get(response["Location"]))
    assert "Nog geen enkele actie is twee keer beoordeeld binnen één profiel" in page
    assert "(0 beoordelingen in totaal)" in page and not ModelVersion.objects.exists()


def test_a_wrong_option_comes_back_with_its_error_and_starts_nothing(researcher):
    response = researcher.post(
        PROFILES, {"profielen-source": "real", **FAST, "profielen-starts": "0"}
    )

    assert response.status_code == 200
    page = text(response)
    assert 'role="alert"' in page and 'href="#id_profielen-starts"' in page
    assert not Job.objects.exists()


@pytest.mark.parametrize("url", [PROFILES, EVIDENCE])
def test_no_one_but_a_researcher_starts_a_re_estimation(client, url):
    user, _organisation = make_admin()
    client.force_login(user)
    data = {"profielen-source": "real", "evidentie-source": "real", **FAST}

    assert client.post(url, data).status_code == 403
    assert client.get(url).status_code == 403
    client.logout()
    assert client.post(url, data).status_code == 302
    assert not Job.objects.exists()


def test_a_researcher_who_is_no_longer_one_no_longer_sees_the_job(researcher):
    response = researcher.post(EVIDENCE, {"evidentie-source": "real"})
    assert researcher.get(response["Location"]).status_code == 200

    researcher.user.groups.remove(Group.objects.get(name=RESEARCHERS_GROUP))

    assert researcher.get(response["Location"]).status_code == 404


def test_the_same_re_estimation_while_it_waits_is_one_job_and_a_fourth_is_refused(researcher):
    with override_settings(TASKS=DATABASE_TASKS):  # the jobs wait for a worker
        first = researcher.post(PROFILES, {"profielen-source": "real", **FAST})
        again = researcher.post(PROFILES, {"profielen-source": "real", **FAST})
        assert again["Location"] == first["Location"]
        researcher.post(EVIDENCE, {"evidentie-source": "real"})
        researcher.post(EVIDENCE, {"evidentie-source": "simulated"})
        assert Job.objects.filter(status="queued").count() == 3

        refused = researcher.post(PROFILES, {"profielen-source": "simulated", **FAST})

    assert refused.status_code == 429
    assert "Je hebt al 3 bestanden of taken die wachten of gemaakt worden" in text(refused)
    for job in Job.objects.all():
        assert f'href="/bestanden/{job.pk}/"' in refused.content.decode()
    assert 'href="/onderzoek/modellen/"' in refused.content.decode()
    assert Job.objects.count() == 3
