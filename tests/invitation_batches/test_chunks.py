"""The job a chunk at a time (issue 25, bulk onboarding): set-based checks and writes, one transaction
per chunk, a constant number of statements per chunk, and for every row exactly what the single
path (`invitation_create`, row by row) gives it."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from invitation_batches import services
from invitation_batches.choices import BatchStatus, RowStatus
from invitation_batches.models import InvitationBatch, InvitationBatchRow
from invitation_batches.services import invitation_batch_process
from invitations.create_services import OneAtATimeError, invitation_create
from notifications.models import OutboxMessage
from partners.choices import Cloud
from relationships.choices import RelationshipStatus
from tests.factories import CustomerFactory, CustomerMembershipFactory, RelationshipFactory, UserFactory
from tests.invitation_batches.conftest import csv_text, good_row
from tests.invitation_batches.test_processing import SteppingClock

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _queued(batch: InvitationBatch) -> None:
    InvitationBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.QUEUED, confirmed_at=timezone.now())


def _outcome(batch: InvitationBatch) -> dict[str, Any]:
    """What a run left, without the ids it drew from sequences (they differ between runs)."""
    rows = []
    for row in InvitationBatchRow.objects.filter(batch=batch).select_related("invitation").order_by("line"):
        invitation = row.invitation
        rows.append((row.line, row.status, row.error_code, row.error_message, row.error_params, row.processed_at is not None,
                     None if invitation is None else (
                         invitation.kind, invitation.status, invitation.recipient_email, invitation.sent_to,
                         invitation.target_domain, invitation.include_delegated_admin, sorted(invitation.requested_roles),
                         invitation.grant_duration_days, invitation.language, invitation.message_subject,
                         invitation.sent_at is not None, invitation.created_by_id)))
    partner_id = batch.partner_id
    outbox = sorted(OutboxMessage.objects.filter(partner_id=partner_id).values_list("recipient", "template", "subject", "language", "status"))
    events = Counter(AuditEvent.objects.filter(partner_id=partner_id).values_list("action", flat=True))
    created = sorted(
        (event.data["after"]["recipient_email"], sorted((k, str(v)) for k, v in event.data["after"].items() if k != "expires_at"))
        for event in AuditEvent.objects.filter(partner_id=partner_id, action="invitation.created")
    )
    return {"rows": rows, "outbox": outbox, "events": events, "created_events": created}


def _run(batch: InvitationBatch) -> dict[str, Any]:
    """Run the job over the queued batch, note what it left, and undo it all."""
    try:
        with transaction.atomic():
            invitation_batch_process(batch_id=batch.pk, clock=SteppingClock())
            outcome = _outcome(batch)
            raise _Undo
    except _Undo:
        pass
    assert InvitationBatch.objects.get(pk=batch.pk).status == BatchStatus.QUEUED
    return outcome


def test_each_row_of_a_mixed_file_gets_what_the_single_path_gives_it(partner_a, partner_b, upload, monkeypatch, settings):  # type: ignore[no-untyped-def]
    settings.INVITATION_BATCH_CHUNK_ROWS = 4  # several chunks, one of them mixed throughout
    rows = [good_row(n) for n in range(901, 912)]
    rows[5] = good_row(906, include_delegated_admin="no", role_bundle="")
    rows[6] = good_row(907, language="ja", role_bundle="read_only")
    rows += [good_row(950, domain="not a domain"), good_row(951, recipient_email="it901@customer901.example")]
    batch = upload(csv_text(rows))
    assert batch.invalid_rows == 2  # a bad domain and a repeated address: refused at upload, never sent
    # Between the check and the job, the world changes under some rows:
    invitation_create(membership=partner_a.admin, include_delegated_admin=False, recipient_email="it902@customer902.example")
    mine = CustomerFactory(company_name="Mine KK", primary_domain="customer903.example")
    RelationshipFactory(partner=partner_a.partner, customer=mine, status=RelationshipStatus.ACTIVE)  # already a customer
    theirs = CustomerFactory(company_name="Theirs KK", primary_domain="customer904.example")
    RelationshipFactory(partner=partner_b.partner, customer=theirs, status=RelationshipStatus.ACTIVE)  # other partners: a notice
    CustomerFactory(primary_domain="customer905.example", country="US")  # another market
    CustomerFactory(primary_domain="customer908.example", cloud=Cloud.US_GOV)  # another cloud
    member_of_mine = CustomerFactory(company_name="Also Mine KK", primary_domain="also-mine.example")
    RelationshipFactory(partner=partner_a.partner, customer=member_of_mine, status=RelationshipStatus.ACTIVE)
    CustomerMembershipFactory(customer=member_of_mine, user=UserFactory(email="it909@customer909.example"))  # by the recipient
    _queued(batch)

    def one_at_a_time(**kwargs: Any) -> Any:
        raise OneAtATimeError

    with monkeypatch.context() as patch:
        patch.setattr(services, "invitations_create_sent", one_at_a_time)
        single = _run(batch)
    chunked = _run(batch)

    assert chunked == single
    by_line = {row[0]: row for row in chunked["rows"]}
    assert [by_line[line][1:3] for line in (3, 4, 5, 6, 9, 10, 13, 14)] == [
        (RowStatus.FAILED, "pending_invitation"), (RowStatus.FAILED, "already_customer"), (RowStatus.CREATED, ""),
        (RowStatus.FAILED, "market_mismatch"), (RowStatus.FAILED, "cloud_mismatch"), (RowStatus.FAILED, "already_customer"),
        (RowStatus.INVALID, ""), (RowStatus.INVALID, ""),
    ]
    assert sum(1 for row in chunked["rows"] if row[1] == RowStatus.CREATED) == 6
    assert (chunked["events"]["invitation.created"], chunked["events"]["invitation.sent"]) == (6 + 1, 6)  # + the one by hand, unsent


def _statements(upload, partner_a, rows: int, first: int) -> list[str]:  # type: ignore[no-untyped-def]
    batch = upload(csv_text([good_row(n) for n in range(first, first + rows)]))
    _queued(batch)
    with CaptureQueriesContext(connection) as queries:
        assert invitation_batch_process(batch_id=batch.pk, clock=SteppingClock()) == rows
    assert InvitationBatchRow.objects.filter(batch=batch, status=RowStatus.CREATED).count() == rows
    return [query["sql"] for query in queries.captured_queries]


def test_a_chunk_costs_the_same_statements_whatever_its_size(partner_a, upload, settings):  # type: ignore[no-untyped-def]
    settings.INVITATION_DAILY_CAP = 1000
    settings.INVITATION_BATCH_CHUNK_ROWS = 500
    one = len(_statements(upload, partner_a, 1, first=1000))
    few = len(_statements(upload, partner_a, 10, first=2000))
    many = len(_statements(upload, partner_a, 200, first=3000))
    print(f"statements for one chunk: {one} (1 row), {few} (10 rows), {many} (200 rows)")
    assert one == few == many
    assert many <= 32
    # Chunks of 50: four chunks for 200 rows, each costing what one chunk does (less the job's start and end).
    settings.INVITATION_BATCH_CHUNK_ROWS = 50
    four = len(_statements(upload, partner_a, 200, first=4000))
    per_chunk = (four - many) / 3
    print(f"statements for 200 rows in chunks of 50: {four} ({per_chunk:.0f} for each further chunk)")
    assert per_chunk == int(per_chunk) and per_chunk <= 24, (many, four)


def test_a_chunk_that_reaches_the_daily_cap_goes_row_by_row(partner_a, upload, settings):  # type: ignore[no-untyped-def]
    settings.INVITATION_DAILY_CAP = 3
    batch = upload(csv_text([good_row(n) for n in range(1, 6)]))
    _queued(batch)
    invitation_batch_process(batch_id=batch.pk, clock=SteppingClock())
    rows = list(InvitationBatchRow.objects.filter(batch=batch).order_by("line").values_list("status", "error_code"))
    assert rows == [(RowStatus.CREATED, "")] * 3 + [(RowStatus.FAILED, "daily_cap")] * 2
