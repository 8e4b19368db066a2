"""Support actions in the staff console: operators run them through the services, with a reason;
auditors cannot; each writes an audit event whose actor is the staff user; refusals show the
service's message and change nothing."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.actions import AuditAction
from audit.models import AuditEvent
from invitations.choices import InvitationStatus
from invitations.closing import invitation_close_by_staff
from invitations.models import Invitation
from notifications.choices import DeliveryStatus
from partners.authz import Actor, ActorKind
from partners.choices import PartnerRole
from partners.models import PartnerMembership
from partners.services import partner_membership_remove_by_staff
from relationships.choices import GrantStatus, RelationshipStatus
from relationships.ending import relationship_terminate
from relationships.services import grant_terminate
from tests.factories import (
    AuditEventFactory,
    DelegatedAdminGrantFactory,
    InvitationFactory,
    OutboxMessageFactory,
    PartnerMembershipFactory,
    RelationshipFactory,
)


def changelist(model) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def run_action(client, model, action: str, objects, reason: str | None = "Customer asked support to stop it."):  # type: ignore[no-untyped-def]
    """Choose the action on the changelist, then confirm it (with a reason) on the confirmation page."""
    url = changelist(model)
    pks = [str(obj.pk) for obj in objects]
    confirmation = client.post(url, {"action": action, "index": 0, ACTION_CHECKBOX_NAME: pks})
    if reason is None:
        return confirmation
    assert confirmation.status_code == 200, confirmation
    assert "admin/support_action_confirmation.html" in [t.name for t in confirmation.templates]
    return client.post(url, {"action": action, "post": "yes", "reason": reason, ACTION_CHECKBOX_NAME: pks}, follow=True)


def texts(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Who may run actions --------------------------------------------------------------------


def test_auditor_sees_no_actions_and_cannot_run_one(auditor_client, auditor):
    invitation = InvitationFactory()
    page = auditor_client.get(changelist(Invitation))
    assert page.status_code == 200 and page.context["action_form"] is None
    with mock.patch("staff.invitations_admin.invitation_close_by_staff") as service:
        response = auditor_client.post(
            changelist(Invitation),
            {"action": "cancel_invitations", "post": "yes", "reason": "x", ACTION_CHECKBOX_NAME: [invitation.pk]},
        )
    assert response.status_code in (200, 302)
    service.assert_not_called()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert not AuditEvent.objects.filter(actor=auditor).exists()


def test_operator_sees_the_support_actions(operator_client):
    page = operator_client.get(changelist(Invitation))
    choices = dict(page.context["action_form"].fields["action"].choices)
    assert {"cancel_invitations", "expire_invitations"} <= set(choices)


# --- Invitations -------------------------------------------------------------------------------


def test_operator_cancels_an_invitation_through_the_service_with_a_reason(operator_client, operator):
    invitation = InvitationFactory()
    with mock.patch("staff.invitations_admin.invitation_close_by_staff", wraps=invitation_close_by_staff) as service:
        response = run_action(operator_client, Invitation, "cancel_invitations", [invitation])
    service.assert_called_once()
    assert service.call_args.kwargs["staff_user"] == operator
    assert service.call_args.kwargs["expire"] is False
    assert "1 invitation cancelled." in texts(response)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.CANCELLED and invitation.cancelled_by == operator
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_CANCELLED, target_id=str(invitation.pk))
    assert event.actor == operator and event.actor_label == operator.email
    assert event.partner_id == invitation.partner_id
    assert event.data["reason"] == "Customer asked support to stop it." and event.data["by"] == "staff"


def test_operator_expires_an_invitation(operator_client, operator):
    invitation = InvitationFactory()
    run_action(operator_client, Invitation, "expire_invitations", [invitation])
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED
    assert AuditEvent.objects.get(action=AuditAction.INVITATION_EXPIRED, target_id=str(invitation.pk)).actor == operator


def test_confirmation_names_the_objects_and_requires_a_reason(operator_client):
    invitation = InvitationFactory(recipient_email="named@example.com")
    page = run_action(operator_client, Invitation, "cancel_invitations", [invitation], reason=None)
    body = page.content.decode()
    assert "named@example.com" in body and 'name="reason"' in body
    blank = operator_client.post(
        changelist(Invitation),
        {"action": "cancel_invitations", "post": "yes", "reason": "   ", ACTION_CHECKBOX_NAME: [invitation.pk]},
    )
    assert blank.status_code == 200 and blank.context["form"].errors
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert not AuditEvent.objects.filter(target_type="invitations.invitation", target_id=str(invitation.pk)).exists()


def test_refused_transition_shows_the_services_message_and_changes_nothing(operator_client):
    cancelled = InvitationFactory()
    run_action(operator_client, Invitation, "cancel_invitations", [cancelled])
    before = AuditEvent.objects.count()
    response = run_action(operator_client, Invitation, "expire_invitations", [cancelled])
    assert any("This invitation is no longer pending." in text for text in texts(response))
    cancelled.refresh_from_db()
    assert cancelled.status == InvitationStatus.CANCELLED
    assert AuditEvent.objects.count() == before


def test_each_object_succeeds_or_is_refused_on_its_own(operator_client):
    pending, done = (
        InvitationFactory(),
        InvitationFactory(status=InvitationStatus.EXPIRED, expired_at="2026-01-01T00:00Z"),
    )
    response = run_action(operator_client, Invitation, "cancel_invitations", [pending, done])
    messages = texts(response)
    assert "1 invitation cancelled." in messages
    assert any(f"#{done.pk}" in text and "no longer pending" in text for text in messages)


# --- Partner users ---------------------------------------------------------------------------


def test_operator_disables_a_partner_user(operator_client, operator, partner_a):
    with mock.patch(
        "staff.partners_admin.partner_membership_remove_by_staff", wraps=partner_membership_remove_by_staff
    ) as service:
        response = run_action(operator_client, PartnerMembership, "disable_partner_users", [partner_a.sales])
    service.assert_called_once()
    assert "1 partner user disabled." in texts(response)
    assert not PartnerMembership.objects.filter(pk=partner_a.sales.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.PARTNER_USER_REMOVED)
    assert event.actor == operator and event.partner_id == partner_a.partner.pk and event.data["by"] == "staff"


def test_last_account_admin_cannot_be_disabled(operator_client, partner_a):
    response = run_action(operator_client, PartnerMembership, "disable_partner_users", [partner_a.admin])
    assert any("at least one account admin" in text for text in texts(response))
    assert PartnerMembership.objects.filter(pk=partner_a.admin.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PARTNER_USER_REMOVED).exists()


# --- Email redelivery ----------------------------------------------------------------------------


def test_operator_redelivers_a_failed_email_with_a_reason(operator_client, operator, partner_a):
    from notifications.models import OutboxMessage

    message = OutboxMessageFactory(partner=partner_a.partner)
    with mock.patch("staff.notifications_admin.outbox_resend") as service:
        service.side_effect = lambda **kwargs: __import__("notifications.services").services.outbox_resend(**kwargs)
        response = run_action(operator_client, OutboxMessage, "redeliver_failed", [message], reason="Mailbox was full, now fixed")
    service.assert_called_once()
    assert "1 email queued again." in texts(response)
    message.refresh_from_db()
    assert message.status == DeliveryStatus.QUEUED
    event = AuditEvent.objects.get(action=AuditAction.OUTBOX_RESENT)
    assert event.actor == operator and event.partner_id == partner_a.partner.pk
    assert event.data["reason"] == "Mailbox was full, now fixed"


def test_a_sent_email_is_not_redelivered(operator_client):
    from notifications.models import OutboxMessage

    message = OutboxMessageFactory(status=DeliveryStatus.SENT, failed_at=None, sent_at="2026-01-01T00:00Z")
    response = run_action(operator_client, OutboxMessage, "redeliver_failed", [message], reason="Customer asked again")
    assert any("Only a failed delivery can be resent." in text for text in texts(response))
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT


def test_operator_redelivers_a_webhook_with_a_reason(operator_client, operator):
    from notifications.models import WebhookDelivery
    from tests.factories import WebhookDeliveryFactory

    delivery = WebhookDeliveryFactory(status=DeliveryStatus.FAILED, failed_at="2026-01-01T00:00Z", attempts=8)
    response = run_action(operator_client, WebhookDelivery, "redeliver", [delivery], reason="Receiver fixed its TLS certificate")
    assert "1 delivery queued again." in texts(response)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED and delivery.attempts == 0
    event = AuditEvent.objects.get(target_type="notifications.webhookdelivery", target_id=str(delivery.pk))
    assert event.actor == operator and event.data["reason"] == "Receiver fixed its TLS certificate"


# --- Relationships and grants ----------------------------------------------------------------------


@pytest.fixture
def related(partner_a, customer_a):  # type: ignore[no-untyped-def]
    relationship = RelationshipFactory(partner=partner_a.partner, customer=customer_a.customer)
    grant = DelegatedAdminGrantFactory(partner=partner_a.partner, customer=customer_a.customer)
    return relationship, grant


def test_operator_terminates_a_grant(operator_client, operator, related):
    from relationships.models import DelegatedAdminGrant

    _relationship, grant = related
    with mock.patch("staff.relationships_admin.grant_terminate", wraps=grant_terminate) as service:
        response = run_action(operator_client, DelegatedAdminGrant, "terminate_grants", [grant])
    service.assert_called_once()
    assert service.call_args.kwargs["actor"] == Actor(kind=ActorKind.STAFF, user=operator)  # the staff side, as this operator
    assert "1 grant terminated." in texts(response)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.TERMINATED and grant.terminated_by == operator
    event = AuditEvent.objects.get(action=AuditAction.GRANT_TERMINATED, target_id=str(grant.pk))
    assert event.actor == operator and event.customer_id == grant.customer_id
    assert event.data["reason"] == "Customer asked support to stop it."


def test_terminating_an_ended_grant_is_refused_with_the_services_message(operator_client, related):
    from relationships.models import DelegatedAdminGrant

    _relationship, grant = related
    run_action(operator_client, DelegatedAdminGrant, "terminate_grants", [grant])
    count = AuditEvent.objects.count()
    response = run_action(operator_client, DelegatedAdminGrant, "terminate_grants", [grant])
    assert any("Only active admin roles can be removed." in text for text in texts(response))
    assert AuditEvent.objects.count() == count


def test_operator_terminates_a_relationship_and_its_grants_end(operator_client, operator, related):
    from relationships.models import Relationship

    relationship, grant = related
    with mock.patch("staff.relationships_admin.relationship_terminate", wraps=relationship_terminate) as service:
        response = run_action(operator_client, Relationship, "terminate_relationships", [relationship])
    service.assert_called_once()
    assert "1 relationship terminated." in texts(response)
    relationship.refresh_from_db()
    grant.refresh_from_db()
    assert relationship.status == RelationshipStatus.TERMINATED and grant.status == GrantStatus.TERMINATED
    event = AuditEvent.objects.get(action=AuditAction.RELATIONSHIP_TERMINATED)
    assert event.actor == operator and event.data["by"] == "staff"


def test_superuser_runs_actions_without_a_group(superuser_client):
    invitation = InvitationFactory()
    run_action(superuser_client, Invitation, "cancel_invitations", [invitation])
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.CANCELLED


def test_staff_without_a_group_sees_nothing(client, db):
    from tests.staff.users import sign_in_to_admin, staff_user

    sign_in_to_admin(client, staff_user())
    assert client.get(changelist(Invitation)).status_code == 403


def test_account_admin_role_is_kept_on_the_remaining_admin(partner_a):
    assert PartnerRole.ACCOUNT_ADMIN in PartnerMembershipFactory(partner=partner_a.partner).roles


def test_the_changelist_counts_at_most_the_cap(auditor_client, monkeypatch):
    from staff.audit_admin import AuditEventAdmin, CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "COUNT_CAP", 3)
    monkeypatch.setattr(AuditEventAdmin, "list_per_page", 2)
    AuditEventFactory.create_batch(6)
    listing = auditor_client.get("/admin/audit/auditevent/")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 4  # cap + 1: "more than 3"
    assert len(listing.context["cl"].result_list) == 2
    assert auditor_client.get("/admin/audit/auditevent/", {"p": 2}).context["cl"].result_list[0].pk
