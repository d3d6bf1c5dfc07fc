"""The researchers' model pages: who gets them, renaming drafts, activating explicitly."""

import copy

import numpy as np
import pytest
from django.test import Client

from leerkansen.modelversions.models import ModelActivation, ModelVersion, content_checksum
from leerkansen.modelversions.services import activate, active_version, get_model
from leerkansen.modelversions.tests import make_draft
from leerkansen.organisations.models import SecurityEvent
from leerkansen.research.model_selection import select_model
from leerkansen.testing import make_admin, make_researcher, make_user

pytestmark = pytest.mark.django_db

LIST = "/onderzoek/modellen/"


def detail(version: str) -> str:
    return f"{LIST}{version}/"


@pytest.fixture
def researcher():
    client = Client()
    client.user = make_researcher()
    client.force_login(client.user)
    return client


@pytest.fixture
def admin():
    client = Client()
    user, _organisation = make_admin()
    client.force_login(user)
    return client


def page_text(response) -> str:
    return response.content.decode()


def test_a_researcher_sees_the_versions_with_their_fit(researcher):
    draft = make_draft(
        source="estimate_profiles (412 organisations)",
        fit={
            "kind": "profiles",
            "n": 412,
            "chosen_k": 5,
            "table": [
                {"k": 4, "bic": 9000.5, "entropy": 0.91, "smallest_share": 0.1, "passes": True},
                {"k": 5, "bic": 8800.25, "entropy": 0.87, "smallest_share": 0.062, "passes": True},
            ],
            "rules": {"min_entropy": 0.8, "min_share": 0.05},
        },
    )

    response = researcher.get(LIST)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = page_text(response)
    assert f'id="versie-{draft.version}"' in text and 'id="versie-1.1.0"' in text
    row = text[text.index(f'id="versie-{draft.version}"') :].split("</tr>")[0]
    for expected in ("412", "8800,3", "0,870", "6%", "Druk en verspreid", "estimate_profiles"):
        assert expected in row, expected

    response = researcher.get(detail(draft.version))
    assert response.status_code == 200
    text = page_text(response)
    assert 'id="fit"' in text and 'class="is-chosen"' in text
    assert 'id="profiel-op-weg"' in text and 'id="namen"' in text and 'id="activeren"' in text


def test_the_shipped_model_has_a_page_without_rename_form(researcher):
    response = researcher.get(detail("1.1.0"))
    assert response.status_code == 200
    text = page_text(response)
    assert 'id="profiel-druk-en-verspreid"' in text
    assert 'id="namen"' not in text and 'id="is-actief"' in text
    assert researcher.get(detail("9.9.9")).status_code == 404


def test_the_older_shipped_model_has_a_page_for_the_reports_made_with_it(researcher):
    listed = page_text(researcher.get(LIST))
    assert 'id="versie-1.0.0"' in listed
    assert "Eerder meegeleverd, bewaard voor zijn rapporten" in listed

    response = researcher.get(detail("1.0.0"))
    assert response.status_code == 200
    text = page_text(response)
    assert 'id="profiel-druk-en-verspreid"' in text and "model-1.0.0.yaml" in text
    # Kept, not used again: no activation button, and a post is refused.
    assert 'id="niet-meer"' in text and 'id="activeren"' not in text
    assert researcher.post(detail("1.0.0") + "activeren/").status_code == 404
    assert active_version() == "1.1.0"


@pytest.mark.parametrize("path", [LIST, detail("1.1.0")])
def test_only_researchers_see_the_model_pages(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/account/inloggen/")

    user, _organisation = make_admin()
    client.force_login(user)
    assert client.get(path).status_code == 403
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.DENIED, user=user).exists()

    staff = make_user("staf@leerkansen.be", is_staff=True)
    client.force_login(staff)
    assert client.get(path).status_code == 403


