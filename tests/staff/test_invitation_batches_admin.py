"""Staff see each batch's progress in the staff console and reach its rows; nobody edits them there."""

from __future__ import annotations

from django.urls import reverse

from accounts.staff_groups import AUDITOR
from invitation_batches.choices import BatchStatus, RowStatus
from tests import factories as f
from tests.staff.users import sign_in_to_admin, staff_user


def test_a_batch_page_shows_its_progress_and_links_to_only_its_rows(client, db):
    batch = f.InvitationBatchFactory(status=BatchStatus.QUEUED, confirmed_at="2026-11-24T10:00:00Z", total_rows=3,
                                     done_rows=2, created_rows=1, failed_rows=1)
    f.InvitationBatchRowFactory(batch=batch, line=2, status=RowStatus.FAILED, error_code="already_customer",
                                recipient_email="failed@one.example")
    f.InvitationBatchRowFactory(batch=batch, line=3, recipient_email="waiting@two.example")
    other = f.InvitationBatchRowFactory(recipient_email="other@batch.example")
    sign_in_to_admin(client, staff_user(group=AUDITOR))

    page = client.get(reverse("admin:invitation_batches_invitationbatch_change", args=[batch.pk])).content.decode()
    assert "2 / 3 (66 %)" in page
    rows_url = reverse("admin:invitation_batches_invitationbatchrow_changelist")
    assert f"{rows_url}?batch__id__exact={batch.pk}" in page

    rows = client.get(rows_url, {"batch__id__exact": batch.pk}).content.decode()
    assert "failed@one.example" in rows and "waiting@two.example" in rows
    assert other.recipient_email not in rows
    assert "already_customer" in rows


def test_nobody_may_change_a_batch_in_the_staff_console(client, db):
    batch = f.InvitationBatchFactory()
    sign_in_to_admin(client, staff_user(superuser=True))
    response = client.post(reverse("admin:invitation_batches_invitationbatch_change", args=[batch.pk]),
                           {"status": BatchStatus.COMPLETED})
    assert response.status_code == 403
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW
