"""Console: bulk delegated admin from the Customers page (issue 24): selection, form, progress, result CSV, tenancy."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from invitation_batches.choices import BatchStatus, GdapRowStatus
from invitation_batches.models import DelegatedAdminBatch
from partners.choices import PartnerRole
from relationships.models import Relationship
from tests.factories import CustomerFactory, CustomerMembershipFactory, PartnerMembershipFactory

pytestmark = pytest.mark.django_db


def url(name: str, partner, **kwargs) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"invitation_batches:{name}", kwargs={"partner_id": partner.partner_id, **kwargs})


@pytest.fixture
def customers(partner_a):  # type: ignore[no-untyped-def]
    made = []
    for n in range(3):
        customer = CustomerFactory(company_name=f"Bulk {n}", primary_domain=f"bulk{n}.example")
        Relationship.objects.create(partner=partner_a.partner, customer=customer)
        CustomerMembershipFactory(customer=customer)
        made.append(customer)
    return made


def test_customers_page_offers_the_selection_to_those_who_may_request(client, partner_a, customers):  # type: ignore[no-untyped-def]
    page = reverse("relationships:customers", kwargs={"partner_id": partner_a.partner.partner_id})
    client.force_login(partner_a.admin.user)
    body = client.get(page).content.decode()
    assert 'form="bulk-gdap"' in body and url("gdap_new", partner_a.partner) in body
    client.force_login(partner_a.sales.user)
    assert 'form="bulk-gdap"' not in client.get(page).content.decode()
    assert client.get(url("gdap_new", partner_a.partner)).status_code == 403


def test_select_request_and_see_each_customers_result(client, partner_a, partner_b, customers, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    client.force_login(partner_a.admin.user)
    selected = [str(customers[0].tenant_id), str(customers[1].tenant_id)]
    form = client.get(url("gdap_new", partner_a.partner), {"customer": selected})
    body = form.content.decode()
    assert form.status_code == 200 and "Bulk 0 (bulk0.example)" in body and "Bulk 2" not in body
    upload = SimpleUploadedFile("more.csv", b"domain\nbulk2.example\nunknown.example\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("gdap_new", partner_a.partner), {
            "customer": selected, "identifiers": "bulk0.example", "file": upload, "bundle": "helpdesk",
            "duration_days": "90", "language": "en"})
    batch = DelegatedAdminBatch.objects.get(partner=partner_a.partner)
    assert response.status_code == 302 and response["Location"] == url("gdap_detail", partner_a.partner, batch_pk=batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows, batch.created_rows, batch.refused_rows) == (BatchStatus.COMPLETED, 5, 3, 2)
    detail = client.get(response["Location"]).content.decode()
    assert "Created: 3 · Already covered: 0 · Not allowed: 2" in detail and "unknown.example" in detail
    assert "already in the list on an earlier line" in detail
    progress = client.get(url("gdap_progress", partner_a.partner, batch_pk=batch.pk)).json()
    assert progress["finished"] and progress["created_rows"] == 3 and progress["not_allowed_rows"] == 2
    result = client.get(url("gdap_result_csv", partner_a.partner, batch_pk=batch.pk))
    text = b"".join(result.streaming_content).decode()
    assert result["Content-Type"].startswith("text/csv") and text.count("\n") == 6 and text.count(",created,") == 3
    # Another partner's batch is not found.
    client.force_login(partner_b.admin.user)
    for name in ("gdap_detail", "gdap_progress", "gdap_result_csv"):
        assert client.get(url(name, partner_a.partner, batch_pk=batch.pk)).status_code == 404
    PartnerMembershipFactory(partner=partner_b.partner, user=partner_a.admin.user, roles=[PartnerRole.ACCOUNT_ADMIN])
    client.force_login(partner_a.admin.user)
    assert client.get(url("gdap_detail", partner_b.partner, batch_pk=batch.pk)).status_code == 404


def test_bad_input_shows_clear_errors(client, partner_a, customers):  # type: ignore[no-untyped-def]
    client.force_login(partner_a.admin.user)
    new = url("gdap_new", partner_a.partner)
    cases = [
        ({"bundle": "helpdesk", "duration_days": "90", "language": "en"}, "Choose at least one customer"),
        ({"identifiers": "bulk0.example", "bundle": "", "duration_days": "90", "language": "en"}, "Choose a bundle or at least one role."),
        ({"identifiers": "bulk0.example", "bundle": "helpdesk", "duration_days": "9999", "language": "en"}, "between 1 and 730 days"),
        ({"identifiers": "bulk0.example", "bundle": "helpdesk", "duration_days": "x", "language": "en"}, "Enter a whole number."),
        ({"identifiers": "bulk0.example", "file": SimpleUploadedFile("x.xlsx", b"PK"), "bundle": "helpdesk", "duration_days": "9",
          "language": "en"}, "Upload a .csv file"),
        ({"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00"), "bundle": "helpdesk", "duration_days": "9", "language": "en"}, "not UTF-8"),
    ]
    for data, message in cases:
        response = client.post(new, data)
        assert response.status_code == 200, data
        assert message in response.content.decode(), (data, message)
    assert not DelegatedAdminBatch.objects.exists()
    # A tampered selection is answered per row, as not found.
    response = client.post(new, {"customer": ["not-a-uuid"], "bundle": "helpdesk", "duration_days": "9", "language": "en"})
    assert response.status_code == 302
    assert DelegatedAdminBatch.objects.get().rows.get().error_code == "not_found"
    assert DelegatedAdminBatch.objects.get().rows.get().status == GdapRowStatus.NOT_ALLOWED
