"""The plan pages: add, order, edit and remove actions; two admins at once; who sees what."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from leerkansen.content.catalogue import get_catalogue
from leerkansen.plans import services
from leerkansen.plans.models import PlanItem
from leerkansen.reports.models import Report

from . import (
    PLAN_URL,
    action_ids,
    edit_data,
    edit_url,
    hidden_value,
    items,
    make_report_for,
)

pytestmark = pytest.mark.django_db

HIGHLIGHT_MEANING = (
    "Een actie die in de analyse of in workshops naar voren kwam als bijzonder krachtig of "
    "veelbelovend."
)


ADD_URL = PLAN_URL + "toevoegen/"


def add(client: Client, action_id: str, source: str = "menu"):
    return client.post(ADD_URL, {"action": action_id, "source": source})


def move(client: Client, item: PlanItem, direction: str, version: int):
    return client.post(
        reverse("plans:move", args=[item.code]), {"direction": direction, "version": version}
    )


def plan_version(client: Client) -> int:
    """The plan version the plan page's move buttons carry, as a browser would post it."""
    html = client.get(PLAN_URL).content.decode()
    first = items_on_page(html)[0]
    return int(hidden_value(html, reverse("plans:move", args=[first]), "version"))


def items_on_page(html: str) -> list[str]:
    """The item codes in the order of the page's list."""
    return re.findall(r'<li class="plan-item[^"]*" id="item-([^"]+)"', html)


# -- The empty plan and its top 3 -----------------------------------------------------------


