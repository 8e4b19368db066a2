"""The bench's floors (bench/rungs.py) do what their labels in `make bench` say: the least
product-shaped request of each kind, through the product's own sessions, API keys, audit and outbox."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from bench import rungs
from bench.models import BenchWrite
from notifications.models import OutboxMessage
from partners.api_key_services import api_key_create
from partners.permissions import ApiScope
from tests.api.conftest import KeyClient
from tests.factories import CustomerFactory, RelationshipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urls")]


@pytest.fixture
def client_for():  # type: ignore[no-untyped-def]
    def _client(membership) -> KeyClient:  # type: ignore[no-untyped-def]
        issued = api_key_create(membership=membership, name="Bench", scopes=[scope.value for scope in ApiScope])
        return KeyClient(issued.token)

    return _client


@pytest.fixture
def looked_up_customer(monkeypatch):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(company_name="Floor Works", primary_domain="floor.example")
    monkeypatch.setattr(rungs, "LOOKUP_TENANT_ID", str(customer.tenant_id))
    return customer


def test_the_signed_in_page_floor_renders_the_row_in_the_acceptance_layout(client, customer_a, looked_up_customer):  # type: ignore[no-untyped-def]
    client.force_login(customer_a.user)

    response = client.get(reverse("bench_f3"))

    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["bench/floor_page.html", "invitations/accept_base.html"]
    assert "Floor Works" in response.content.decode()
    assert customer_a.user.email in response.content.decode()


def test_the_form_post_floor_refuses_a_post_without_its_csrf_token(customer_a):  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(customer_a.user)

    response = client.post(reverse("bench_f4"))

    assert response.status_code == 403
    assert not BenchWrite.objects.exists()


def test_the_form_post_floor_writes_a_row_an_audit_event_and_a_queued_email_in_one_go(client, customer_a):  # type: ignore[no-untyped-def]
    client.force_login(customer_a.user)

    response = client.post(reverse("bench_f4"))

    assert response.status_code == 302
    row = BenchWrite.objects.get()
    event = AuditEvent.objects.get(action=rungs.FLOOR_ACTION)
    assert (event.actor, event.target_id) == (customer_a.user, str(row.pk))
    email = OutboxMessage.objects.get(topic=f"bench:{row.pk}")
    assert email.recipient == customer_a.user.email


def test_the_api_write_floor_authenticates_the_key_and_audits_for_its_partner(partner_a, client_for):  # type: ignore[no-untyped-def]
    api = client_for(partner_a.admin)

    response = api.post(reverse("bench_f5"), {"note": "floor"})

    assert response.status_code == 201
    assert response.json()["note"] == "floor"
    event = AuditEvent.objects.get(action=rungs.FLOOR_ACTION)
    assert event.partner_id == partner_a.partner.pk
    assert OutboxMessage.objects.filter(topic=f"bench:{response.json()['id']}").count() == 1


def test_the_api_write_floor_answers_401_without_a_key_and_writes_nothing(db):  # type: ignore[no-untyped-def]
    response = KeyClient().post(reverse("bench_f5"), {"note": "floor"})

    assert response.status_code == 401
    assert not BenchWrite.objects.exists()


def test_the_api_list_floor_lists_only_the_keys_partner(partner_a, partner_b, client_for):  # type: ignore[no-untyped-def]
    mine = RelationshipFactory(partner=partner_a.partner)
    RelationshipFactory(partner=partner_b.partner)

    response = client_for(partner_a.admin).get(reverse("bench_f2"))

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_the_console_list_floor_shows_the_members_partner_rows_in_the_console(client, partner_a, partner_b):  # type: ignore[no-untyped-def]
    mine = RelationshipFactory(partner=partner_a.partner)
    theirs = RelationshipFactory(partner=partner_b.partner)
    client.force_login(partner_a.sales.user)

    response = client.get(reverse("bench_f2h", args=[partner_a.partner.partner_id]))

    assert response.status_code == 200
    assert "partners/console_base.html" in [t.name for t in response.templates]
    assert [row["id"] for row in response.context["rows"]] == [mine.pk]
    assert theirs.customer.company_name not in response.content.decode()
    assert client.get(reverse("bench_f2h", args=[partner_b.partner.partner_id])).status_code == 404
