"""Issue 22 item 4 in the emails: a date inside an email reads as on the pages of its language
("5 Jan 2027", 「2027年1月5日」), never the stored ISO text ("2027-01-05")."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from tests.ui.emails import render_allauth, render_invitation, render_notifications

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
WRITTEN = {"en": "5 Jan 2027", "ja": "2027年1月5日"}  # tests/ui/emails.py gives every *_on / expires* value 2027-01-05


@pytest.mark.parametrize(("value", "language", "expected"), [
    ("2027-01-05", "en", "5 Jan 2027"),
    ("2027-01-05", "ja", "2027年1月5日"),
    ("2027-01-05T23:30:00-02:00", "en", "6 Jan 2027"),  # a moment's day in UTC, as the emails say "(UTC)"
    (datetime(2027, 1, 5, 9, 0, tzinfo=UTC), "ja", "2027年1月5日"),
    ("[[invitation-expires-on]]", "en", "[[invitation-expires-on]]"),  # not a date: as it is
    ("", "en", ""),
])
def test_day_writes_a_date_as_the_pages_do(value, language, expected):
    with translation.override(language):
        assert Template("{{ v|day }}").render(Context({"v": value})) == expected


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_notification_email_writes_its_dates_in_its_language(language):
    dated = []
    for email in render_notifications(language):
        for part in (email.subject, email.text, email.html):
            assert not ISO_DATE.search(part), (email.name, ISO_DATE.search(part))
        if WRITTEN[language] in email.text:
            assert WRITTEN[language] in email.html, email.name
            dated.append(email.name)
    # the ones that carry a date: grant end, approval deadline, partner-user link expiry, agreement date
    assert {"relationships/email/grant_approval_request", "partners/email/partner_user_invitation",
            "customers/email/agreement_attested"} <= set(dated), dated


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_invitation_email_writes_its_expiry_in_its_language(language):
    from invitations.draft_markers import expires_on

    email = render_invitation(language)
    for part in (email.subject, email.text, email.html):
        assert not ISO_DATE.search(part), ISO_DATE.search(part)
    written = expires_on_for(email, expires_on)
    body, footer = email.text.rsplit("-- ", 1)
    assert written in body and written in footer and written in email.html
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}" if language == "en" else r"\d{4}年\d{1,2}月\d{1,2}日", written)


def expires_on_for(email, expires_on):  # type: ignore[no-untyped-def]
    from invitations.models import Invitation

    return expires_on(Invitation.objects.latest("pk"))


@pytest.mark.parametrize("language", ["en", "ja"])
def test_allauth_notifications_write_the_moment_in_its_language(language):
    from django.contrib.sites.shortcuts import get_current_site  # noqa: F401 — allauth's context needs sites

    moment = datetime(2026, 12, 6, 23, 25, tzinfo=UTC)
    with translation.override(language):
        html = Template('{% load i18n %}{{ timestamp }}').render(Context({"timestamp": moment}))
    assert html in ("6 Dec 2026, 23:25", "2026年12月6日 23:25", "7 Dec 2026, 08:25", "2026年12月7日 08:25")
    assert render_allauth(language)  # they render
