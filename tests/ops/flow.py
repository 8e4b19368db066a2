"""The scripted flow the operations tests observe: a partner invites through the API (email sent, a
webhook delivered after one failed attempt), the customer signs in with a password, opens the link
and accepts. Returns the secrets it used, for the tests that make sure no log line holds them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client

from partners.api_key_services import api_key_create
from partners.permissions import ApiScope
from partners.webhook_services import webhook_subscription_create
from tests.factories import PASSWORD, UserFactory

CUSTOMER_EMAIL = "it-admin@northwind.example"
WEBHOOK_EVENTS = ["invitation.created", "invitation.sent", "invitation.accepted"]


@dataclass
class FlowSecrets:
    api_key: str
    invitation_token: str
    password: str
    invitation_id: int
    create_request_id: str


def run_invitation_flow(*, partner: Any, capture: Any, webhook_url: str, client: Client | None = None,
                        request_id: str = "ops-flow-request-0001") -> FlowSecrets:
    """`capture` is pytest-django's django_capture_on_commit_callbacks (tasks then run eagerly) or,
    for tests with a real worker, a no-op context manager factory."""
    webhook_subscription_create(membership=partner.admin, url=webhook_url, event_types=WEBHOOK_EVENTS)
    issued = api_key_create(membership=partner.admin, name="Ops flow", scopes=[s.value for s in ApiScope],
                            expires_in_days=None)
    api = Client()
    with capture(execute=True):
        created = api.post(
            "/api/v1/invitations",
            {"recipient_email": CUSTOMER_EMAIL, "send_email": True, "include_delegated_admin": True},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {issued.token}",
            HTTP_X_REQUEST_ID=request_id,
        )
    assert created.status_code == 201, created.content
    body = created.json()
    token = body["link"].rsplit("/r/", 1)[1]

    customer = client or Client()
    UserFactory(email=CUSTOMER_EMAIL)
    signed_in = customer.post("/accounts/login/", {"login": CUSTOMER_EMAIL, "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.content[:500]
    opened = customer.get(f"/r/{token}")
    assert opened.status_code == 302
    assert customer.get(opened.url).status_code == 200
    with capture(execute=True):
        accepted = customer.post("/r/", {
            "action": "accept", "tenant": "new", "company_name": "Northwind Traders",
            "primary_domain": "northwind.example", "country": "JP", "signer_name": "Ada Admin",
            "signer_email": CUSTOMER_EMAIL, "agreement_accepted": "on",
        })
    assert accepted.status_code == 200 and b"<title>Accepted" in accepted.content, accepted.content[:2000]
    return FlowSecrets(api_key=issued.token, invitation_token=token, password=PASSWORD,
                       invitation_id=body["id"], create_request_id=request_id)
