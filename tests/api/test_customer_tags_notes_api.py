"""/api/v1: a partner's private tags and notes on its customers (issue 24, item 5)."""

from __future__ import annotations

import pytest

from relationships.customer_notes import customer_note_add, customer_tags_set
from relationships.models import CustomerNote, Relationship
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def relationships(partner_a):  # type: ignore[no-untyped-def]
    return [Relationship.objects.create(partner=partner_a.partner, customer=c) for c in CustomerFactory.create_batch(2)]


def test_tags_are_set_shown_on_the_customer_and_filter_the_list(api_a, relationships) -> None:  # type: ignore[no-untyped-def]
    tagged = relationships[0].customer
    response = api_a.put(f"/api/v1/customers/{tagged.tenant_id}/tags", {"tags": ["VIP", "Renewal Q3"]}, format="json")
    assert response.status_code == 200 and response.json() == {"tags": ["Renewal Q3", "VIP"]}
    assert api_a.get(f"/api/v1/customers/{tagged.tenant_id}").json()["tags"] == ["Renewal Q3", "VIP"]
    assert api_a.get(f"/api/v1/customers/{tagged.tenant_id}/tags").json() == {"tags": ["Renewal Q3", "VIP"]}
    listed = api_a.get("/api/v1/customers", {"tag": "vip"}).json()["results"]
    assert [row["tenant_id"] for row in listed] == [str(tagged.tenant_id)] and listed[0]["tags"] == ["Renewal Q3", "VIP"]
    assert api_a.get("/api/v1/customers", {"tag": "unknown"}).json()["results"] == []
    tags = api_a.get("/api/v1/customer-tags").json()
    assert [(t["name"], t["customer_count"]) for t in tags] == [("Renewal Q3", 1), ("VIP", 1)]


def test_a_bad_tag_list_is_a_clear_400(api_a, relationships) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/customers/{relationships[0].customer.tenant_id}/tags"
    for body in ({"tags": [""]}, {"tags": ["x" * 51]}, {"tags": "VIP"}, {}):
        assert api_a.put(url, body, format="json").status_code == 400, body


def test_notes_are_written_listed_edited_and_deleted_by_their_author_key(api_a, relationships) -> None:  # type: ignore[no-untyped-def]
    base = f"/api/v1/customers/{relationships[0].customer.tenant_id}/notes"
    created = api_a.post(base, {"body": "Asked for a quote"})
    assert created.status_code == 201
    note = created.json()
    assert note["body"] == "Asked for a quote" and note["author"] and note["created_at"]
    assert [n["id"] for n in api_a.get(base).json()] == [note["id"]]
    patched = api_a.patch(f"{base}/{note['id']}", {"body": "Quote sent"}, format="json")
    assert patched.status_code == 200 and patched.json()["body"] == "Quote sent"
    assert api_a.delete(f"{base}/{note['id']}").status_code == 204
    assert not CustomerNote.objects.exists()


def test_a_key_cannot_change_a_note_someone_else_wrote_unless_it_acts_as_an_account_admin(partner_a, client_for, relationships) -> None:  # type: ignore[no-untyped-def]
    note = customer_note_add(actor=partner_a.sales, relationship=relationships[0], body="Sales' own note")
    url = f"/api/v1/customers/{relationships[0].customer.tenant_id}/notes/{note.pk}"
    writer = client_for(partner_a.admin, ["customers:write"])  # a sales-agent actor
    assert writer.patch(url, {"body": "x"}, format="json").status_code == 403
    admin_like = client_for(partner_a.admin, ["customers:write", "webhooks:manage"])  # holds account admin
    assert admin_like.patch(url, {"body": "Reviewed"}, format="json").status_code == 200
    # A note written through the API belongs to the integration: another key with customers:write may change it.
    base = f"/api/v1/customers/{relationships[0].customer.tenant_id}/notes"
    written = client_for(partner_a.admin, ["customers:write"]).post(base, {"body": "From the CRM"}).json()
    assert writer.delete(f"{base}/{written['id']}").status_code == 204


def test_other_partners_tags_notes_and_customers_answer_404_or_nothing(api_b, partner_a, relationships) -> None:  # type: ignore[no-untyped-def]
    relationship = relationships[0]
    customer_tags_set(actor=partner_a.sales, relationship=relationship, names=["Contoso only"])
    note = customer_note_add(actor=partner_a.sales, relationship=relationship, body="Contoso only")
    tenant = relationship.customer.tenant_id
    assert api_b.get(f"/api/v1/customers/{tenant}/notes").status_code == 404
    assert api_b.get(f"/api/v1/customers/{tenant}/tags").status_code == 404
    assert api_b.patch(f"/api/v1/customers/{tenant}/notes/{note.pk}", {"body": "x"}, format="json").status_code == 404
    assert api_b.get("/api/v1/customer-tags").json() == []
    assert api_b.get("/api/v1/customers", {"tag": "Contoso only"}).json()["results"] == []


def test_read_scopes_cannot_write_tags_or_notes(partner_a, client_for, relationships) -> None:  # type: ignore[no-untyped-def]
    reader = client_for(partner_a.admin, ["customers:read"])
    tenant = relationships[0].customer.tenant_id
    assert reader.put(f"/api/v1/customers/{tenant}/tags", {"tags": ["VIP"]}, format="json").status_code == 403
    assert reader.post(f"/api/v1/customers/{tenant}/notes", {"body": "x"}).status_code == 403
    assert reader.get(f"/api/v1/customers/{tenant}/notes").status_code == 200
