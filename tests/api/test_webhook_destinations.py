"""POST /api/v1/webhooks/subscriptions refuses a non-public endpoint in any notation with a 4xx that
names the field (the service's check, notifications/webhook_addresses.py), and stores nothing."""

from __future__ import annotations

import pytest

from notifications.models import WebhookSubscription
from tests.api.conftest import KeyClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["[::127.0.0.1]", "[::ffff:127.0.0.1]", "[64:ff9b::a9fe:a9fe]", "[2002:7f00:1::1]",
                                  "2130706433", "0x7f.1", "017700000001", "127.1", "100.64.0.1", "[fe80::1%25eth0]",
                                  "[fd00::1]", "169.254.169.254"])
def test_a_non_public_endpoint_is_refused_with_a_4xx(partner_a, issue_key, settings, host):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    _key, token = issue_key(partner_a.admin, scopes=["webhooks:manage"])
    response = KeyClient(token).post("/api/v1/webhooks/subscriptions",
                                     {"url": f"https://{host}/hooks", "event_types": ["invitation.created"]})
    assert 400 <= response.status_code < 500, response.content
    assert "url" in response.content.decode()
    assert not WebhookSubscription.objects.exists()
