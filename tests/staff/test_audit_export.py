"""CSV export of the audit log from the staff console: streamed, filtered, bounded memory, constant queries."""

from __future__ import annotations

import csv
import io
import tracemalloc

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.actions import AuditAction
from audit.models import AuditEvent
from tests.factories import CustomerFactory, PartnerFactory

EXPORT = reverse("admin:audit_auditevent_export")


def bulk_events(count: int, **fields) -> None:  # type: ignore[no-untyped-def]
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                action=AuditAction.INVITATION_SENT,
                actor_label=f"agent{n % 7}@contoso.example",
                target_type="invitations.invitation",
                target_id=str(n),
                target_label=f"#{n} invitation to customer{n}@example.com",
                data={"before": {"status": "pending"}, "after": {"sent_to": f"customer{n}@example.com"}},
                ip_address="198.51.100.7",
                request_id=f"req-{n:08d}",
                **fields,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )


def consume(response: StreamingHttpResponse) -> tuple[int, int]:
    """Read the stream chunk by chunk without keeping it; returns (chunks, lines)."""
    chunks = lines = 0
    for chunk in response.streaming_content:
        chunks += 1
        lines += chunk.count(b"\n")
    return chunks, lines


def export_queries(client, **params) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(EXPORT, params)
        assert response.status_code == 200 and response.streaming
        _chunks, lines = consume(response)
    return len(queries), lines


def test_export_streams_10000_events_in_constant_queries_and_bounded_memory(auditor_client):
    partner, customer = PartnerFactory(), CustomerFactory()
    bulk_events(10, partner=partner, customer=customer)
    small_queries, small_lines = export_queries(auditor_client)
    assert small_lines == 1 + 10

    bulk_events(9_990, partner=partner, customer=customer)
    big_queries, big_lines = export_queries(auditor_client)
    assert big_lines == 1 + 10_000
    assert big_queries == small_queries  # partner and customer come with each row (select_related)

    response = auditor_client.get(EXPORT)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    tracemalloc.start()
    try:
        chunks, lines = consume(response)
        _current, streamed_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        everything = list(AuditEvent.objects.select_related("partner", "customer"))
        _current, loaded_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(everything) == 10_000 and lines == 10_001
    assert chunks > 10  # written as it is read, not in one piece
    # Streaming holds one chunk of rows; loading the queryset holds all 10,000 model instances.
    assert streamed_peak < 8 * 1024 * 1024
    assert streamed_peak * 4 < loaded_peak


def test_export_holds_exactly_the_filtered_changelist(auditor_client):
    mine, other = CustomerFactory(primary_domain="northwind.example"), CustomerFactory()
    bulk_events(3, customer=mine)
    bulk_events(5, customer=other)
    AuditEvent.objects.create(
        action=AuditAction.GRANT_TERMINATED, actor_label="ops@partnercenter.example", customer=mine
    )
    listing = auditor_client.get(reverse("admin:audit_auditevent_changelist"), {"customer": "northwind.example"})
    assert listing.context["cl"].result_count == 4
    response = auditor_client.get(EXPORT, {"customer": "northwind.example"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 4
    assert {row[9] for row in rows[1:]} == {mine.company_name}
    only_grants = auditor_client.get(EXPORT, {"customer": str(mine.tenant_id), "code": AuditAction.GRANT_TERMINATED})
    rows = list(csv.reader(io.StringIO(b"".join(only_grants.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][2] == "grant.terminated" and rows[1][1] == "ops@partnercenter.example"


def test_export_columns_and_spreadsheet_formulas_are_neutralised(auditor_client):
    partner, customer = PartnerFactory(name="=HYPERLINK(evil)"), CustomerFactory()
    AuditEvent.objects.create(
        action=AuditAction.INVITATION_CANCELLED,
        actor_label="staff@partnercenter.example",
        partner=partner,
        customer=customer,
        target_type="invitations.invitation",
        target_id="42",
        target_label="#42",
        data={"reason": "asked by the customer", "by": "staff"},
        ip_address="203.0.113.9",
        request_id="abc123",
    )
    response = auditor_client.get(EXPORT)
    header, row = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert header == [
        "Time", "Actor", "Action code", "Action", "Target type", "Target ID", "Target", "Partner", "Partner ID",
        "Customer", "Tenant ID", "IP address", "Request ID", "Data",
    ]  # fmt: skip
    assert row[1:7] == [
        "staff@partnercenter.example",
        "invitation.cancelled",
        "Invitation cancelled",
        "Invitation",
        "42",
        "#42",
    ]
    assert row[7] == "'=HYPERLINK(evil)"
    assert row[10] == str(customer.tenant_id) and row[11] == "203.0.113.9" and row[12] == "abc123"
    assert '"reason": "asked by the customer"' in row[13]


def test_export_needs_the_staff_console(client, partner_a):
    client.force_login(partner_a.admin.user)
    response = client.get(EXPORT)
    assert response.status_code == 302 and not getattr(response, "streaming", False)


def test_changelist_offers_the_export_of_its_filters(auditor_client):
    page = auditor_client.get(reverse("admin:audit_auditevent_changelist"), {"actor": "a@example.com"})
    assert f'href="{EXPORT}?actor=a%40example.com"' in page.content.decode()


@pytest.mark.parametrize("method", ["post_change", "post_delete", "get_add"])
def test_superuser_cannot_add_edit_or_delete_audit_events(superuser_client, method):
    event = AuditEvent.objects.create(action=AuditAction.PARTNER_CREATED, actor_label="system")
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    if method == "post_change":
        response = superuser_client.post(change, {"actor_label": "someone else", "action": "partner.created"})
    elif method == "post_delete":
        response = superuser_client.post(delete, {"post": "yes"})
    else:
        response = superuser_client.get(reverse("admin:audit_auditevent_add"))
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.actor_label == "system"
    page = superuser_client.get(change)
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert page.context["has_delete_permission"] is False
    listing = superuser_client.get(reverse("admin:audit_auditevent_changelist"))
    assert listing.context["action_form"] is None  # no "delete selected"
