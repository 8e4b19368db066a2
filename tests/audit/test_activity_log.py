"""Partner console → Activity log: the partner's own events only, filtered, paginated, exported."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.actions import AuditAction
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
        "pending",
        "cancelled",
        "duplicate request",
        "Platform staff",
        "203.0.113.5",
    ):
        assert text in body, text


def test_paginated_with_the_same_number_of_queries_for_1_and_120_events(client, partner_a):
    customer = CustomerFactory()
    client.force_login(partner_a.admin.user)
    AuditEventFactory(partner=partner_a.partner, customer=customer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(activity_url(partner_a), {"page": 2}).status_code == 200
        return len(queries)

    one = count()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            partner=partner_a.partner,
            customer=CustomerFactory(),
            action=AuditAction.INVITATION_SENT,
            actor_label=f"user{n}@contoso.example",
        )
        for n in range(119)
    )
    assert count() == one
    page = client.get(activity_url(partner_a), {"page": 2}).context["page"]
    assert page.paginator.count == 120 and len(page.object_list) == 50


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
