"""Webhooks: one event per transition (never on a no-op), signed as documented, retried, disabled
after continuous failures, listed in Partner settings with a redeliver action."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from invitations.closing import invitation_cancel
from invitations.create_services import invitation_create
from invitations.drafts import invitation_draft, invitation_draft_save
from invitations.send_services import invitation_resend
from notifications.choices import DeliveryStatus
from notifications.models import WebhookDelivery, WebhookSubscription
from notifications.webhook_services import webhook_deliver, webhook_sweep
from partnercenter.errors import DomainError
from partners.webhook_services import (
    webhook_delivery_redeliver,
    webhook_subscription_create,
    webhook_subscription_rotate_secret,
    webhook_subscription_update,
)
from relationships.models import Relationship
from tests.factories import PASSWORD
from tests.notifications.webhook_receiver import webhook_receiver

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
ALL_INVITATION_EVENTS = ["invitation.created", "invitation.resent", "invitation.cancelled", "invitation.sent"]


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_RETRY_BACKOFF_SECONDS = 0  # eager tasks: retries run at once


def documented_verifier():  # type: ignore[no-untyped-def]
    """The verification snippet from docs/webhooks.md, executed as a receiver would paste it."""
    snippet = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.DOTALL).group(1)
    namespace: dict = {}
    exec(compile(snippet, str(DOCS), "exec"), namespace)  # noqa: S102 — our own documentation
    return namespace["verify_partnercenter_signature"]


def subscribe(membership, url="http://127.0.0.1:9/unused", event_types=None):  # type: ignore[no-untyped-def]
    return webhook_subscription_create(membership=membership, url=url, event_types=event_types or ALL_INVITATION_EVENTS)


def test_a_transition_raises_one_event_per_subscription_and_a_no_op_raises_none(partner_a, partner_b):  # type: ignore[no-untyped-def]
    first = subscribe(partner_a.admin).subscription
    second = subscribe(partner_a.admin, event_types=["invitation.cancelled"]).subscription
    subscribe(partner_b.admin, event_types=["invitation.cancelled"])  # another partner hears nothing of A
    paused = subscribe(partner_a.admin, event_types=["invitation.cancelled"]).subscription
    webhook_subscription_update(subscription=paused, membership=partner_a.admin, active=False)

    invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=True)
    assert list(WebhookDelivery.objects.values_list("subscription_id", "event_type")) == [(first.pk, "invitation.created")]

    subject, body = invitation_draft(invitation)
    invitation_draft_save(invitation=invitation, membership=partner_a.admin, subject=subject, body=body)  # unchanged: no-op
    invitation_cancel(invitation=invitation, membership=partner_a.admin)
    with pytest.raises(DomainError):
        invitation_cancel(invitation=invitation, membership=partner_a.admin)  # already cancelled: no-op
    cancelled = WebhookDelivery.objects.filter(event_type="invitation.cancelled")
    assert sorted(cancelled.values_list("subscription_id", flat=True)) == sorted([first.pk, second.pk])
    assert WebhookDelivery.objects.count() == 3
    assert len({d.event_id for d in cancelled}) == 1  # one event, delivered to two subscriptions


def test_the_payload_names_the_object_the_customer_and_the_actor(partner_a, customer_a):  # type: ignore[no-untyped-def]
    from invitations.acceptance import grant_request_from_invitation

    subscribe(partner_a.admin, event_types=["grant.requested"])
    Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)
    invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=True)
    with transaction.atomic():
        grant = grant_request_from_invitation(invitation=invitation, customer=customer_a.customer, actor=customer_a.user)
    delivery = WebhookDelivery.objects.get()
    payload = json.loads(delivery.body)
    event = AuditEvent.objects.get(action="grant.requested")
    assert payload["id"] == str(delivery.event_id)
    assert payload["type"] == "grant.requested" and payload["partner_id"] == partner_a.partner.partner_id
    assert payload["created_at"] == event.occurred_at.isoformat()
    assert payload["data"]["object"]["type"] == "grant" and payload["data"]["object"]["id"] == str(grant.pk)
    assert payload["data"]["object"]["url"].endswith(f"/api/v1/grants/{grant.pk}")
    assert payload["data"]["customer"] == {"tenant_id": str(customer_a.customer.tenant_id), "company_name": "Northwind"}
    assert payload["data"]["actor"] == "it@northwind.example"
    assert payload["data"]["after"]["roles"] == grant.roles


def test_a_rolled_back_transition_raises_nothing(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    subscribe(partner_a.admin)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        invitation_create(membership=partner_a.admin, include_delegated_admin=True)
        raise RuntimeError("the business transaction fails later")
    assert callbacks == [] and not WebhookDelivery.objects.exists()


def test_deliveries_are_published_only_after_commit(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with webhook_receiver() as receiver:
        subscribe(partner_a.admin, url=receiver.url)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            invitation_create(membership=partner_a.admin, include_delegated_admin=True)
        assert receiver.requests == [] and WebhookDelivery.objects.get().status == DeliveryStatus.QUEUED
        for callback in callbacks:
            callback()
        assert len(receiver.successes) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SENT


def test_the_signature_verifies_with_the_documented_snippet(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    verify = documented_verifier()
    with webhook_receiver() as receiver:
        issued = subscribe(partner_a.admin, url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(membership=partner_a.admin, include_delegated_admin=True)
    (request,) = receiver.requests
    delivery = WebhookDelivery.objects.get()
    header = request.headers["Partnercenter-Signature"]
    assert verify(issued.secret, request.body, header) is True
    assert verify(issued.secret, request.body + b" ", header) is False
    assert verify("whsec_wrong", request.body, header) is False
    stale = re.sub(r"t=(\d+)", lambda m: f"t={int(m.group(1)) - 3600}", header)
    assert verify(issued.secret, request.body, stale) is False
    assert request.headers["Partnercenter-Event"] == "invitation.created"
    assert request.headers["Partnercenter-Event-Id"] == str(delivery.event_id) == json.loads(request.body)["id"]
    assert request.headers["Partnercenter-Delivery"] == str(delivery.pk)
    assert request.headers["Content-Type"] == "application/json"
    assert request.body.decode() == delivery.body


def test_after_a_rotation_both_secrets_sign_during_the_grace_period(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    verify = documented_verifier()
    with webhook_receiver() as receiver:
        old = subscribe(partner_a.admin, url=receiver.url)
        new = webhook_subscription_rotate_secret(subscription=old.subscription, membership=partner_a.admin)
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(membership=partner_a.admin, include_delegated_admin=True)
    (request,) = receiver.requests
    header = request.headers["Partnercenter-Signature"]
    assert header.count("v1=") == 2
    assert verify(new.secret, request.body, header) and verify(old.secret, request.body, header)
    assert AuditEvent.objects.filter(action="webhook_subscription.secret_rotated").exists()


def test_a_failing_receiver_gets_the_event_once_after_retries(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Eager tasks with no backoff: the task retries itself at once (a real worker: see test_webhook_worker.py)."""
    with webhook_receiver(script=[500, 503]) as receiver:
        subscribe(partner_a.admin, url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(membership=partner_a.admin, include_delegated_admin=True)
    assert [r.answered for r in receiver.requests] == [500, 503, 200]
    assert len(receiver.successes) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (DeliveryStatus.SENT, 3, 200)
    assert len({json.loads(r.body)["id"] for r in receiver.requests}) == 1


def test_retries_back_off_exponentially_and_stop(partner_a, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from notifications.webhook_services import webhook_retry_delay_seconds

    settings.WEBHOOK_RETRY_BACKOFF_SECONDS = 30
    assert [webhook_retry_delay_seconds(n) for n in (1, 2, 3, 4, 12)] == [30, 60, 120, 240, 3600]
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    with webhook_receiver(script=[500] * 10) as receiver:
        subscribe(partner_a.admin, url=receiver.url)
        # The wall clock stands still while the first attempt fails: the backoff is measured exactly,
        # not with a margin a slow machine could use up.
        with time_machine.travel(timezone.now(), tick=False), django_capture_on_commit_callbacks(execute=True):
            invitation_create(membership=partner_a.admin, include_delegated_admin=True)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.QUEUED and delivery.attempts == 1
        assert (delivery.next_attempt_at - delivery.created_at).total_seconds() == 30
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
        assert webhook_deliver(delivery_id=delivery.pk).status == "failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (DeliveryStatus.FAILED, 2, 500)
    assert WebhookSubscription.objects.get().consecutive_failures == 1


def test_a_subscription_failing_continuously_is_disabled_and_admins_are_told(partner_a, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    with webhook_receiver(script=[500] * 10) as receiver:
        subscription = subscribe(partner_a.admin, url=receiver.url).subscription
        for _ in range(4):
            with django_capture_on_commit_callbacks(execute=True):
                invitation_create(membership=partner_a.admin, include_delegated_admin=True)
    assert len(receiver.requests) == 3  # the fourth event finds the subscription disabled
    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_reason and subscription.consecutive_failures == 3
    assert AuditEvent.objects.filter(action="webhook_subscription.disabled", actor_label="system").count() == 1
    notices = [m for m in mail.outbox if "Webhook disabled" in m.subject]
    assert [m.to for m in notices] == [[partner_a.admin.user.email]]  # account admins only
    webhook_subscription_update(subscription=subscription, membership=partner_a.admin, active=True)
    subscription.refresh_from_db()
    assert subscription.active and subscription.consecutive_failures == 0


def test_a_success_resets_the_failure_count(partner_a, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    with webhook_receiver(script=[500, 200]) as receiver:
        subscription = subscribe(partner_a.admin, url=receiver.url).subscription
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                invitation_create(membership=partner_a.admin, include_delegated_admin=True)
    assert [r.answered for r in receiver.requests] == [500, 200]
    assert WebhookSubscription.objects.get(pk=subscription.pk).consecutive_failures == 0


def test_redeliver_posts_the_same_event_again(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with webhook_receiver() as receiver:
        subscribe(partner_a.admin, url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(membership=partner_a.admin, include_delegated_admin=True)
        delivery = WebhookDelivery.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            webhook_delivery_redeliver(delivery=delivery, membership=partner_a.admin)
    assert len(receiver.successes) == 2
    assert receiver.requests[0].body == receiver.requests[1].body
    assert AuditEvent.objects.filter(action="webhook_delivery.redelivered").exists()


def test_the_sweep_publishes_rows_left_queued(partner_a, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    with webhook_receiver() as receiver:
        subscribe(partner_a.admin, url=receiver.url)
        with django_capture_on_commit_callbacks(execute=False):  # the publish is lost (broker down)
            invitation_create(membership=partner_a.admin, include_delegated_admin=True)
        time.sleep(0.01)
        assert webhook_sweep() == 1
    assert len(receiver.successes) == 1


def test_private_addresses_are_refused_unless_allowed(partner_a, settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    settings.WEBHOOK_ALLOW_HTTP = False
    for url in ["http://example.com/hook", "https://127.0.0.1/hook", "https://10.0.0.5/hook", "https://localhost/x",
                "https://[::1]/hook", "https://169.254.169.254/latest", "https://user:pw@example.com/"]:
        with pytest.raises(DomainError) as refused:
            subscribe(partner_a.admin, url=url)
        assert refused.value.field == "url", url
    assert subscribe(partner_a.admin, url="https://hooks.example.com/partnercenter").subscription.pk


# --- Partner settings → Webhooks -------------------------------------------------------------


def page(partner) -> str:  # type: ignore[no-untyped-def]
    return f"/p/{partner.partner_id}/settings/webhooks/"


def test_the_settings_page_creates_a_subscription_and_shows_its_secret_once(client, partner_a):  # type: ignore[no-untyped-def]
    client.login(email=partner_a.admin.user.email, password=PASSWORD)
    response = client.post(page(partner_a.partner), {"url": "http://127.0.0.1:9/h", "event_types": ["invitation.accepted"]})
    assert response.status_code == 200
    secret = re.search(r'value="(whsec_[^"]+)"', response.content.decode()).group(1)
    assert secret not in client.get(page(partner_a.partner)).content.decode()
    subscription = WebhookSubscription.objects.get(partner=partner_a.partner)
    assert subscription.event_types == ["invitation.accepted"] and secret not in subscription.sealed_secret


def test_the_settings_page_lists_deliveries_and_redelivers(client, partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with webhook_receiver() as receiver:
        subscribe(partner_a.admin, url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(membership=partner_a.admin, include_delegated_admin=True)
        delivery = WebhookDelivery.objects.get()
        client.login(email=partner_a.admin.user.email, password=PASSWORD)
        listing = client.get(page(partner_a.partner)).content.decode()
        assert str(delivery.event_id) in listing and "invitation.created" in listing
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{page(partner_a.partner)}deliveries/{delivery.pk}/redeliver/")
        assert response.status_code == 302
    assert len(receiver.successes) == 2


def test_the_settings_page_is_for_account_admins_of_this_partner(client, partner_a, partner_b):  # type: ignore[no-untyped-def]
    subscription = subscribe(partner_a.admin).subscription
    client.login(email=partner_a.sales.user.email, password=PASSWORD)
    assert client.get(page(partner_a.partner)).status_code == 403
    client.login(email=partner_b.admin.user.email, password=PASSWORD)
    assert client.get(page(partner_a.partner)).status_code == 404
    response = client.post(page(partner_b.partner), {"action": "delete", "subscription": subscription.pk})
    assert response.status_code == 404
    assert WebhookSubscription.objects.filter(pk=subscription.pk).exists()


def test_rotate_pause_and_delete_from_the_settings_page(client, partner_a):  # type: ignore[no-untyped-def]
    subscription = subscribe(partner_a.admin).subscription
    client.login(email=partner_a.admin.user.email, password=PASSWORD)
    rotated = client.post(page(partner_a.partner), {"action": "rotate", "subscription": subscription.pk})
    assert rotated.status_code == 200 and "whsec_" in rotated.content.decode()
    client.post(page(partner_a.partner), {"action": "disable", "subscription": subscription.pk})
    assert not WebhookSubscription.objects.get(pk=subscription.pk).active
    client.post(page(partner_a.partner), {"action": "delete", "subscription": subscription.pk})
    assert not WebhookSubscription.objects.filter(pk=subscription.pk).exists()


def test_resend_is_an_event_too(partner_a):  # type: ignore[no-untyped-def]
    subscribe(partner_a.admin)
    invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=True)
    invitation_resend(invitation=invitation, membership=partner_a.admin)
    assert list(WebhookDelivery.objects.order_by("pk").values_list("event_type", flat=True)) == ["invitation.created", "invitation.resent"]


def test_grant_transitions_by_the_customer_and_by_beat_each_raise_one_event(partner_a, customer_a):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from partnercenter.directory_roles import BUNDLES
    from relationships.grant_lifecycle import grants_expire_and_extend
    from relationships.models import DelegatedAdminGrant, Relationship
    from relationships.services import grant_approve

    subscribe(partner_a.admin, event_types=["grant.approved", "grant.expired", "grant.extended"])
    Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)
    grant = DelegatedAdminGrant.objects.create(
        partner=partner_a.partner, customer=customer_a.customer, display_name="Northwind", roles=list(BUNDLES["helpdesk"][1]),
        duration_days=1, request_expires_at=timezone.now() + timedelta(days=90),
    )
    grant_approve(grant=grant, user=customer_a.user)
    with pytest.raises(DomainError):
        grant_approve(grant=grant, user=customer_a.user)  # approved already: no second event
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert grants_expire_and_extend()["expired"] == 1
        assert grants_expire_and_extend()["expired"] == 0  # beat runs again: nothing to do, no event
    events = list(WebhookDelivery.objects.order_by("pk").values_list("event_type", flat=True))
    assert events == ["grant.approved", "grant.expired"]
    approved = json.loads(WebhookDelivery.objects.get(event_type="grant.approved").body)
    assert approved["data"]["actor"] == customer_a.user.email
    assert json.loads(WebhookDelivery.objects.get(event_type="grant.expired").body)["data"]["actor"] == "system"


def test_staff_redeliver_with_a_reason(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from partners.webhook_services import webhook_delivery_redeliver_by_staff
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    with webhook_receiver() as receiver:
        subscribe(partner_a.admin, url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(membership=partner_a.admin, include_delegated_admin=True)
        delivery = WebhookDelivery.objects.get()
        with pytest.raises(DomainError):
            webhook_delivery_redeliver_by_staff(delivery=delivery, staff_user=staff, reason=" ")
        with pytest.raises(DomainError):
            webhook_delivery_redeliver_by_staff(delivery=delivery, staff_user=partner_a.admin.user, reason="not staff")
        with django_capture_on_commit_callbacks(execute=True):
            webhook_delivery_redeliver_by_staff(delivery=delivery, staff_user=staff, reason="Customer asked")
    assert len(receiver.successes) == 2
    event = AuditEvent.objects.get(action="webhook_delivery.redelivered")
    assert event.actor == staff and event.partner_id == partner_a.partner.pk and event.data["reason"] == "Customer asked"


def test_an_invitation_email_that_bounces_raises_delivery_failed_once(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    import smtplib
    from unittest import mock

    from invitations.create_services import invitation_create
    from invitations.drafts import invitation_draft
    from invitations.send_services import invitation_send

    subscription = subscribe(partner_a.admin, event_types=["invitation.delivery_failed"])
    invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=True)
    subject, body = invitation_draft(invitation)
    refused = smtplib.SMTPRecipientsRefused({"nobody@northwind.example": (550, b"no such user")})
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused), \
            django_capture_on_commit_callbacks(execute=True):
        invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body,
                        recipient_email="nobody@northwind.example")
    event = AuditEvent.objects.get(action="invitation.delivery_failed")
    assert event.target_id == str(invitation.pk) and event.data["recipient"] == "nobody@northwind.example"
    assert WebhookDelivery.objects.filter(subscription=subscription.subscription, event_type="invitation.delivery_failed").count() == 1
