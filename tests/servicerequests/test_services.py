"""Filing, moving and annotating service requests: who may, which transitions, one event per change."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from notifications.models import OutboxMessage
from partnercenter.directory_roles import BUNDLES
from partnercenter.errors import DomainError, PermissionDeniedError
from relationships.models import DelegatedAdminGrant, Relationship
from servicerequests.models import ServiceRequest, ServiceRequestNote
from servicerequests.services import (
    service_request_create,
    service_request_note_add,
    service_request_note_add_by_customer,
    service_request_set_status,
)
from tests.factories import CustomerMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def file(membership, customer, **kwargs):  # type: ignore[no-untyped-def]
    values = {"title": "Mailbox cannot receive mail", "description": "Bounces with 550.", "severity": "high", **kwargs}
    return service_request_create(membership=membership, customer=customer, **values)


def test_admin_agent_files_with_relationship_only(agent, related, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False):
        sr = file(agent, related.customer)
    assert sr.status == "open" and sr.partner_id == related.partner_id and sr.created_by_label == "agent@contoso.example"
    event = AuditEvent.objects.get(action="service_request.created")
    assert event.target_id == str(sr.pk) and event.customer_id == related.customer_id
    assert OutboxMessage.objects.filter(recipient="it@northwind.example").count() == 1  # the customer's global admin


def test_admin_agent_still_files_after_the_customer_removed_admin_roles(agent, active_grant):  # type: ignore[no-untyped-def]
    grant = active_grant()
    DelegatedAdminGrant.objects.filter(pk=grant.pk).update(status="terminated")
    sr = file(agent, grant.customer)
    assert ServiceRequest.objects.filter(pk=sr.pk).exists()


def test_nobody_files_once_the_relationship_ended(agent, related):  # type: ignore[no-untyped-def]
    Relationship.objects.filter(pk=related.pk).update(status="terminated", terminated_at=related.established_at)
    with pytest.raises(PermissionDeniedError) as error:
        file(agent, related.customer)
    assert "no longer has a relationship" in error.value.message
    assert not ServiceRequest.objects.exists() and not AuditEvent.objects.exists()


def test_helpdesk_agent_files_with_the_service_support_role(helpdesk, active_grant):  # type: ignore[no-untyped-def]
    grant = active_grant()
    assert file(helpdesk, grant.customer).pk


def test_helpdesk_agent_without_a_grant_is_refused(helpdesk, related):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDeniedError) as error:
        file(helpdesk, related.customer)
    assert "Service Support Administrator" in error.value.message
    assert not ServiceRequest.objects.exists()


def test_helpdesk_agent_whose_roles_lack_support_is_refused(helpdesk, active_grant):  # type: ignore[no-untyped-def]
    grant = active_grant(roles=list(BUNDLES["read_only"][1]))  # Global Reader, Directory Readers, Security Reader
    with pytest.raises(PermissionDeniedError):
        file(helpdesk, grant.customer)


def test_sales_agent_and_account_admin_are_refused(partner_a, related):  # type: ignore[no-untyped-def]
    for membership in (partner_a.sales, partner_a.admin):
        with pytest.raises(PermissionDeniedError):
            file(membership, related.customer)


def test_another_partner_cannot_file_for_a_customer_it_does_not_serve(partner_b, customer_a, related):  # type: ignore[no-untyped-def]
    from partners.choices import PartnerRole
    from tests.factories import PartnerMembershipFactory

    other_agent = PartnerMembershipFactory(partner=partner_b.partner, roles=[PartnerRole.ADMIN_AGENT])
    with pytest.raises(PermissionDeniedError):
        file(other_agent, customer_a.customer)


@pytest.mark.parametrize(("field", "values"), [("title", {"title": "  "}), ("description", {"description": ""}),
                                               ("severity", {"severity": "urgent"}), ("title", {"title": "x" * 201})])
def test_bad_input_is_refused_and_writes_nothing(agent, related, field, values):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as error:
        file(agent, related.customer, **values)
    assert error.value.field == field
    assert not ServiceRequest.objects.exists()


def test_status_follows_the_transitions_with_one_event_each(agent, related):  # type: ignore[no-untyped-def]
    sr = file(agent, related.customer)
    sr, changed = service_request_set_status(service_request=sr, membership=agent, status="in_progress")
    assert changed and sr.status == "in_progress"
    sr, changed = service_request_set_status(service_request=sr, membership=agent, status="attention_needed")
    sr, changed = service_request_set_status(service_request=sr, membership=agent, status="closed")
    assert changed and sr.closed_at is not None
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["service_request.created", "service_request.status_changed", "service_request.status_changed",
                       "service_request.closed"]


def test_same_status_is_a_no_op_without_event(agent, related):  # type: ignore[no-untyped-def]
    sr = file(agent, related.customer)
    before = AuditEvent.objects.count()
    _sr, changed = service_request_set_status(service_request=sr, membership=agent, status="open")
    assert changed is False and AuditEvent.objects.count() == before


def test_closed_is_final(agent, related):  # type: ignore[no-untyped-def]
    sr = file(agent, related.customer)
    service_request_set_status(service_request=sr, membership=agent, status="closed")
    with pytest.raises(DomainError) as error:
        service_request_set_status(service_request=sr, membership=agent, status="in_progress")
    assert error.value.code == "invalid_transition"
    with pytest.raises(DomainError) as error:
        service_request_note_add(service_request=sr, membership=agent, body="one more thing")
    assert error.value.code == "closed"


def test_unknown_status_is_refused(agent, related):  # type: ignore[no-untyped-def]
    sr = file(agent, related.customer)
    with pytest.raises(DomainError) as error:
        service_request_set_status(service_request=sr, membership=agent, status="done")
    assert error.value.code == "unknown_status"


def test_notes_thread_from_both_sides(agent, related, customer_a):  # type: ignore[no-untyped-def]
    sr = file(agent, related.customer)
    service_request_note_add(service_request=sr, membership=agent, body="Which mailboxes?")
    service_request_note_add_by_customer(service_request=sr, user=customer_a.user, body="All of them.")
    assert list(ServiceRequestNote.objects.values_list("side", "body")) == [("partner", "Which mailboxes?"), ("customer", "All of them.")]
    assert AuditEvent.objects.filter(action="service_request.note_added").count() == 2


def test_customer_user_who_is_not_global_admin_cannot_add_notes(agent, related):  # type: ignore[no-untyped-def]
    sr = file(agent, related.customer)
    reader = CustomerMembershipFactory(customer=related.customer, user=UserFactory(), role="user")
    with pytest.raises(PermissionDeniedError):
        service_request_note_add_by_customer(service_request=sr, user=reader.user, body="hello")
    assert not ServiceRequestNote.objects.exists()


def test_empty_note_is_refused(agent, related):  # type: ignore[no-untyped-def]
    sr = file(agent, related.customer)
    with pytest.raises(DomainError) as error:
        service_request_note_add(service_request=sr, membership=agent, body="   ")
    assert error.value.field == "body"


def test_database_refuses_closed_without_time(agent, related):  # type: ignore[no-untyped-def]
    sr = file(agent, related.customer)
    sr.status = "closed"
    with pytest.raises(ValidationError):
        sr.full_clean()
