"""The Customers table's rows, written in Python (issue 25): the markup the template's loop wrote, and
the compiled rows statement gives the queryset's rows for every filter shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from relationships.models import CustomerTag, DelegatedAdminGrant, Relationship
from relationships.selectors import CUSTOMER_SORTS
from tests.customer_services import grant_roles
from tests.factories import CustomerFactory
from workflows.customer_360 import CustomerRows, customer_rows_for_partner

# The loop customers.html had before customer_rows_html (verbatim).
TEMPLATE_LOOP = (
    '{% for relationship in page.object_list %}\n        {% with customer=relationship.customer details_url=relationship.details_url %}\n'
    '        <tr>\n          {% if can_request_dap %}<td class="select-cell"><input class="form-check-input" type="checkbox" form="bulk-gdap" '
    'name="customer" value="{{ relationship.tenant }}" id="select-{{ relationship.tenant }}" aria-label="{{ relationship.select_label }}"></td>'
    '{% endif %}\n          <td class="expand-cell"><button class="btn btn-sm btn-link p-0 expand-toggle" type="button" aria-expanded="false" '
    'aria-controls="details-{{ relationship.tenant }}" data-details-url="{{ details_url }}"><i class="bi bi-chevron-down" aria-hidden="true">'
    '</i><span class="visually-hidden">{{ relationship.details_label }}</span></button></td>\n          <th scope="row" class="fw-medium">'
    '<a href="{{ details_url }}">{{ customer.company_name }}</a><div class="small fw-normal text-body-secondary text-break">'
    '{{ customer.primary_domain }}</div>{% if relationship.tag_names %}<div class="customer-tags">{% for name in relationship.tag_names %}'
    '<span class="badge rounded-pill text-bg-light border fw-normal me-1"><i class="bi bi-tag" aria-hidden="true"></i> {{ name }}</span>'
    '{% endfor %}</div>{% endif %}</th>\n          <td class="d-none d-md-table-cell">{{ relationship.country_name }}</td>\n'
    '          <td class="small d-none d-md-table-cell">{{ relationship.type_label }}</td>\n          <td class="small d-none d-lg-table-cell">'
    '{{ relationship.subscriptions_label }}</td>\n          <td>{% if relationship.has_active_grant %}{{ active_badge }}'
    '{% elif relationship.has_pending_grant %}{{ pending_badge }}{% else %}<span class="text-body-secondary">{{ no_grant_label }}</span>'
    '{% endif %}</td>\n          <td class="text-nowrap d-none d-sm-table-cell"><time datetime="{{ relationship.established_at|isodatetime }}">'
    '{{ relationship.established_at|date:"DATE_FORMAT" }}</time></td>\n        </tr>\n        <tr class="details-row" '
    'id="details-{{ relationship.tenant }}" hidden><td colspan="{% if can_request_dap %}8{% else %}7{% endif %}" class="bg-body-tertiary">'
    '<div class="details-body"></div></td></tr>\n        {% endwith %}\n      {% endfor %}'
)


def customers_url(tenant) -> str:  # type: ignore[no-untyped-def]
    return reverse("relationships:customers", kwargs={"partner_id": tenant.partner.partner_id})


@pytest.fixture
def varied_customers(partner_a):  # type: ignore[no-untyped-def]
    partner = partner_a.partner
    names = ['Tom & "Jerry" <Ltd>', "Ünïcødé 株式会社", "Plain Co", "O'Brien & Sons", "Zeta"]
    countries = ["US", "JP", "DE", "IE", "JP"]
    customers = [CustomerFactory(company_name=n, country=c) for n, c in zip(names, countries, strict=True)]
    now = timezone.now()
    for i, customer in enumerate(customers):
        Relationship.objects.create(partner=partner, customer=customer, relationship_type="indirect_reseller" if i == 3 else "reseller",
                                    established_at=now - timedelta(days=400 * i, hours=7 * i))
    grant_roles(partner, customers[0])
    pending = grant_roles(partner, customers[1])
    DelegatedAdminGrant.objects.filter(pk=pending.pk).update(status="approval_pending")
    vip = CustomerTag.objects.create(partner=partner, name="<VIP> & co")
    vip.customers.add(customers[0], customers[2])
    CustomerTag.objects.create(partner=partner, name="Renewal").customers.add(customers[2])
    return customers


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo"])
@pytest.mark.parametrize("member", ["admin", "sales"])  # with and without the select column
def test_the_rows_are_the_markup_the_templates_loop_wrote(client, partner_a, varied_customers, settings, language, zone, member):
    settings.TIME_ZONE = zone
    client.force_login(getattr(partner_a, member).user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(customers_url(partner_a))
    context = response.context
    assert len(context["page"].object_list) == 5
    with timezone.override(zone):
        from django.utils import translation

        with translation.override(language):
            expected = engines["django"].from_string(TEMPLATE_LOOP).render({
                "page": context["page"], "can_request_dap": context["can_request_dap"], "active_badge": context["active_badge"],
                "pending_badge": context["pending_badge"], "no_grant_label": context["no_grant_label"]})
    assert str(context["rows_html"]) == expected
    assert expected in response.content.decode()
    assert ("&lt;VIP&gt; &amp; co" in expected) and ("<VIP>" not in expected)


@pytest.mark.parametrize("sort", sorted(CUSTOMER_SORTS))
@pytest.mark.parametrize("filters", [
    {}, {"relationship_type": "indirect_reseller"}, {"relationship_type": "reseller", "country": "jp"}, {"delegated_admin": "active"},
    {"delegated_admin": "pending"}, {"delegated_admin": "none", "country": "JP"}, {"tag": "first"}, {"tag": "missing"},
    {"relationship_type": "bogus", "delegated_admin": "bogus"}, {"q": "co"},
])
def test_the_compiled_rows_are_the_querysets_for_every_shape(partner_a, partner_b, varied_customers, sort, filters):
    partner = partner_a.partner
    Relationship.objects.create(partner=partner_b.partner, customer=varied_customers[0])  # another partner's: never listed
    filters = dict(filters)
    if filters.get("tag") == "first":
        filters["tag"] = CustomerTag.objects.get(partner=partner, name="Renewal").pk
    elif filters.get("tag") == "missing":
        filters["tag"] = 10**8
    queryset = customer_rows_for_partner(partner=partner, sort=sort, **filters)
    rows = CustomerRows(partner=partner, sort=sort, **filters)
    for start, stop in ((0, 25), (0, 2), (2, 4), (4, 25), (3, 3)):
        got, expected = rows[start:stop], list(queryset[start:stop])
        fields = ("pk", "customer_id", "has_active_grant", "has_pending_grant", "country_code", "subscription_count", "established_at")
        assert [tuple(getattr(r, f) for f in fields) for r in got] == [tuple(getattr(r, f) for f in fields) for r in expected]
        assert [r.customer.company_name for r in got] == [r.customer.company_name for r in expected]