def test_a_researcher_renames_the_profiles_of_a_draft(researcher):
    draft = make_draft()
    names = {f"name-{p['id']}": p["name"] for p in draft.content["profiles"]}

    response = researcher.post(
        f"{detail(draft.version)}namen/", {**names, "name-op-weg": "Goed op weg"}
    )

    assert response.status_code == 302 and response["Location"] == detail(draft.version)
    assert get_model(draft.version).profile("op-weg").name == "Goed op weg"

    response = researcher.post(
        f"{detail(draft.version)}namen/", {**names, "name-op-weg": "druk en verspreid"}
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in page_text(response)
    assert get_model(draft.version).profile("op-weg").name == "Goed op weg"


def test_only_drafts_are_renamed_and_only_by_researchers(researcher, admin):
    draft = make_draft()
    names = {f"name-{p['id']}": "X " + p["name"] for p in draft.content["profiles"]}

    assert admin.post(f"{detail(draft.version)}namen/", names).status_code == 403
    assert get_model(draft.version).profile("op-weg").name == "Op weg"

    assert researcher.post(f"{detail('1.1.0')}namen/", names).status_code == 404
    activate(draft.version)
    assert researcher.post(f"{detail(draft.version)}namen/", names).status_code == 404
    assert researcher.get(f"{detail(draft.version)}namen/").status_code == 405
    assert get_model(draft.version).profile("op-weg").name == "Op weg"


CONFIRM = {"confirm": "yes"}


def test_activation_asks_for_confirmation_and_is_recorded(researcher):
    draft = make_draft()
    url = f"{detail(draft.version)}activeren/"
    # The detail page links to the question; it does not activate in one click.
    text = page_text(researcher.get(detail(draft.version)))
    assert f'href="{url}"' in text and f'action="{url}"' not in text

    question = researcher.get(url)
    assert question.status_code == 200
    text = page_text(question)
    assert 'id="bevestigen"' in text and 'name="confirm" value="yes"' in text
    assert "in plaats van 1.1.0" in text
    # A POST without the confirmation asks again.
    assert 'id="bevestigen"' in page_text(researcher.post(url))
    assert active_version() == "1.1.0"

    response = researcher.post(url, CONFIRM)

    assert response.status_code == 302 and response["Location"] == LIST
    draft.refresh_from_db()
    assert draft.status == ModelVersion.Status.ACTIVE
    assert draft.activated_by == researcher.user
    activation = ModelActivation.objects.get()
    assert (activation.version, activation.previous_version) == (draft.version, "1.1.0")
    assert activation.user == researcher.user
    text = page_text(researcher.get(LIST))
    assert "1.1.0 → 1.2.0" in text

    # Back to the shipped model, from its own page.
    assert researcher.post(f"{detail('1.1.0')}activeren/", CONFIRM).status_code == 302
    assert active_version() == "1.1.0"


def test_others_cannot_activate(admin):
    draft = make_draft()
    url = f"{detail(draft.version)}activeren/"

    assert admin.post(url, CONFIRM).status_code == 403
    assert admin.get(url).status_code == 403
    anonymous = Client()
    response = anonymous.post(url, CONFIRM)
    assert response.status_code == 302 and response["Location"].startswith("/account/inloggen/")

    assert active_version() == "1.1.0"
    assert not ModelActivation.objects.exists()


def test_activation_needs_the_csrf_token():
    draft = make_draft()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_researcher())
    assert client.post(f"{detail(draft.version)}activeren/", CONFIRM).status_code == 403
    assert active_version() == "1.1.0"


def test_a_failed_activation_says_so_and_keeps_the_active_version(researcher):
    previous = make_draft()
    activate(previous.version)
    broken = make_draft()
    content = copy.deepcopy(broken.content)
    content["profiles"][0]["weight"] = 0.9
    # Bypasses save(), which would refuse it.
    ModelVersion.objects.filter(pk=broken.pk).update(
        content=content, checksum=content_checksum(content)
    )

    response = researcher.post(f"{detail(broken.version)}activeren/", CONFIRM, follow=True)

    assert response.redirect_chain[-1][0] == detail(broken.version)
    assert "weights add up to" in page_text(response)
    assert 'id="probleem"' in page_text(response)
    assert active_version() == previous.version
    assert ModelActivation.objects.count() == 1


def test_a_version_estimated_on_simulated_data_offers_no_activation(researcher):
    draft = make_draft(fit={"kind": "profiles", "simulated": True, "n": 500})
    assert 'id="activeren"' not in page_text(researcher.get(detail(draft.version)))
    for data in ({}, CONFIRM):
        response = researcher.post(f"{detail(draft.version)}activeren/", data)
        assert response.status_code == 302 and response["Location"] == detail(draft.version)
    assert active_version() == "1.1.0"


def estimated_fit() -> dict:
    """The fit of a real selection on planted data, as estimate_profiles stores it."""
    rng = np.random.default_rng(2)
    centres = np.array([[2.0 * (c in d) for c in range(9)] for d in ((0, 3), (1, 2, 6), (5, 7))])
    labels = rng.choice(3, size=300)
    z = centres[labels] + rng.normal(size=(300, 9))
    z[rng.random(z.shape) < 0.01] = np.nan
    selection = select_model(z, max_k=4, structures=("diag", "tied"), starts=4, final_starts=2)
    chosen = selection.chosen
    return {
        "kind": "profiles",
        "n": 300,
        "chosen_k": chosen.k,
        "chosen_structure": chosen.structure,
        "at_edge": True,
        "max_k": selection.max_k,
        "table": [f.as_row() for f in selection.fits if f.structure == chosen.structure],
        "grid": [f.as_row() for f in selection.fits],
        "rules": {"criterion": "BIC", "min_share": 0.05},
        "starts": 4,
        "final_starts": 2,
        "initial_iterations": 20,
        "random_state": 0,
        "stability": {"bootstraps": 5, "ari_mean": 0.97, "ari_min": 0.91},
        "blrt": [{"k": 3, "lr": 412.5, "p": 0.0196, "replicates": 50}],
        "specification": {
            "structure": chosen.structure,
            "k": chosen.k,
            "parameters": chosen.parameters,
            "missing_scores": int(np.isnan(z).sum()),
            "organisations_with_missing": int(np.isnan(z).any(axis=1).sum()),
            "diagonal_agreement": 0.987,
        },
    }


