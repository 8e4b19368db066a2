"""API fixtures: keys issued through the real service, clients that send them, shared objects.

`partner_a` (Contoso) and `partner_b` (Fabrikam) come from tests/conftest.py; `world` gives
partner A an invitation, a customer (Northwind) with a relationship and an active grant, a
webhook subscription and a delivery, so every operation has one of A's objects to aim at.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from invitations.create_services import invitation_create
from partnercenter.directory_roles import BUNDLES
from partners.api_key_services import api_key_create
from partners.permissions import ApiScope
from partners.security_group_services import security_group_add_member, security_group_create
from relationships.models import DelegatedAdminGrant, Relationship

ALL_SCOPES = [scope.value for scope in ApiScope]


class KeyClient(APIClient):
    """An APIClient that sends `Authorization: Bearer <key>` and JSON."""

    def __init__(self, token: str | None = None, **defaults: Any) -> None:
        super().__init__(**defaults)
        if token:
            self.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    def generic(self, method: str, path: str, data: Any = "", content_type: str = "application/json", **extra: Any) -> Any:
        return super().generic(method, path, data, content_type, **extra)

    def post(self, path: str, data: Any = None, format: str | None = "json", **extra: Any) -> Any:
        return super().post(path, data, format=format, **extra)

    def put(self, path: str, data: Any = None, format: str | None = "json", **extra: Any) -> Any:
        return super().put(path, data, format=format, **extra)

    def patch(self, path: str, data: Any = None, format: str | None = "json", **extra: Any) -> Any:
        return super().patch(path, data, format=format, **extra)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issue_key():  # type: ignore[no-untyped-def]
    """issue_key(membership, scopes=[...]) -> (ApiKey, token), created by the member (an account admin)."""
    counter = {"n": 0}

    def _issue(membership, scopes=None, name=None, expires_in_days=None):  # type: ignore[no-untyped-def]
        counter["n"] += 1
        issued = api_key_create(membership=membership, name=name or f"Integration {counter['n']}",
                                scopes=list(scopes if scopes is not None else ALL_SCOPES), expires_in_days=expires_in_days)
        return issued.api_key, issued.token

    return _issue


@pytest.fixture
def client_for(issue_key):  # type: ignore[no-untyped-def]
    """client_for(membership, scopes=[...]) -> KeyClient with a new key of that partner."""

    def _client(membership, scopes=None):  # type: ignore[no-untyped-def]
        _key, token = issue_key(membership, scopes)
        return KeyClient(token)

    return _client


@pytest.fixture
def api_a(partner_a, client_for) -> KeyClient:  # type: ignore[no-untyped-def]
    return client_for(partner_a.admin)


@pytest.fixture
def api_b(partner_b, client_for) -> KeyClient:  # type: ignore[no-untyped-def]
    return client_for(partner_b.admin)


@pytest.fixture
def world(partner_a, customer_a):  # type: ignore[no-untyped-def]
    """Partner A's objects: a pending invitation, Northwind as customer with an active grant."""
    from partners.webhook_services import webhook_subscription_create

    invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=True, recipient_email="it@prospect.example")
    relationship = Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)
    now = timezone.now()
    grant = DelegatedAdminGrant.objects.create(
        partner=partner_a.partner, customer=customer_a.customer, display_name="Northwind support",
        roles=list(BUNDLES["user_management"][1]), duration_days=30, status="active", starts_at=now,
        ends_at=now + timedelta(days=30), request_expires_at=now + timedelta(days=90),
    )
    subscription = webhook_subscription_create(membership=partner_a.admin, url="http://127.0.0.1:9/hook",
                                               event_types=["invitation.cancelled"]).subscription
    from servicerequests.models import ServiceRequest

    service_request = ServiceRequest.objects.create(partner=partner_a.partner, customer=customer_a.customer,
                                                    title="Northwind mail bounces", description="550 5.7.1")
    return {"invitation": invitation, "relationship": relationship, "grant": grant, "customer": customer_a.customer,
            "subscription": subscription, "service_request": service_request}


@pytest.fixture
def api_objects(world, partner_a, partner_b):  # type: ignore[no-untyped-def]
    """`world` plus a webhook delivery of partner A (cancelling a second invitation raises one)
    and a reusable link for each partner."""
    from invitations.closing import invitation_cancel
    from invitations.create_services import invitation_create
    from invitations.links import relationship_link_url
    from invitations.relationship_links import relationship_link_rotate
    from notifications.models import WebhookDelivery

    invitation_cancel(invitation=invitation_create(membership=partner_a.admin, include_delegated_admin=True), membership=partner_a.admin)
    link_a = relationship_link_rotate(membership=partner_a.admin)
    relationship_link_rotate(membership=partner_b.admin)
    delivery = WebhookDelivery.objects.get(partner=partner_a.partner)  # its endpoint refuses: make it finished
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", failed_at=timezone.now())
    # A checked bulk batch of partner A, waiting for confirmation (issue 10).
    from invitation_batches.services import invitation_batch_upload, json_lines

    batch = invitation_batch_upload(membership=partner_a.admin, lines=json_lines([{
        "company": "Batch Co", "recipient_email": "it@batch-co.example", "domain": "batch-co.example", "country": "JP"}]))
    # A bulk delegated admin request of partner A (issue 24).
    from invitation_batches.gdap_services import delegated_admin_batch_create
    from partnercenter.directory_roles import BUNDLES

    gdap_batch = delegated_admin_batch_create(membership=partner_a.admin, identifiers=[str(world["customer"].tenant_id)],
                                              roles=list(BUNDLES["helpdesk"][1]), duration_days=90)
    # A security group of partner A with one member (issue 23).
    group = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Tier 1 (A)")
    security_group_add_member(actor=partner_a.admin, group=group, membership=partner_a.admin)
    # A private note of partner A on its customer (issue 24, item 5), written through the API (so any
    # of A's keys with customers:write may change it).
    from partners.api_key_services import api_key_actor
    from relationships.customer_notes import customer_note_add

    writer = api_key_create(membership=partner_a.admin, name="Note writer", scopes=["customers:write"]).api_key
    note = customer_note_add(actor=api_key_actor(api_key=writer), relationship=world["relationship"], body="Sweep note")
    # A saved view of partner A (issue 24, item 3): a key's views are its technical user's, here the note writer's.
    from partners.saved_view_services import saved_view_save

    saved_view = saved_view_save(membership=api_key_actor(api_key=writer), list_name="customers", name="Writer's view",
                                 query_string="dap=none")
    return {**world, "delivery": delivery, "link_url": relationship_link_url(link_a), "invitation_batch": batch,
            "delegated_admin_batch": gdap_batch, "security_group": group, "security_group_member": partner_a.admin,
            "customer_note": note, "saved_view": saved_view}