def test_empty_plan_offers_the_top_3_of_the_latest_report(team_a):
    older = make_report_for(team_a.organisation)
    latest = make_report_for(team_a.organisation)
    latest_top3 = [entry["action"] for entry in latest.top3]
    other = next(a.id for a in get_catalogue().actions() if a.id not in latest_top3)
    Report.objects.filter(pk=older.pk).update(top3=[{"action": other}])

    page = team_a.admin.get(PLAN_URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'action="{reverse("plans:prefill")}"' in html
    for action_id in latest_top3:
        assert f"{action_id} {get_catalogue().action(action_id).title}" in html
    # A HIGHLIGHT label says what it means, to the eye (title) and to a screen reader.
    if any(get_catalogue().action(action_id).highlight for action_id in latest_top3):
        assert f'<span class="visually-hidden"> ({HIGHLIGHT_MEANING})</span>' in html

    response = team_a.admin.post(reverse("plans:prefill"))
    assert response.status_code == 302
    assert action_ids(team_a.organisation) == latest_top3
    assert {item.added_from for item in items(team_a.organisation)} == {"report"}
    # A second click (or a colleague's) adds nothing.
    team_a.co_admin.post(reverse("plans:prefill"))
    assert action_ids(team_a.organisation) == latest_top3
    assert f'action="{reverse("plans:prefill")}"' not in team_a.admin.get(PLAN_URL).content.decode()


def test_empty_plan_without_a_report_says_how_to_start(team_a):
    html = team_a.admin.get(PLAN_URL).content.decode()
    assert 'class="empty-state' in html
    assert reverse("plans:prefill") not in html
    response = team_a.admin.post(reverse("plans:prefill"), follow=True)
    assert action_ids(team_a.organisation) == []
    assert "survey-message--error" in response.content.decode()


# -- Adding ---------------------------------------------------------------------------------


def test_admin_adds_actions_from_the_list_and_both_admins_see_them_in_order(team_a):
    response = add(team_a.admin, "1.1")
    item = items(team_a.organisation)[0]
    assert response.status_code == 302
    assert response["Location"] == f"{PLAN_URL}#item-{item.code}"
    add(team_a.co_admin, "5.3")

    assert action_ids(team_a.organisation) == ["1.1", "5.3"]
    html = team_a.co_admin.get(PLAN_URL).content.decode()
    catalogue = get_catalogue()
    first, second = (
        html.index(catalogue.action("1.1").title),
        html.index(catalogue.action("5.3").title),
    )
    assert first < second
    # 1.1 is a HIGHLIGHT action, 5.3 is not: the label is in 1.1's entry only.
    entry_11 = html[first:second]
    entry_53 = html[second : html.index("</li>", second)]
    assert "label--highlight" in entry_11 and "HIGHLIGHT" in entry_11
    assert "label--highlight" not in entry_53
    # What is on the plan is no longer offered in the add list.
    add_list = html[html.index('id="actie-toevoegen"') :]
    assert '<option value="1.1"' not in add_list and '<option value="1.2"' in add_list


def test_adding_an_action_twice_keeps_it_once_in_its_place(team_a):
    add(team_a.admin, "1.1")
    add(team_a.admin, "2.1")
    add(team_a.co_admin, "1.1")
    assert action_ids(team_a.organisation) == ["1.1", "2.1"]


def test_unknown_action_is_refused_next_to_the_field(team_a):
    response = add(team_a.admin, "9.99")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html and 'class="error-summary"' in html
    assert action_ids(team_a.organisation) == []


def test_link_from_an_action_asks_to_confirm_before_adding(team_a):
    action = get_catalogue().action("3.2")
    page = team_a.admin.get(ADD_URL, {"actie": "3.2", "van": "rapport"})
    html = page.content.decode()
    assert page.status_code == 200
    assert action.title in html
    assert '<input type="hidden" name="action" value="3.2">' in html
    assert '<input type="hidden" name="source" value="report">' in html
    # A GET changes nothing: a link, a preview or a crawler cannot add.
    assert action_ids(team_a.organisation) == []

    team_a.admin.post(ADD_URL, {"action": "3.2", "source": "report"})
    assert action_ids(team_a.organisation) == ["3.2"]
    assert items(team_a.organisation)[0].added_from == PlanItem.Source.REPORT

    again = team_a.admin.get(ADD_URL, {"actie": "3.2"}).content.decode()
    assert f"#item-{items(team_a.organisation)[0].code}" in again
    assert '<input type="hidden" name="action" value="3.2">' not in again


def test_link_with_an_unknown_action_shows_the_list_with_an_error(team_a):
    response = team_a.admin.get(ADD_URL, {"actie": "<script>"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html and "<script>" not in html
    assert '<optgroup label="' in html


# -- Ordering -------------------------------------------------------------------------------


def test_move_up_and_down_changes_the_order_and_keeps_places_1_to_n(team_a):
    for action_id in ("1.1", "2.1", "3.1"):
        add(team_a.admin, action_id)
    third = items(team_a.organisation)[2]

    response = move(team_a.admin, third, "up", plan_version(team_a.admin))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{third.code}")
    assert action_ids(team_a.organisation) == ["1.1", "3.1", "2.1"]

    move(team_a.admin, third, "up", plan_version(team_a.admin))
    assert action_ids(team_a.organisation) == ["3.1", "1.1", "2.1"]
    # At the top already: nothing changes.
    move(team_a.admin, third, "up", plan_version(team_a.admin))
    assert action_ids(team_a.organisation) == ["3.1", "1.1", "2.1"]
    move(team_a.admin, third, "down", plan_version(team_a.admin))
    assert action_ids(team_a.organisation) == ["1.1", "3.1", "2.1"]
    assert [item.position for item in items(team_a.organisation)] == [1, 2, 3]
    html = team_a.admin.get(PLAN_URL).content.decode()
    assert items_on_page(html) == [item.code for item in items(team_a.organisation)]


def test_a_move_on_an_outdated_page_is_refused(team_a):
    for action_id in ("1.1", "2.1", "3.1"):
        add(team_a.admin, action_id)
    third = items(team_a.organisation)[2]
    # Both admins have the plan open.
    seen_by_admin = plan_version(team_a.admin)
    seen_by_colleague = plan_version(team_a.co_admin)

    move(team_a.co_admin, third, "up", seen_by_colleague)
    assert action_ids(team_a.organisation) == ["1.1", "3.1", "2.1"]
    # The admin, on the older page, moves 3.1 up too: "up" now means something else.
    response = move(team_a.admin, third, "up", seen_by_admin)
    assert action_ids(team_a.organisation) == ["1.1", "3.1", "2.1"]
    page = team_a.admin.get(response["Location"]).content.decode()
    assert "survey-message--error" in page


# -- Editing --------------------------------------------------------------------------------


def test_admin_sets_owner_start_status_and_note(team_a):
    add(team_a.admin, "1.1")
    item = items(team_a.organisation)[0]
    response = team_a.admin.post(
        edit_url(item),
        edit_data(
            item, owner="Sofie Peeters", start="15/09/2026", status="in_progress", note="Eerst IT"
        ),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.owner, item.start, item.status, item.note) == (
        "Sofie Peeters",
        datetime.date(2026, 9, 15),
        PlanItem.Status.IN_PROGRESS,
        "Eerst IT",
    )
    assert item.version == 2
    html = team_a.co_admin.get(PLAN_URL).content.decode()
    assert "Sofie Peeters" in html and "Eerst IT" in html and "2026-09-15" in html


def test_too_long_values_are_refused_next_to_their_field_and_kept(team_a):
    add(team_a.admin, "1.1")
    item = items(team_a.organisation)[0]
    long_note = "x" * 2001
    response = team_a.admin.post(
        edit_url(item), edit_data(item, owner="O" * 101, note=long_note, start="31/02/2026")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('aria-invalid="true"') == 3
    assert long_note in html
    assert f'id="item-{item.code}-bewerken" open' in html
    item.refresh_from_db()
    assert (item.owner, item.note, item.version) == ("", "", 1)


def test_a_save_on_an_outdated_version_is_refused_and_keeps_what_was_typed(team_a):
    add(team_a.admin, "1.1")
    item = items(team_a.organisation)[0]
    # Both admins open the plan and start typing.
    admin_form = edit_data(item, owner="An", note="Start in september")
    colleague_form = edit_data(item, owner="Jo", status="in_progress", note="Al bezig")

    assert team_a.co_admin.post(edit_url(item), colleague_form).status_code == 302
    response = team_a.admin.post(edit_url(item), admin_form)
    html = response.content.decode()

    assert response.status_code == 409
    item.refresh_from_db()
    assert (item.owner, item.status, item.note, item.version) == (
        "Jo",
        "in_progress",
        "Al bezig",
        2,
    )
    # The colleague's saved values are shown ...
    conflict = html[html.index("plan-conflict") :]
    assert "Jo" in conflict and "Al bezig" in conflict
    # ... and the admin's typed values are still in the form, now on the current version.
    form = html[html.index(f'action="{edit_url(item)}"') :]
    assert 'value="An"' in form and "Start in september</textarea>" in form
    assert hidden_value(html, edit_url(item), "version") == "2"
    assert 'role="alert"' in html

    # Saving again, having seen the colleague's values, succeeds.
    admin_form["version"] = "2"
    assert team_a.admin.post(edit_url(item), admin_form).status_code == 302
    item.refresh_from_db()
    assert (item.owner, item.note, item.version) == ("An", "Start in september", 3)


def test_two_saves_of_the_same_values_are_no_conflict(team_a):
    add(team_a.admin, "1.1")
    item = items(team_a.organisation)[0]
    same = edit_data(item, status="done")
    assert team_a.co_admin.post(edit_url(item), same).status_code == 302
    assert team_a.admin.post(edit_url(item), same).status_code == 302


def test_an_edit_without_a_version_is_refused(team_a):
    add(team_a.admin, "1.1")
    item = items(team_a.organisation)[0]
    data = edit_data(item, owner="An")
    del data["version"]
    response = team_a.admin.post(edit_url(item), data)
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    item.refresh_from_db()
    assert item.owner == ""


# -- Removing -------------------------------------------------------------------------------


def test_remove_asks_to_confirm_then_removes_and_renumbers(team_a):
    for action_id in ("1.1", "2.1", "3.1"):
        add(team_a.admin, action_id)
    second = items(team_a.organisation)[1]
    url = reverse("plans:remove", args=[second.code])

    page = team_a.admin.get(url)
    assert page.status_code == 200
    assert len(items(team_a.organisation)) == 3
    version = hidden_value(page.content.decode(), url, "version")

    response = team_a.admin.post(url, {"version": version})
    assert response.status_code == 302
    assert action_ids(team_a.organisation) == ["1.1", "3.1"]
    assert [item.position for item in items(team_a.organisation)] == [1, 2]
    assert team_a.admin.get(url).status_code == 404


def test_removing_an_action_a_colleague_just_changed_asks_again(team_a):
    add(team_a.admin, "1.1")
    item = items(team_a.organisation)[0]
    url = reverse("plans:remove", args=[item.code])
    version = hidden_value(team_a.admin.get(url).content.decode(), url, "version")

    team_a.co_admin.post(edit_url(item), edit_data(item, note="Belangrijk: niet schrappen"))
    response = team_a.admin.post(url, {"version": version})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Belangrijk: niet schrappen" in html
    assert action_ids(team_a.organisation) == ["1.1"]

    # Confirming on the page that shows the note removes it.
    team_a.admin.post(url, {"version": hidden_value(html, url, "version")})
    assert action_ids(team_a.organisation) == []


# -- Who may -------------------------------------------------------------------------------


def item_urls(item: PlanItem) -> list[str]:
    return [
        reverse(name, args=[item.code])
        for name in ("plans:edit", "plans:move", "plans:remove", "plans:item_sheet_pdf")
    ]


def test_another_organisations_admin_gets_404_on_every_item_url(team_a, admin_b):
    add(team_a.admin, "1.1")
    item = items(team_a.organisation)[0]
    version = str(item.version)
    for url in item_urls(item):
        assert admin_b.get(url).status_code in (404, 405), url
        posted = admin_b.post(url, {"version": version, "direction": "down", **edit_data(item)})
        assert posted.status_code in (404, 405), url
    # Neither method found the item: every URL is 404 for at least the method it serves.
    assert admin_b.get(reverse("plans:remove", args=[item.code])).status_code == 404
    assert admin_b.get(reverse("plans:item_sheet_pdf", args=[item.code])).status_code == 404
    for name in ("plans:edit", "plans:move", "plans:remove"):
        url = reverse(name, args=[item.code])
        assert admin_b.post(url, edit_data(item, owner="B")).status_code == 404, url
    item.refresh_from_db()
    assert (item.owner, item.version) == ("", 1)
    # B's own plan page and exports show nothing of A's.
    page = admin_b.get(PLAN_URL).content.decode()
    assert "Alfa Zorg" not in page and item.code not in page


def test_adding_by_another_organisation_goes_to_its_own_plan(team_a, admin_b):
    add(admin_b, "1.1")
    assert action_ids(team_a.organisation) == []


def all_urls(item: PlanItem) -> list[str]:
    return [
        PLAN_URL,
        ADD_URL,
        reverse("plans:prefill"),
        reverse("plans:plan_pdf"),
        reverse("plans:plan_xlsx"),
        reverse("plans:sheets_pdf"),
        *item_urls(item),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(team_a):
    add(team_a.admin, "1.1")
    item = items(team_a.organisation)[0]
    login = reverse("organisations:login")
    anonymous = Client()
    for url in all_urls(item):
        for response in (anonymous.get(url), anonymous.post(url, edit_data(item))):
            assert response.status_code == 302, url
            assert response["Location"].startswith(login), url
    item.refresh_from_db()
    assert item.version == 1


def test_pages_are_never_stored_by_a_cache(team_a):
    add(team_a.admin, "1.1")
    item = items(team_a.organisation)[0]
    responses = [
        team_a.admin.get(PLAN_URL),
        team_a.admin.get(ADD_URL, {"actie": "2.1"}),
        team_a.admin.get(reverse("plans:remove", args=[item.code])),
        team_a.admin.get(reverse("plans:plan_xlsx")),
        team_a.admin.post(edit_url(item), edit_data(item, owner="O" * 101)),
    ]
    for response in responses:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]


def test_every_page_has_labelled_fields_and_text_buttons(team_a):
    add(team_a.admin, "1.1")
    add(team_a.admin, "2.1")
    html = team_a.admin.get(PLAN_URL).content.decode()
    item = items(team_a.organisation)[0]
    for field in ("owner", "start", "status", "note"):
        assert f'<label for="item-{item.code}-{field}">' in html
    assert '<label for="actie-toevoegen">' in html
    assert '<ol class="plan-list">' in html
    # Every button has text of its own, not only an icon.
    for button in re.findall(r"<button[^>]*>(.*?)</button>", html, flags=re.S):
        text = re.sub(r"<[^>]+>|[↑↓]", "", button).strip()
        assert text, button


def test_looking_at_the_plan_makes_no_plan_and_adding_does(team_a):
    assert services.plan_of(team_a.organisation) is None
    team_a.admin.get(PLAN_URL)
    # Looking does not make a plan; adding does.
    assert services.plan_of(team_a.organisation) is None
    add(team_a.admin, "1.1")
    assert services.plan_of(team_a.organisation).version == 2