def test_the_model_page_shows_the_selection_per_structure_and_k(researcher):
    fit = estimated_fit()
    draft = make_draft(fit=fit)

    text = page_text(researcher.get(detail(draft.version)))

    for structure in ("diag", "tied"):
        assert f'id="fit-{structure}"' in text
        for k in range(1, 5):
            assert f'id="fit-{structure}-{k}"' in text
    chosen = next(r for r in fit["grid"] if r["structure"] == fit["chosen_structure"]
                  and r["k"] == fit["chosen_k"])  # fmt: skip
    row = text[text.index(f'id="fit-{chosen["structure"]}-{chosen["k"]}"') :].split("</tr>")
    cells, classes = row[0], row[1]
    assert "gekozen" in cells
    for key in ("log_likelihood", "aic", "bic", "abic", "icl"):
        assert f"{chosen[key]:.1f}".replace(".", ",") in cells, key
    assert f">{chosen['parameters']}<" in cells
    assert f"{chosen['replications']}/{chosen['final_runs']} ja" in cells
    # Class sizes with their average posterior, under the row.
    size, posterior = chosen["sizes"][0], chosen["average_posterior"][0]
    assert f"{size} ({posterior:.2f})".replace(".", ",") in classes
    assert 'id="rand"' in text and 'id="stabiliteit"' in text and "0,91" in text
    assert 'id="blrt"' in text and "0,020" in text
    assert 'id="specificatie"' in text
    # How reports assign follows the chosen structure (covariances stored with a tied one).
    assigned = text[text.index('id="diagonaal"') :].split("</dd>")[0]
    with_covariances = fit["specification"]["structure"] in ("tied", "full")
    assert ("covarianties tussen de uitdagingen zijn bij elk profiel bewaard" in assigned) is (
        with_covariances
    )
    # The profile-means plot: one line per profile, numbered, hidden from screen readers.
    chart = text[text.index('id="profielgrafiek"') :].split("</figure>")[0]
    assert chart.count("<polyline") == len(draft.content["profiles"])
    assert 'aria-hidden="true"' in chart


def with_measured_evidence(content: dict) -> None:
    """Evidence with a weighted n and SE per cell, so that the page shows that table too."""
    content["evidence_uncertainty"] = {
        profile_id: {action_id: {"n": 12.5, "se": 0.05} for action_id in row}
        for profile_id, row in content["evidence"].items()
    }


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1300])
def test_the_model_page_does_not_scroll_sideways(browser, live_server, browser_login, width):
    """Not on a phone (390 px) and not on a laptop (1300 px): a table too wide for the
    screen scrolls inside its own region, named by its visible heading and reachable by
    keyboard; the page itself never scrolls sideways."""
    from leerkansen.testing import assert_no_axe_violations

    draft = make_draft(with_measured_evidence, fit=estimated_fit())
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, locale="nl-BE"
    )
    browser_login(context, make_researcher())
    page = context.new_page()
    page.goto(detail(draft.version))
    assert page.locator("#fit-tied").is_visible() and page.locator("#bewijs-tabel").count()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"scrolls sideways at {width} px ({scroll_width} px)"
    # Every table sits in a scrolling region with a visible name and a place in the tab order.
    regions = page.evaluate(
        """[...document.querySelectorAll('main table')].map(t => {
            const region = t.closest('.table-scroll');
            const name = region && document.getElementById(region.getAttribute('aria-labelledby'));
            return {
                table: t.id,
                region: Boolean(region) && region.getAttribute('role') === 'region'
                    && region.tabIndex === 0,
                name: name ? name.innerText.trim() : '',
                wider: t.scrollWidth > (region || t.parentElement).clientWidth + 1,
            };
        })"""
    )
    assert {r["table"] for r in regions} >= {"fit-diag", "fit-tied", "profielen", "bewijs-tabel"}
    assert [r["table"] for r in regions if not (r["region"] and r["name"])] == []
    wider = {r["table"] for r in regions if r["wider"]}
    if width == 1300:
        # On a laptop no table needs to scroll.
        assert wider == set()
    else:
        assert {"fit-diag", "fit-tied"} <= wider
        # The keyboard scrolls a region: Tab to it, then the arrow key.
        region = page.locator(".table-scroll:has(#fit-tied)")
        region.focus()
        assert page.evaluate("document.activeElement.contains(document.getElementById('fit-tied'))")
        page.keyboard.press("ArrowRight")
        # Polled with evaluate: wait_for_function re-runs its string with eval in the page,
        # which the site's CSP (script-src 'self') refuses whenever the first check is false.
        scrolled = "document.querySelector('.table-scroll:has(#fit-tied)').scrollLeft > 0"
        for _ in range(50):
            if page.evaluate(scrolled):
                break
            page.wait_for_timeout(100)
        assert page.evaluate(scrolled)
    assert_no_axe_violations(page)
    context.close()
