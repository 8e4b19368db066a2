"""Partner console → Activity log: the partner's own events only, filtered, paginated, exported."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.actions import AuditAction
from audit.keyset import Cursor
from audit.models import AuditEvent
from partners.choices import PartnerRole
from tests.factories import AuditEventFactory, CustomerFactory, PartnerMembershipFactory, UserFactory


def activity_url(tenant) -> str:  # type: ignore[no-untyped-def]
    return reverse("audit:activity", kwargs={"partner_id": tenant.partner.partner_id})


def export_url(tenant) -> str:  # type: ignore[no-untyped-def]
    return reverse("audit:activity_export", kwargs={"partner_id": tenant.partner.partner_id})


def rows_of(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.fixture
def admin_agent(partner_a):  # type: ignore[no-untyped-def]
    return PartnerMembershipFactory(
        partner=partner_a.partner, user=UserFactory(email="agent@contoso.example"), roles=[PartnerRole.ADMIN_AGENT]
    )


# --- Who may see it ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, partner_a):
    response = client.get(activity_url(partner_a))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_another_partners_user_gets_404(client, partner_a, partner_b):
    client.force_login(partner_b.admin.user)
    assert client.get(activity_url(partner_a)).status_code == 404
    assert client.get(export_url(partner_a)).status_code == 404


def test_sales_agent_gets_403(client, partner_a):
    client.force_login(partner_a.sales.user)
    assert client.get(activity_url(partner_a)).status_code == 403
    assert client.get(export_url(partner_a)).status_code == 403


def test_account_admin_and_admin_agent_see_it_and_the_nav_link(client, partner_a, admin_agent):
    for membership in (partner_a.admin, admin_agent):
        client.force_login(membership.user)
        response = client.get(activity_url(partner_a))
        assert response.status_code == 200
        assert f'href="{activity_url(partner_a)}"' in response.content.decode()  # console navigation


# --- Tenancy ---------------------------------------------------------------------------------------


def test_never_shows_another_partners_events(client, partner_a, partner_b):
    AuditEventFactory(partner=partner_a.partner, target_label="mine-invitation")
    AuditEventFactory(partner=partner_b.partner, target_label="theirs-invitation")
    AuditEventFactory(partner=None, target_label="platform-event")
    theirs_customer = CustomerFactory()
    AuditEventFactory(partner=partner_b.partner, customer=theirs_customer, target_label="theirs-customer-event")
    client.force_login(partner_a.admin.user)
    body = client.get(activity_url(partner_a)).content.decode()
    assert "mine-invitation" in body
    assert "theirs" not in body and "platform-event" not in body
    assert theirs_customer.company_name not in body  # not even among the filter's choices
    # Asking for the other partner's customer is not a valid choice: the filter is ignored, the scope stays.
    page = client.get(activity_url(partner_a), {"customer": str(theirs_customer.tenant_id)}).context["page"]
    assert [e.target_label for e in page.object_list] == ["mine-invitation"]
    exported = rows_of(client.get(export_url(partner_a)))
    assert [row[6] for row in exported[1:]] == ["mine-invitation"]


# --- Filters, pagination, export -----------------------------------------------------------------------


def test_filters_by_date_range_action_user_and_customer(client, partner_a):
    northwind, tailspin = CustomerFactory(company_name="Northwind"), CustomerFactory(company_name="Tailspin")
    p = partner_a.partner
    AuditEventFactory(
        partner=p,
        customer=northwind,
        action=AuditAction.INVITATION_SENT,
        actor_label="admin@contoso.example",
        occurred_at=datetime(2026, 3, 1, 10, tzinfo=UTC),
        target_label="e1",
    )
    AuditEventFactory(
        partner=p,
        customer=tailspin,
        action=AuditAction.INVITATION_CANCELLED,
        actor_label="sales@contoso.example",
        occurred_at=datetime(2026, 3, 15, 10, tzinfo=UTC),
        target_label="e2",
    )
    AuditEventFactory(
        partner=p,
        customer=northwind,
        action=AuditAction.INVITATION_CANCELLED,
        actor_label="admin@contoso.example",
        occurred_at=datetime(2026, 4, 2, 10, tzinfo=UTC),
        target_label="e3",
    )
    client.force_login(partner_a.admin.user)

    def labels(**params) -> list[str]:  # type: ignore[no-untyped-def]
        return [e.target_label for e in client.get(activity_url(partner_a), params).context["page"].object_list]

    assert labels() == ["e3", "e2", "e1"]
    assert labels(date_from="2026-03-10", date_to="2026-03-31") == ["e2"]
    assert labels(date_to="2026-03-01") == ["e1"]  # the end date is inclusive
    assert labels(action=AuditAction.INVITATION_CANCELLED) == ["e3", "e2"]
    assert labels(actor="admin@contoso.example") == ["e3", "e1"]
    assert labels(customer=str(northwind.tenant_id), action=AuditAction.INVITATION_CANCELLED) == ["e3"]
    exported = rows_of(client.get(export_url(partner_a), {"customer": str(northwind.tenant_id)}))
    assert [row[6] for row in exported[1:]] == ["e3", "e1"]


def test_reversed_dates_are_reported_next_to_the_field(client, partner_a):
    client.force_login(partner_a.admin.user)
    response = client.get(activity_url(partner_a), {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert response.status_code == 200 and "The end date is before the start date." in response.content.decode()


def test_columns_say_who_did_what_to_which_customer_from_where(client, partner_a):
    customer = CustomerFactory(company_name="Northwind")
    AuditEventFactory(
        partner=partner_a.partner,
        customer=customer,
        action=AuditAction.INVITATION_CANCELLED,
        actor_label="staff@partnercenter.example",
        target_label="#7 Contoso → it@northwind.example",
        data={
            "before": {"status": "pending"},
            "after": {"status": "cancelled"},
            "reason": "duplicate request",
            "by": "staff",
        },
        ip_address="203.0.113.5",
    )
    client.force_login(partner_a.admin.user)
    body = client.get(activity_url(partner_a)).content.decode()
    for text in (
        "staff@partnercenter.example",
        "Invitation cancelled",
        "#7 Contoso → it@northwind.example",
        "Northwind",
        "Pending",  # the states in words, not their codes (issue 21: human text instead of data keys)
        "Cancelled",
        "duplicate request",
        "Platform staff",
        "203.0.113.5",
    ):
        assert text in body, text


def test_paginated_by_keyset_with_the_same_number_of_queries_for_1_and_120_events(client, partner_a):
    customer = CustomerFactory()
    client.force_login(partner_a.admin.user)
    AuditEventFactory(partner=partner_a.partner, customer=customer)
    cursor = Cursor(occurred_at=timezone.now() + timedelta(days=1), id=10**9).encode()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(activity_url(partner_a), {"before": cursor}).status_code == 200
        return len(queries)

    one = count()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            partner=partner_a.partner,
            customer=CustomerFactory(),
            action=AuditAction.INVITATION_SENT,
            actor_label=f"user{n}@contoso.example",
            occurred_at=timezone.now() - timedelta(minutes=n),
        )
        for n in range(119)
    )
    assert count() == one


def test_older_and_newer_pages_walk_the_whole_log_once_keeping_the_filters(client, partner_a):
    same_time = timezone.now() - timedelta(hours=1)
    AuditEvent.objects.bulk_create(  # 120 events, 30 of them sharing one timestamp across a page boundary
        AuditEvent(
            partner=partner_a.partner,
            action=AuditAction.INVITATION_SENT,
            actor_label="admin@contoso.example",
            target_label=f"e{n}",
            occurred_at=same_time if 40 <= n < 70 else timezone.now() - timedelta(minutes=n),
        )
        for n in range(120)
    )
    AuditEventFactory(partner=partner_a.partner, action=AuditAction.INVITATION_CANCELLED)  # filtered out
    client.force_login(partner_a.admin.user)
    newest = AuditEvent.objects.filter(partner=partner_a.partner, action=AuditAction.INVITATION_SENT)
    expected = list(newest.order_by("-occurred_at", "-id").values_list("pk", flat=True))

    seen: list[int] = []
    pages = []
    query = {"action": AuditAction.INVITATION_SENT}
    while True:
        response = client.get(activity_url(partner_a), query)
        page = response.context["page"]
        pages.append(page)
        seen += [e.pk for e in page.object_list]
        if not page.has_next:
            break
        assert "action=invitation.sent" in page.next_query
        query = QueryDict(page.next_query)
    assert seen == expected
    assert [len(p.object_list) for p in pages] == [50, 50, 20]
    assert not pages[0].has_previous and pages[1].has_previous
    body = client.get(activity_url(partner_a), {"action": AuditAction.INVITATION_SENT}).content.decode()
    assert 'rel="next"' in body and 'rel="prev"' not in body

    back = client.get(activity_url(partner_a), QueryDict(pages[2].previous_query)).context["page"]
    assert [e.pk for e in back.object_list] == expected[50:100]
    first = client.get(activity_url(partner_a), QueryDict(back.previous_query)).context["page"]
    assert [e.pk for e in first.object_list] == expected[:50] and not first.has_previous


@pytest.mark.parametrize("cursor", ["", "garbage", "1.x", "99999999999999999999999.1", "-5"])
def test_a_malformed_cursor_shows_the_first_page(client, partner_a, cursor):
    AuditEventFactory(partner=partner_a.partner, target_label="only")
    client.force_login(partner_a.admin.user)
    response = client.get(activity_url(partner_a), {"before": cursor})
    assert response.status_code == 200
    assert [e.target_label for e in response.context["page"].object_list] == ["only"]


def test_times_are_shown_in_the_viewers_time_zone(client, partner_a):
    AuditEventFactory(partner=partner_a.partner, occurred_at=datetime(2026, 1, 1, 23, 30, tzinfo=UTC))
    client.force_login(partner_a.admin.user)
    utc = client.get(activity_url(partner_a)).content.decode()
    assert "23:30:00" in utc
    client.cookies["tz"] = "Asia/Tokyo"
    tokyo = client.get(activity_url(partner_a)).content.decode()
    assert "08:30:00" in tokyo and "Asia/Tokyo" in tokyo
    assert rows_of(client.get(export_url(partner_a)))[1][0] == "2026-01-02T08:30:00+09:00"
    client.cookies["tz"] = "Not/AZone"
    assert "23:30:00" in client.get(activity_url(partner_a)).content.decode()


def test_action_names_are_translated(client, partner_a):
    AuditEventFactory(partner=partner_a.partner, action=AuditAction.INVITATION_CANCELLED)
    client.force_login(partner_a.admin.user)
    client.cookies["django_language"] = "ja"
    body = client.get(activity_url(partner_a)).content.decode()
    assert "招待の取り消し" in body


def test_filter_choices_list_each_value_once_from_the_tenants_own_events(db, partner_a, partner_b):
    from audit.selectors import distinct_values

    customers = [CustomerFactory() for _ in range(3)]
    for n in range(12):
        AuditEventFactory(
            partner=partner_a.partner, customer=customers[n % 3] if n % 4 else None, actor_label=f"u{n % 5}@contoso.example"
        )
    AuditEventFactory(partner=partner_b.partner, customer=CustomerFactory(), actor_label="other@fabrikam.example")
    labels = distinct_values(scope="partner_id", scope_id=partner_a.partner.pk, column="actor_label", limit=500)
    assert labels == [f"u{n}@contoso.example" for n in range(5)]
    assert distinct_values(scope="partner_id", scope_id=partner_a.partner.pk, column="actor_label", limit=2) == labels[:2]
    ids = distinct_values(scope="partner_id", scope_id=partner_a.partner.pk, column="customer_id", limit=500)
    assert ids == sorted(c.pk for c in customers)
    partners = distinct_values(scope="customer_id", scope_id=customers[1].pk, column="partner_id", limit=500)
    assert partners == [partner_a.partner.pk]
    with pytest.raises(ValueError, match="no index"):
        distinct_values(scope="partner_id", scope_id=1, column="data", limit=1)


# --- A partner with more customers than a list can hold (issue 25) -------------------------------


def test_past_200_customers_the_customer_filter_takes_a_tenant_id(client, partner_a, monkeypatch):
    from console import audit_views

    monkeypatch.setattr(audit_views, "CUSTOMER_CHOICES", 2)
    customers = [CustomerFactory() for _ in range(3)]
    for customer in customers:
        AuditEventFactory(partner=partner_a.partner, customer=customer, action=AuditAction.RELATIONSHIP_ESTABLISHED)
    client.force_login(partner_a.admin.user)

    page = client.get(activity_url(partner_a), {"customer": str(customers[1].tenant_id)})
    malformed = client.get(activity_url(partner_a), {"customer": "not-a-tenant"})

    assert [e.customer for e in page.context["page"].object_list] == [customers[1]]
    assert f'name="customer" value="{customers[1].tenant_id}"' in page.content.decode()
    assert malformed.status_code == 200 and malformed.context["filter_form"].errors["customer"]
    assert len(malformed.context["page"].object_list) == 3  # the invalid filter is ignored, and shown
