"""One look for dates and times per language, and machine-readable <time datetime> values without
microseconds (issue 22 item 4)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import InvitationFactory

MOMENT = datetime(2026, 12, 6, 23, 25, 34, 649049, tzinfo=UTC)
SAMPLE = Template('{{ d|date:"DATETIME_FORMAT" }}|{{ d|date:"SHORT_DATE_FORMAT" }}|{{ d|date:"DATE_FORMAT" }}|'
                  '{{ d|time }}|{{ d|isodatetime }}')


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "6 Dec 2026, 23:25|6 Dec 2026|6 Dec 2026|23:25|2026-12-06T23:25:34+00:00"),
    ("ja", "2026年12月6日 23:25|2026年12月6日|2026年12月6日|23:25|2026-12-06T23:25:34+00:00"),
])
def test_one_format_per_language(language, expected):
    with translation.override(language), timezone.override("UTC"):
        assert SAMPLE.render(Context({"d": MOMENT})) == expected


def test_isodatetime_is_in_the_viewers_time_zone_without_microseconds():
    with timezone.override("Asia/Tokyo"):
        assert Template("{{ d|isodatetime }}").render(Context({"d": MOMENT})) == "2026-12-07T08:25:34+09:00"


def test_japanese_durations_use_the_japanese_comma():
    later = timezone.now() + timedelta(days=29, hours=1)
    with translation.override("ja"):
        text = Template("{{ d|timeuntil_words }}").render(Context({"d": later}))
    assert "," not in text and "、" in text


@pytest.mark.parametrize("language", ["en", "ja"])
def test_invitations_page_datetime_attributes_are_valid(client, partner_a, settings, language):
    InvitationFactory(partner=partner_a.partner, created_by=partner_a.admin.user)
    client.force_login(partner_a.admin.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("invitations:list", kwargs={"partner_id": partner_a.partner.partner_id})).content.decode()
    values = re.findall(r'datetime="([^"]*)"', html)
    assert values
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value), value
    assert ", " not in "".join(re.findall(r"残り ([^<]*)<", html))
