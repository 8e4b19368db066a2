"""The preview: every row is checked before anything is sent, with one precise error per problem."""

from __future__ import annotations

import io

import pytest

from customers.models import Customer
from invitation_batches.choices import BatchStatus, RowStatus
from invitation_batches.errors import BatchError
from invitation_batches.services import invitation_batch_confirm, invitation_batch_upload
from invitations.create_services import invitation_create
from invitations.models import Invitation
from notifications.models import OutboxMessage
from partnercenter.errors import PermissionDeniedError
from partners.choices import Cloud
from relationships.choices import RelationshipStatus
from tests.factories import CustomerFactory, RelationshipFactory
from tests.invitation_batches.conftest import csv_text, good_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(partner_a, customer_a):  # type: ignore[no-untyped-def]
    """partner_a already resells to Northwind; a pending invitation to Wingtip; a tenant in the US Government cloud."""
    RelationshipFactory(partner=partner_a.partner, customer=customer_a.customer, status=RelationshipStatus.ACTIVE)
    invitation_create(membership=partner_a.admin, include_delegated_admin=False, recipient_email="it@wingtip.example")
    CustomerFactory(company_name="Federal Tenant", primary_domain="fedtenant.example", country="US", cloud=Cloud.US_GOV)
    return partner_a


TWELVE_BAD_ROWS = [
    (good_row(2, company=""), "company", "company_required"),
    (good_row(3, recipient_email="not-an-email"), "recipient_email", "invalid_email"),
    (good_row(4, domain="bad domain!.example"), "domain", "invalid_domain"),
    (good_row(5, country="ZZ"), "country", "invalid_country"),
    (good_row(6, country="US"), "country", "market_mismatch"),
    (good_row(7, domain="fedtenant.example"), "domain", "cloud_mismatch"),
    (good_row(8, include_delegated_admin="maybe"), "include_delegated_admin", "invalid_boolean"),
    (good_row(9, role_bundle="superuser"), "role_bundle", "unknown_role_bundle"),
    (good_row(10, language="fr"), "language", "invalid_language"),
    (good_row(11, recipient_email="it1@customer1.example"), "recipient_email", "duplicate_email_in_file"),
    (good_row(12, domain="northwind.example"), "domain", "already_customer"),
    (good_row(13, recipient_email="IT@Wingtip.example"), "recipient_email", "pending_invitation"),
]


def test_twelve_kinds_of_bad_rows_get_twelve_precise_errors_and_nothing_is_sent(world, upload, django_capture_on_commit_callbacks):
    invitations_before = Invitation.objects.count()
    outbox_before = OutboxMessage.objects.count()
    text = csv_text([good_row(1), *[row for row, _f, _c in TWELVE_BAD_ROWS]])
    batch = upload(text)
    assert (batch.status, batch.total_rows, batch.invalid_rows) == (BatchStatus.PREVIEW, 13, 12)
    rows = list(batch.rows.order_by("line"))
    assert rows[0].line == 2 and rows[0].status == RowStatus.VALID and rows[0].errors == []
    for row, (_given, field, code) in zip(rows[1:], TWELVE_BAD_ROWS, strict=True):
        assert row.status == RowStatus.INVALID
        assert [(e["field"], e["code"]) for e in row.errors] == [(field, code)], (row.line, row.errors)
        assert row.errors[0]["message"]
    # The messages name what is wrong.
    by_code = {row.errors[0]["code"]: row.errors[0] for row in rows[1:]}
    assert "not-an-email" in by_code["invalid_email"]["message"]
    assert "line 2" in by_code["duplicate_email_in_file"]["message"]
    assert "Northwind" in by_code["already_customer"]["message"]
    assert by_code["already_customer"]["customer_tenant_id"] == str(world_customer_tenant("northwind.example"))
    assert "resend" in by_code["pending_invitation"]["message"]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(BatchError) as error:
        invitation_batch_confirm(batch=batch, membership=world.admin)
    assert error.value.code == "rows_have_errors"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW
    assert Invitation.objects.count() == invitations_before
    assert OutboxMessage.objects.count() == outbox_before


