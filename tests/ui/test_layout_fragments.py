"""Layout fragments rendered once per process (partnercenter.template_builtins.layout_fragment) and the
day-kept `date` filter (issue 25, cheaper floors): the same markup as rendering every time, and nothing
carried from one user, partner, role or language to another."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.template.defaultfilters import date as django_date
from django.urls import reverse
from django.utils import timezone, translation

from partnercenter.template_builtins import date_filter
from partners.choices import PartnerRole
from tests.factories import PartnerFactory, PartnerMembershipFactory, UserFactory

FRAGMENT = Template('{% load i18n %}{% layout_fragment "t" name=name %}{{ name }}·{% translate "Customers" %}·{{ secret }}'
                    '{% endlayout_fragment %}')


def test_fragment_renders_per_key_and_language():
    with translation.override("en"):
        assert FRAGMENT.render(Context({"name": "Contoso"})) == "Contoso·Customers·"
        assert FRAGMENT.render(Context({"name": "Fabrikam"})) == "Fabrikam·Customers·"
        assert FRAGMENT.render(Context({"name": "Contoso"})) == "Contoso·Customers·"
    with translation.override("ja"):
        assert FRAGMENT.render(Context({"name": "Contoso"})) == "Contoso·顧客·"


def test_fragment_sees_only_its_key_values():
    """What is not in the key (the user, the request, the CSRF token) is not in the output either."""
    assert FRAGMENT.render(Context({"name": "Contoso", "secret": "s3cret"})) == "Contoso·Customers·"


def test_fragment_key_tells_types_apart_and_escapes():
    template = Template('{% layout_fragment "t" v=v %}{{ v }}{% endlayout_fragment %}')
    assert template.render(Context({"v": 1})) == "1"
    assert template.render(Context({"v": True})) == "True"
    assert template.render(Context({"v": "<b>"})) == "&lt;b&gt;"
    assert template.render(Context({"v": ("a", "b")})) == "(&#x27;a&#x27;, &#x27;b&#x27;)"


def test_fragment_refuses_objects_as_keys(partner_a):
    template = Template('{% layout_fragment "t" partner=partner %}{{ partner.name }}{% endlayout_fragment %}')
    with pytest.raises(TypeError):
        template.render(Context({"partner": partner_a.partner}))


def test_fragment_refuses_a_csrf_token():
    with pytest.raises(TemplateSyntaxError):
        Template('{% layout_fragment "t" %}<form>{% csrf_token %}</form>{% endlayout_fragment %}')


def _page(client, membership, language="en"):  # type: ignore[no-untyped-def]
    client.force_login(membership.user)
    client.cookies["django_language"] = language
    response = client.get(reverse("relationships:customers", kwargs={"partner_id": membership.partner.partner_id}))
    assert response.status_code == 200
    return response.content.decode()


def test_console_layout_does_not_leak_between_users_partners_roles_and_languages(client, partner_a, partner_b):
    admin_a = _page(client, partner_a.admin)
    assert "admin@contoso.example" in admin_a and "Contoso Cloud" in admin_a and "Users and roles" in admin_a
    admin_b = _page(client, partner_b.admin)
    assert "admin@fabrikam.example" in admin_b and "Fabrikam Federal" in admin_b
    assert "Contoso" not in admin_b and "admin@contoso.example" not in admin_b
    sales_a = _page(client, partner_a.sales)  # same partner, fewer roles: no partner settings in the menu
    assert "sales@contoso.example" in sales_a and "Users and roles" not in sales_a and "Sign-in log" not in sales_a
    admin_a_ja = _page(client, partner_a.admin, "ja")
    assert "ユーザーとロール" in admin_a_ja and "Users and roles" not in admin_a_ja


def test_console_layout_follows_renames_roles_and_memberships(client, partner_a):
    before = _page(client, partner_a.sales)
    assert "Users and roles" not in before
    partner_a.partner.name = "Contoso Renamed"
    partner_a.partner.save(update_fields=["name"])
    partner_a.sales.roles = [PartnerRole.ACCOUNT_ADMIN]
    partner_a.sales.save(update_fields=["roles"])
    other = PartnerMembershipFactory(partner=PartnerFactory(name="Second Partner"), user=partner_a.sales.user,
                                     roles=[PartnerRole.SALES_AGENT])
    after = _page(client, partner_a.sales)
    assert "Contoso Renamed" in after and "Users and roles" in after
    assert "Second Partner" in after and other.partner.partner_id in after
    other.delete()
    assert "Second Partner" not in _page(client, partner_a.sales)


def test_staff_entry_only_for_staff(client, partner_a):
    staff = UserFactory(email="staff@contoso.example", is_staff=True)
    membership = PartnerMembershipFactory(partner=partner_a.partner, user=staff, roles=[PartnerRole.SALES_AGENT])
    assert "Staff console" in _page(client, membership)
    assert "Staff console" not in _page(client, partner_a.sales)


VALUES = [
    datetime(2026, 12, 6, 23, 25, 34, 649049, tzinfo=UTC),
    datetime(2026, 12, 6, 23, 25, 34),  # naive
    datetime(2027, 1, 1, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
    date(2024, 2, 29),
    None,
    "",
    "2026-12-06",
]
FORMATS = [None, "", "DATE_FORMAT", "SHORT_DATE_FORMAT", "MONTH_DAY_FORMAT", "YEAR_MONTH_FORMAT", "DATETIME_FORMAT",
           "SHORT_DATETIME_FORMAT", "TIME_FORMAT", "Y-m-d", "r", "c", "U", "jS F Y \\a\\t H:i", "l, N jS", "D W o t L", "e O T I"]


def _outcome(function, value, fmt):  # type: ignore[no-untyped-def]
    try:
        return function(value, fmt)
    except TypeError as error:  # Django refuses time specifiers for a date: so must we
        return f"TypeError: {error}"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_date_filter_matches_djangos(language):
    with translation.override(language), timezone.override("Asia/Tokyo"):
        for _ in range(2):  # the second round answers from what the first kept
            for value in VALUES:
                for fmt in FORMATS:
                    assert _outcome(date_filter, value, fmt) == _outcome(django_date, value, fmt), (value, fmt)
        for days in range(40):  # many days: the kept texts stay the days' own
            value = datetime(2026, 12, 20, tzinfo=UTC) + timedelta(days=days)
            assert date_filter(value, "DATE_FORMAT") == django_date(value, "DATE_FORMAT")


def test_date_filter_is_every_templates_date():
    with translation.override("ja"), timezone.override("UTC"):
        assert Template('{{ d|date:"DATE_FORMAT" }}').render(Context({"d": datetime(2026, 12, 6, tzinfo=UTC)})) == "2026年12月6日"


def test_isodatetime_follows_the_viewers_zone_for_the_same_instant():
    moment = datetime(2026, 12, 6, 23, 25, 34, 649049, tzinfo=UTC)
    same_instant = moment.astimezone(ZoneInfo("America/New_York"))
    template = Template("{{ d|isodatetime }}")
    for _ in range(2):
        with timezone.override("Asia/Tokyo"):
            assert template.render(Context({"d": moment})) == "2026-12-07T08:25:34+09:00"
            assert template.render(Context({"d": same_instant})) == "2026-12-07T08:25:34+09:00"
        with timezone.override("UTC"):
            assert template.render(Context({"d": same_instant})) == "2026-12-06T23:25:34+00:00"
        assert Template("{{ d|isodatetime }}").render(Context({"d": datetime(2026, 1, 2, 3, 4, 5, 6)})) == "2026-01-02T03:04:05"


def test_fragment_urls_follow_the_script_prefix():
    from django.urls import set_script_prefix

    template = Template('{% layout_fragment "t" %}{% url "home" %}{% endlayout_fragment %}')
    try:
        set_script_prefix("/")
        assert template.render(Context()) == "/"
        set_script_prefix("/portal/")
        assert template.render(Context()) == "/portal/"
    finally:
        set_script_prefix("/")
