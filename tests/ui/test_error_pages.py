"""Error pages are product pages in the user's language (issue 22 item 3), refusals say why (issue 21
item 6), the console menu shows only what the role may open, and an ordinary 403 logs one line."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings
from django.urls import path, reverse

from partners.choices import PartnerRole
from tests.factories import PartnerMembershipFactory, UserFactory


def _boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("broken on purpose")


urlpatterns = [path("boom/", _boom)]
handler500 = "partnercenter.error_views.server_error"


def activity_url(tenant) -> str:  # type: ignore[no-untyped-def]
    return reverse("audit:activity", kwargs={"partner_id": tenant.partner.partner_id})


def overview_url(tenant) -> str:  # type: ignore[no-untyped-def]
    return reverse("partners:overview", kwargs={"partner_id": tenant.partner.partner_id})


@pytest.mark.parametrize(("language", "heading", "hint"), [
    ("en", "Page not found", "organisation you are not a member of"),
    ("ja", "ページが見つかりません", "所属していない組織"),
])
def test_404_is_the_product_page_in_the_users_language(client, db, language, heading, hint):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in html and hint in html
    assert "partnercenter" in html and 'class="error-card' in html
    assert "URLconf" not in html and "urlpatterns" not in html


def test_404_of_another_partner_says_where_to_go(client, partner_a, partner_b):
    client.force_login(partner_b.admin.user)
    response = client.get(overview_url(partner_a))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and reverse("home") in html


@pytest.mark.parametrize("role", [PartnerRole.SALES_AGENT, PartnerRole.HELPDESK_AGENT, PartnerRole.BILLING_ADMIN])
def test_activity_log_refusal_names_the_partner_and_the_roles(client, partner_a, role):
    member = PartnerMembershipFactory(partner=partner_a.partner, user=UserFactory(), roles=[role])
    client.force_login(member.user)
    response = client.get(activity_url(partner_a), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    html = response.content.decode()
    assert "have access to this page" in html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "Your roles in Contoso Cloud do not include this page or action." in html
    assert str(PartnerRole(role).label) in html
    assert "An account admin of Contoso Cloud can change your roles" in html
    assert f'href="{overview_url(partner_a)}"' in html


def test_refusal_in_japanese(client, partner_a, settings):
    client.force_login(partner_a.sales.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    response = client.get(activity_url(partner_a), HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "このページへのアクセス権がありません" in html
    assert "Contoso Cloud でのあなたのロール" in html and "営業担当者" in html


@pytest.mark.parametrize(("role", "shown"), [
    (PartnerRole.ACCOUNT_ADMIN, True),
    (PartnerRole.ADMIN_AGENT, True),
    (PartnerRole.SALES_AGENT, False),
    (PartnerRole.HELPDESK_AGENT, False),
    (PartnerRole.BILLING_ADMIN, False),
])
def test_menu_shows_activity_log_only_to_roles_that_may_open_it(client, partner_a, role, shown):
    member = PartnerMembershipFactory(partner=partner_a.partner, user=UserFactory(), roles=[role])
    client.force_login(member.user)
    html = client.get(overview_url(partner_a), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (f'href="{activity_url(partner_a)}"' in html) is shown
    # Whatever the menu shows, the role may open.
    nav = html.split('class="console-nav"', 1)[1].split("</nav>", 1)[0]
    for href in [part.split('"', 1)[0] for part in nav.split('href="')[1:]]:
        assert client.get(href).status_code == 200, href


def test_an_ordinary_403_logs_one_line_without_a_traceback(client, partner_a, caplog):
    client.force_login(partner_a.sales.user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(activity_url(partner_a)).status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.exc_info is None for r in records)
    assert "Forbidden" in records[0].getMessage()


@override_settings(ROOT_URLCONF=__name__)
def test_500_is_the_product_page_with_a_reference(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="ja">' in html and "問題が発生しました" in html
    assert "Traceback" not in html and "broken on purpose" not in html


def test_500_in_english(db):
    with override_settings(ROOT_URLCONF=__name__):
        response = Client(raise_request_exception=False).get("/boom/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_the_embedded_default_runs_with_debug_off():
    """`make run` must show these pages, not Django's debug 404 listing every URL pattern."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "partnercenter/settings/local.py").read_text()
    assert 'DEBUG = env.bool("DJANGO_DEBUG", default=False)' in text


def test_error_page_falls_back_to_a_plain_page_when_the_branded_one_cannot_render(client, db, settings):
    """Production settings without collectstatic: the manifest lacks app.css, {% static %} raises."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    settings.STATIC_ROOT = "/nonexistent-ui22"
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_favicon_ico_leads_to_the_product_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("img/favicon.svg")


def test_the_draft_page_highlights_invitations_in_the_menu(client, partner_a):
    from tests.factories import InvitationFactory

    invitation = InvitationFactory(partner=partner_a.partner, created_by=partner_a.admin.user)
    client.force_login(partner_a.admin.user)
    url = reverse("invitations:draft", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": invitation.pk})
    response = client.get(url)
    assert response.status_code == 200
    nav = response.content.decode().split('class="console-nav"', 1)[1].split("</nav>", 1)[0]
    current = nav.split('aria-current="page"', 1)[1].split("</a>", 1)[0]
    assert "Invitations" in current


@pytest.mark.parametrize(("language", "heading"), [("en", "This address cannot be opened this way"),
                                                   ("ja", "このアドレスはこの方法では開けません")])
def test_405_for_a_browser_is_the_product_page(client, partner_a, settings, language, heading):
    client.force_login(partner_a.admin.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    invitation_pk = 1
    url = reverse("invitations:cancel", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": invitation_pk})
    response = client.get(url, HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert response.status_code == 405
    assert heading in response.content.decode() and "POST" in response["Allow"]


def test_405_for_a_program_stays_plain_text(client, partner_a):
    client.force_login(partner_a.admin.user)
    url = reverse("invitations:cancel", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": 1})
    response = client.get(url)
    assert response.status_code == 405 and response["Content-Type"].startswith("text/plain")
