"""The console pages: upload, preview, confirm, progress JSON, result CSV; tenancy and roles."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from invitation_batches.choices import BatchStatus
from invitation_batches.models import InvitationBatch
from invitations.models import Invitation
from partners.choices import PartnerRole
from tests.factories import PartnerMembershipFactory
from tests.invitation_batches.conftest import csv_text, good_row

pytestmark = pytest.mark.django_db


def url(name: str, partner, **kwargs) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"invitation_batches:{name}", kwargs={"partner_id": partner.partner_id, **kwargs})


def post_file(client, partner, text: str, **extra):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("customers.csv", text.encode(), content_type="text/csv")
    return client.post(url("upload", partner), {"file": upload, **extra})


def test_upload_page_permission_triad(client, partner_a, partner_b):  # type: ignore[no-untyped-def]
    page = url("upload", partner_a.partner)
    assert client.get(page).status_code == 302  # anonymous: sign in first
    client.force_login(partner_b.admin.user)
    assert client.get(page).status_code == 404  # another partner's console does not exist for them
    helpdesk = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.HELPDESK_AGENT])
    client.force_login(helpdesk.user)
    assert client.get(page).status_code == 403
    client.force_login(partner_a.sales.user)
    response = client.get(page)
    assert response.status_code == 200
    assert "Download the template" in response.content.decode()


def test_the_template_has_the_header_and_an_example_row(client, partner_a):  # type: ignore[no-untyped-def]
    client.force_login(partner_a.admin.user)
    response = client.get(url("template", partner_a.partner))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["company", "recipient_email", "domain", "country", "include_delegated_admin", "role_bundle", "language"]
    assert len(rows) == 2 and "@" in rows[1][1]


def test_upload_preview_confirm_progress_and_result(client, partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    client.force_login(partner_a.admin.user)
    response = post_file(client, partner_a.partner, csv_text([good_row(1), good_row(2, country="ZZ")]))
    batch = InvitationBatch.objects.get()
    assert response.status_code == 302 and response.url == url("detail", partner_a.partner, batch_pk=batch.pk)
    page = client.get(response.url).content.decode()
    assert "is not a country code" in page and "Upload again" in page and "Confirm and send" not in page

    response = post_file(client, partner_a.partner, csv_text([good_row(1), good_row(2)]), replaces=batch.pk)
    fixed = InvitationBatch.objects.exclude(pk=batch.pk).get()
    assert InvitationBatch.objects.get(pk=batch.pk).status == BatchStatus.DISCARDED
    page = client.get(url("detail", partner_a.partner, batch_pk=fixed.pk)).content.decode()
    assert "Confirm and send 2 invitations" in page

    progress = client.get(url("progress", partner_a.partner, batch_pk=fixed.pk)).json()
    assert (progress["status"], progress["percent"], progress["rows_to_send"]) == ("preview", 0, 2)
    assert Invitation.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("confirm", partner_a.partner, batch_pk=fixed.pk))
    assert response.status_code == 302
    progress = client.get(url("progress", partner_a.partner, batch_pk=fixed.pk)).json()
    assert progress == {**progress, "status": "completed", "percent": 100, "done_rows": 2, "created_rows": 2, "failed_rows": 0, "finished": True}
    page = client.get(url("detail", partner_a.partner, batch_pk=fixed.pk)).content.decode()
    assert "Download the result (CSV)" in page and "data-batch-progress-url" in page

    result = client.get(url("result_csv", partner_a.partner, batch_pk=fixed.pk))
    lines = list(csv.DictReader(io.StringIO(b"".join(result.streaming_content).decode("utf-8-sig"))))
    assert [(r["line"], r["status"]) for r in lines] == [("2", "created"), ("3", "created")]
    invitations = {i.pk: i for i in Invitation.objects.all()}
    assert {int(r["invitation_id"]) for r in lines} == set(invitations)
    assert all(r["invitation_url"].endswith(f"/invitations/{r['invitation_id']}/draft/") for r in lines)
    assert {i.sent_to for i in invitations.values()} == {"it1@customer1.example", "it2@customer2.example"}


def test_confirming_twice_queues_once(client, partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    client.force_login(partner_a.admin.user)
    post_file(client, partner_a.partner, csv_text([good_row(1)]))
    batch = InvitationBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url("confirm", partner_a.partner, batch_pk=batch.pk))
        client.post(url("confirm", partner_a.partner, batch_pk=batch.pk))
    assert Invitation.objects.count() == 1
    assert len([c for c in callbacks if "invitation_batches.process" in repr(c)]) == 1
    assert AuditEvent.objects.filter(action="invitation_batch.confirmed").count() == 1


def test_another_partners_batch_is_not_found(client, partner_a, partner_b):  # type: ignore[no-untyped-def]
    client.force_login(partner_a.admin.user)
    post_file(client, partner_a.partner, csv_text([good_row(1)]))
    batch = InvitationBatch.objects.get()
    client.force_login(partner_b.admin.user)
    for name in ("detail", "progress", "result_csv"):
        assert client.get(url(name, partner_b.partner, batch_pk=batch.pk)).status_code == 404
    assert client.post(url("confirm", partner_b.partner, batch_pk=batch.pk)).status_code == 404
    assert InvitationBatch.objects.get().status == BatchStatus.PREVIEW


def test_a_bad_file_shows_the_error_next_to_the_field(client, partner_a):  # type: ignore[no-untyped-def]
    client.force_login(partner_a.admin.user)
    response = post_file(client, partner_a.partner, "name,email\nA,b\n")
    assert response.status_code == 200
    assert "does not match the template" in response.content.decode()
    assert not InvitationBatch.objects.exists()