def world_customer_tenant(domain: str) -> object:
    return Customer.objects.get(primary_domain=domain).tenant_id


def test_reuploading_the_fixed_file_replaces_the_preview_and_can_be_confirmed(world, upload, django_capture_on_commit_callbacks):
    first = upload(csv_text([good_row(1), good_row(2, country="ZZ")]))
    assert first.invalid_rows == 1
    second = upload(csv_text([good_row(1), good_row(2)]), replaces=first)
    first.refresh_from_db()
    assert first.status == BatchStatus.DISCARDED
    assert second.invalid_rows == 0
    with django_capture_on_commit_callbacks(execute=True):
        invitation_batch_confirm(batch=second, membership=world.admin)
    second.refresh_from_db()
    assert (second.status, second.created_rows, second.failed_rows) == (BatchStatus.COMPLETED, 2, 0)


def test_a_tenant_with_other_partners_is_information_not_an_error(world, upload, partner_b):  # type: ignore[no-untyped-def]
    other = CustomerFactory(company_name="Shared Co", primary_domain="shared.example", country="JP")
    RelationshipFactory(partner=partner_b.partner, customer=other, status=RelationshipStatus.ACTIVE)
    batch = upload(csv_text([good_row(1, domain="shared.example")]))
    row = batch.rows.get()
    assert row.status == RowStatus.VALID and row.errors == []
    assert [n["code"] for n in row.notices] == ["other_partners"]


@pytest.mark.parametrize(("text", "code"), [
    ("", "empty_file"),
    ("company,recipient_email\nA,a@b.example\n", "bad_header"),
    ("company,recipient_email,domain,country,colour\n", "bad_header"),
    ("company,recipient_email,domain,country\n", "no_rows"),
])
def test_an_unreadable_file_is_refused_and_stores_nothing(world, upload, text, code):  # type: ignore[no-untyped-def]
    from invitation_batches.models import InvitationBatch

    with pytest.raises(BatchError) as error:
        upload(text)
    assert error.value.code == code and error.value.message
    assert not InvitationBatch.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(world):  # type: ignore[no-untyped-def]
    data = csv_text([good_row(1, company="株式会社")]).encode("shift_jis")
    with pytest.raises(BatchError) as error:
        invitation_batch_upload(membership=world.admin, stream=io.BytesIO(data))
    assert error.value.code == "not_utf8"


def test_more_rows_than_the_limit_is_refused(world, upload, settings):  # type: ignore[no-untyped-def]
    settings.INVITATION_BATCH_MAX_ROWS = 3
    with pytest.raises(BatchError) as error:
        upload(csv_text([good_row(n) for n in range(4)]))
    assert error.value.code == "too_many_rows"


def test_a_sales_agent_may_upload_but_a_helpdesk_agent_may_not(world, upload):  # type: ignore[no-untyped-def]
    from partners.choices import PartnerRole
    from tests.factories import PartnerMembershipFactory

    assert upload(csv_text([good_row(1)]), membership=world.sales).total_rows == 1
    helpdesk = PartnerMembershipFactory(partner=world.partner, roles=[PartnerRole.HELPDESK_AGENT])
    with pytest.raises(PermissionDeniedError) as error:
        upload(csv_text([good_row(1)]), membership=helpdesk)
    assert error.value.code == "forbidden"


def test_every_repeat_of_an_address_or_domain_names_the_first_line(world, upload):  # type: ignore[no-untyped-def]
    rows = [good_row(n, recipient_email="same@one.example") for n in range(1, 6)] + [good_row(9), good_row(10, domain="customer9.example")]
    batch = upload(csv_text(rows))
    errors = {row.line: [(e["code"], e["message"]) for e in row.errors] for row in batch.rows.all()}
    assert errors[2] == [] and errors[7] == []
    assert all(errors[line] == [("duplicate_email_in_file", "Same recipient email as line 2 of this file.")] for line in (3, 4, 5, 6))
    assert errors[8] == [("duplicate_domain_in_file", "Same domain as line 7 of this file.")]
    assert batch.invalid_rows == 5
