"""Every way a secret comes to exist, in one scripted flow (issue 18, items 2, 3 and 10).

A partner admin signs in with a password, creates an API key and a webhook secret in the console,
uses the key, creates webhook secrets and invitations through the API (with Idempotency-Key, replayed
once), creates a customer with its invitation, an invitation and a reusable link in the console, and
invites a partner user; links are opened anonymously (HEAD and GET, a 404 under the token path),
an invitation is accepted, a partner user joins, used and unknown links are opened again, and a
password is reset through its emailed key. Every response is recorded, and every secret that came
to exist is collected (the ones in responses and the ones only emails carry), for the tests that
look for them in logs, in the database, in admin and in cacheable responses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core import mail
from django.http import HttpResponse
from django.test import Client

from partners.permissions import ApiScope
from tests.factories import PASSWORD, UserFactory

CUSTOMER_EMAIL = "it-admin@northwind.example"
SECOND_CUSTOMER_EMAIL = "owner@tailwind.example"
JOINER_EMAIL = "new.agent@contoso.example"
EVENTS = ["invitation.created", "invitation.sent", "invitation.accepted"]

LINK = re.compile(r"/(r|join)/([A-Za-z0-9_\-]{16,})")
API_KEY = re.compile(r"pck_[A-Za-z0-9_\-]{20,}")
WEBHOOK_SECRET = re.compile(r"whsec_[A-Za-z0-9_\-]{20,}")
RESET_KEY = re.compile(r"/accounts/password/reset/key/([^/\s]+)/")


@dataclass
class Recorded:
    method: str
    path: str
    response: HttpResponse


@dataclass
class SecretFlow:
    secrets: dict[str, str] = field(default_factory=dict)  # what it is -> the value
    responses: list[Recorded] = field(default_factory=list)

    def add(self, label: str, value: str) -> str:
        assert value, label
        self.secrets[label] = value
        return value

    def add_links_in(self, text: str, where: str) -> None:
        for kind, token in LINK.findall(text):
            self.add(f"{kind} token in {where}", token)
            self.add(f"{kind} link path in {where}", f"/{kind}/{token}")

    def values(self) -> list[str]:
        return sorted(set(self.secrets.values()), key=len, reverse=True)

    def found_in(self, text: str) -> list[str]:
        """The labels of the secrets `text` holds."""
        return sorted({label for label, value in self.secrets.items() if value in text})


class RecordingClient(Client):
    def __init__(self, flow: SecretFlow, **defaults: Any) -> None:
        super().__init__(**defaults)
        self.flow = flow

    def request(self, **request: Any) -> HttpResponse:  # type: ignore[override]
        response = super().request(**request)
        self.flow.responses.append(Recorded(request["REQUEST_METHOD"], request["PATH_INFO"], response))
        return response


def _text(response: HttpResponse) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def _sign_in(client: Client, email: str) -> None:
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, _text(response)[:500]


def run_secret_flow(*, partner: Any, capture: Callable[..., Any], webhook_url: str) -> SecretFlow:
    """`partner`: the partner_a fixture; `capture`: django_capture_on_commit_callbacks (tasks run eagerly)."""
    flow = SecretFlow()
    flow.add("password", PASSWORD)
    pid = partner.partner.partner_id
    mail.outbox.clear()

    console = RecordingClient(flow)
    with capture(execute=True):
        _sign_in(console, partner.admin.user.email)

        # Console: an API key and a webhook secret, each shown once.
        page = console.post(f"/p/{pid}/settings/api-keys/", {
            "name": "Secret flow", "scopes": [s.value for s in ApiScope], "expires_in_days": ""})
        assert page.status_code == 200, _text(page)[:1000]
        api_key = flow.add("API key (console)", API_KEY.search(_text(page)).group(0))  # type: ignore[union-attr]
        page = console.post(f"/p/{pid}/settings/webhooks/", {"url": webhook_url, "event_types": EVENTS, "description": ""})
        assert page.status_code == 200, _text(page)[:1000]
        flow.add("webhook secret (console)", WEBHOOK_SECRET.search(_text(page)).group(0))  # type: ignore[union-attr]

        # API: the key in use; a webhook secret, invitations and a customer, with Idempotency-Key (replayed).
        api = RecordingClient(flow, HTTP_AUTHORIZATION=f"Bearer {api_key}")
        created = api.post("/api/v1/webhooks/subscriptions", {"url": webhook_url, "event_types": EVENTS},
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY="flow-webhook-1")
        assert created.status_code == 201, _text(created)
        flow.add("webhook secret (API)", created.json()["secret"])
        invitation_body = {"recipient_email": CUSTOMER_EMAIL, "send_email": True, "include_delegated_admin": True}
        created = api.post("/api/v1/invitations", invitation_body, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="flow-invitation-1")
        assert created.status_code == 201, _text(created)
        replayed = api.post("/api/v1/invitations", invitation_body, content_type="application/json",
                            HTTP_IDEMPOTENCY_KEY="flow-invitation-1")
        assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"
        assert replayed.json() == created.json()  # the integrator retrying gets the very same link
        flow.add_links_in(created.json()["link"], "API invitation")
        api_token = flow.secrets["r token in API invitation"]
        created = api.post("/api/v1/customers", {
            "company_name": "Tailwind Toys", "primary_domain": "tailwind.example", "country": "JP",
            "admin_email": SECOND_CUSTOMER_EMAIL, "include_delegated_admin": False,
        }, content_type="application/json", HTTP_IDEMPOTENCY_KEY="flow-customer-1")
        assert created.status_code == 201, _text(created)
        assert api.get("/api/v1/invitations").status_code == 200

        # Console: an invitation (its draft shows the link) and the reusable link.
        response = console.post(f"/p/{pid}/customers/request/", {
            "include_delegated_admin": "on", "recipient_email": "buyer@fourthcoffee.example", "language": "en"})
        assert response.status_code == 302, _text(response)[:1000]
        draft = console.get(response.url)
        assert draft.status_code == 200
        flow.add_links_in(_text(draft), "console draft")
        console.post(f"/p/{pid}/settings/relationship-link/", {"action": "rotate", "include_delegated_admin": "on"})
        flow.add_links_in(_text(console.get(f"/p/{pid}/settings/relationship-link/")), "reusable link page")
        reusable = api.get("/api/v1/relationship-requests/link")
        assert reusable.status_code == 200, _text(reusable)
        assert api.get("/v1/customers/relationshiprequests").status_code == 200

        # Console: a partner user invited (the join link exists only in the email).
        response = console.post(f"/p/{pid}/settings/users/", {"email": JOINER_EMAIL, "roles": ["admin_agent"], "language": "en"})
        assert response.status_code == 302

    for message in mail.outbox:
        flow.add_links_in(message.body, f"email to {message.to[0]}")
    join_token = next(v for k, v in flow.secrets.items() if k.startswith("join token"))
    reusable_token = flow.secrets["r token in reusable link page"]

    # Anonymous visitors (and mail scanners): HEAD and GET, a path under the token that does not exist.
    anonymous = RecordingClient(flow)
    for token in (api_token, reusable_token):
        anonymous.head(f"/r/{token}")
        assert anonymous.get(f"/r/{token}").status_code == 302
        assert anonymous.get("/r/").status_code == 200
        assert anonymous.get(f"/r/{token}/extra").status_code == 404
    anonymous.head(f"/join/{join_token}")
    assert anonymous.get(f"/join/{join_token}").status_code == 302
    assert anonymous.get("/join/").status_code == 200

    # The customer signs in with a password and accepts; the partner user joins.
    UserFactory(email=CUSTOMER_EMAIL)
    customer = RecordingClient(flow)
    with capture(execute=True):
        _sign_in(customer, CUSTOMER_EMAIL)
        assert customer.get(f"/r/{api_token}").status_code == 302
        assert customer.get("/r/").status_code == 200
        accepted = customer.post("/r/", {
            "action": "accept", "tenant": "new", "company_name": "Northwind Traders",
            "primary_domain": "northwind.example", "country": "JP", "signer_name": "Ada Admin",
            "signer_email": CUSTOMER_EMAIL, "agreement_accepted": "on",
        })
        assert accepted.status_code == 200 and b"<title>Accepted" in accepted.content, _text(accepted)[:2000]
        UserFactory(email=JOINER_EMAIL)
        joiner = RecordingClient(flow)
        _sign_in(joiner, JOINER_EMAIL)
        assert joiner.get(f"/join/{join_token}").status_code == 302
        assert joiner.post("/join/").status_code == 302

        # Used and unknown links: the same 404 page.
        assert customer.get(f"/r/{api_token}").status_code == 302
        assert customer.get("/r/").status_code == 404
        assert customer.get("/r/AAAAunknownTokenValue0123456789abcdefghijklm").status_code == 302
        assert customer.get("/r/").status_code == 404

        # A password reset through its emailed key.
        mail.outbox.clear()
        reset = RecordingClient(flow)
        assert reset.post("/accounts/password/reset/", {"email": CUSTOMER_EMAIL}).status_code == 302
    reset_mail = next(m for m in mail.outbox if RESET_KEY.search(m.body))
    reset_key = flow.add("password reset key", RESET_KEY.search(reset_mail.body).group(1))  # type: ignore[union-attr]
    assert reset.get(f"/accounts/password/reset/key/{reset_key}/").status_code in (200, 302)
    return flow
