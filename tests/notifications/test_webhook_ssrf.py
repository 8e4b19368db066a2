"""Webhook SSRF: every non-public address is refused in every notation, when the subscription is saved
and again when a delivery is attempted; the name is resolved once and the connection goes to the
address that was checked (DNS rebinding reaches nothing); loopback receivers only where a test allows
them with WEBHOOK_ALLOW_PRIVATE_HOSTS."""

from __future__ import annotations

import socket

import pytest

from invitations.create_services import invitation_create
from notifications import webhook_transport
from notifications.models import WebhookDelivery, WebhookSubscription
from notifications.webhook_services import webhook_deliver
from partnercenter.errors import DomainError
from partners.webhook_services import webhook_subscription_create
from tests.notifications.tls_receiver import tls_receiver
from tests.notifications.webhook_receiver import webhook_receiver

pytestmark = pytest.mark.django_db

PUBLIC_V4 = "93.184.215.14"
REFUSED_HOSTS = [
    # IPv4, dotted and in every inet_aton spelling
    "127.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f.1", "0x7f000001", "017700000001", "0177.0.0.1",
    "0x7f.0.0.0x1", "127.0.0.1.", "0.0.0.0", "0",  # noqa: S104 — refused, not bound "10.0.0.5", "172.16.0.1", "192.168.1.1", "100.64.0.1",
    "100.127.255.254", "169.254.169.254", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1",
    "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.51.100.7", "203.0.113.9",
    # IPv6, and IPv4 inside IPv6
    "[::1]", "[::]", "[::127.0.0.1]", "[::7f00:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::ffff:10.0.0.1]",
    "[::ffff:0:127.0.0.1]", "[64:ff9b::127.0.0.1]", "[64:ff9b::a00:1]", "[64:ff9b::169.254.169.254]",
    "[64:ff9b:1::808:808]", "[2002:7f00:1::1]", "[2002:808:808::1]", "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
    "[fe80::1]", "[fe80::1%25eth0]", "[fe80::1%251]", "[fec0::1]", "[fc00::1]", "[fd12:3456:789a::1]",
    "[ff02::1]", "[ff05::1:3]", "[2001:db8::1]", "[100::1]",
    # names that are addresses, or that no resolver agrees on
    "localhost", "localhost.", "api.localhost", "printer.local", "metadata.google.internal", "1.2.3.4.5",
    "example.0x10", "example.123",
]
PUBLIC_HOSTS = ["8.8.8.8", "[2606:4700:4700::1111]", "[64:ff9b::808:808]", "[::ffff:8.8.8.8]", "hooks.example.com"]
RESOLVED_REFUSED = ["127.0.0.1", "10.9.8.7", "100.64.1.1", "169.254.169.254", "0.0.0.0", "::1", "::ffff:127.0.0.1",  # noqa: S104
                    "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                    "fe80::1%eth0", "fc00::5", "fec0::1", "ff02::1"]


@pytest.fixture(autouse=True)
def _public_only(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_RETRY_BACKOFF_SECONDS = 0


@pytest.fixture
def connections(monkeypatch):  # type: ignore[no-untyped-def]
    """Every (address, port) a socket is opened to; addresses in `refuse` fail like a closed port."""
    opened: list[tuple[str, int]] = []
    real = socket.create_connection

    def create_connection(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append((str(address[0]), int(address[1])))
        if address[0] == PUBLIC_V4:
            raise ConnectionRefusedError("test: the public address is not really there")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return opened


def fake_dns(monkeypatch, answers):  # type: ignore[no-untyped-def]
    """Patch the resolver seam: `answers[name]` is a list of answer lists, one per lookup (the last repeats)."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = host.decode() if isinstance(host, bytes) else host
        if name not in answers:
            return real(host, port, *args, **kwargs)
        lookups.append(name)
        sequence = answers[name]
        addresses = sequence[min(len(lookups) - 1, len(sequence) - 1)]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
                 (a, int(port or 0), 0, 0) if ":" in a else (a, int(port or 0))) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def queued_delivery(partner_a, url: str) -> WebhookDelivery:  # type: ignore[no-untyped-def]
    """A delivery for a subscription whose stored URL is `url` (as an older version might have saved it)."""
    subscription = webhook_subscription_create(membership=partner_a.admin, url="https://hooks.example.com/partnercenter",
                                               event_types=["invitation.created"]).subscription
    WebhookSubscription.objects.filter(pk=subscription.pk).update(url=url)
    invitation_create(membership=partner_a.admin, include_delegated_admin=True)
    return WebhookDelivery.objects.get(subscription=subscription)


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_a_non_public_address_is_refused_when_the_subscription_is_saved(partner_a, host):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        webhook_subscription_create(membership=partner_a.admin, url=f"https://{host}/hook", event_types=["invitation.created"])
    assert refused.value.field == "url" and refused.value.code == "invalid_url"
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("host", PUBLIC_HOSTS)
def test_a_public_address_is_accepted_when_the_subscription_is_saved(partner_a, host):  # type: ignore[no-untyped-def]
    assert webhook_subscription_create(membership=partner_a.admin, url=f"https://{host}/hook",
                                       event_types=["invitation.created"]).subscription.pk


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_a_non_public_address_is_refused_when_a_delivery_is_attempted(partner_a, host, connections):  # type: ignore[no-untyped-def]
    delivery = queued_delivery(partner_a, f"https://{host}/hook")
    assert webhook_deliver(delivery_id=delivery.pk).status in {"retry", "failed"}
    delivery.refresh_from_db()
    assert "public address" in delivery.last_error and delivery.response_status is None
    assert connections == []  # not even a TCP handshake


@pytest.mark.parametrize("address", RESOLVED_REFUSED)
def test_a_name_that_resolves_to_a_non_public_address_is_refused_at_delivery(partner_a, address, monkeypatch, connections):  # type: ignore[no-untyped-def]
    fake_dns(monkeypatch, {"hooks.example.com": [[address]]})
    delivery = queued_delivery(partner_a, "https://hooks.example.com/partnercenter")
    webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert "public address" in delivery.last_error and connections == []


def test_a_name_with_one_private_answer_among_public_ones_is_refused(partner_a, monkeypatch, connections):  # type: ignore[no-untyped-def]
    fake_dns(monkeypatch, {"hooks.example.com": [[PUBLIC_V4, "127.0.0.1"]]})
    delivery = queued_delivery(partner_a, "https://hooks.example.com/partnercenter")
    webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert "public address" in delivery.last_error and connections == []


def test_dns_rebinding_connects_to_the_checked_address_and_never_to_the_second_answer(partner_a, settings, monkeypatch, connections):  # type: ignore[no-untyped-def]
    """The resolver answers a public address first and 127.0.0.1 afterwards, where a receiver listens on
    the URL's port: the name is resolved once, the public address is dialled, loopback hears nothing."""
    settings.WEBHOOK_ALLOW_HTTP = True
    with webhook_receiver() as receiver:
        port = int(receiver.url.split(":")[2].split("/")[0])
        lookups = fake_dns(monkeypatch, {"rebind.example.com": [[PUBLIC_V4], ["127.0.0.1"]]})
        delivery = queued_delivery(partner_a, f"http://rebind.example.com:{port}/hooks/partnercenter")
        webhook_deliver(delivery_id=delivery.pk)
    assert receiver.requests == []
    assert lookups == ["rebind.example.com"]
    assert connections == [(PUBLIC_V4, port)]
    delivery.refresh_from_db()
    assert "ConnectionRefusedError" in delivery.last_error


def test_a_loopback_receiver_is_refused_unless_the_setting_allows_it(partner_a, settings, connections):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_HTTP = True
    with webhook_receiver() as receiver:
        delivery = queued_delivery(partner_a, receiver.url)
        webhook_deliver(delivery_id=delivery.pk)
        assert receiver.requests == [] and connections == []
        settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
        assert webhook_deliver(delivery_id=delivery.pk).status == "sent"
    assert len(receiver.successes) == 1


def test_https_goes_to_the_pinned_address_with_sni_host_and_certificate_of_the_name(partner_a, settings, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True  # the receiver is on loopback; the name is resolved by the fake DNS
    with tls_receiver(tmp_path, "hooks.example.com") as receiver:
        import ssl

        monkeypatch.setattr(webhook_transport, "tls_context", lambda: ssl.create_default_context(cafile=str(receiver.ca_file)))
        lookups = fake_dns(monkeypatch, {"hooks.example.com": [["127.0.0.1"], [PUBLIC_V4]],
                                         "other.example.com": [["127.0.0.1"]]})
        delivery = queued_delivery(partner_a, f"https://hooks.example.com:{receiver.port}/partnercenter")
        assert webhook_deliver(delivery_id=delivery.pk).status == "sent"
        assert lookups == ["hooks.example.com"]
        assert receiver.server_names == ["hooks.example.com"]
        assert receiver.hosts == [f"hooks.example.com:{receiver.port}"]

        # Same address, another name: the certificate is checked against the URL's name, and fails.
        wrong = queued_delivery(partner_a, f"https://other.example.com:{receiver.port}/partnercenter")
        webhook_deliver(delivery_id=wrong.pk)
        wrong.refresh_from_db()
        assert "CERTIFICATE_VERIFY_FAILED" in wrong.last_error and wrong.status != "sent"


def test_a_redirect_is_not_followed(partner_a, settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    with webhook_receiver(script=[307]) as receiver:
        delivery = queued_delivery(partner_a, receiver.url)
        webhook_deliver(delivery_id=delivery.pk)
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.response_status == 307 and delivery.last_error == "HTTP 307"


@pytest.mark.parametrize("url", ["https://[::127.0.0.1]/h", "https://2130706433/h", "https://0x7f.1/h",
                                 "https://[64:ff9b::a00:1]/h", "https://100.64.0.1/h", "https://[fe80::1%25eth0]/h"])
def test_the_settings_page_answers_a_refused_address_with_a_form_error(client, partner_a, url):  # type: ignore[no-untyped-def]
    from tests.factories import PASSWORD

    client.login(email=partner_a.admin.user.email, password=PASSWORD)
    response = client.post(f"/p/{partner_a.partner.partner_id}/settings/webhooks/",
                           {"url": url, "event_types": ["invitation.accepted"]})
    assert response.status_code in {200, 400}
    assert not WebhookSubscription.objects.exists()
