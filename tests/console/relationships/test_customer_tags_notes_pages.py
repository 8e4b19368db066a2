"""Partner console: tags and notes on a customer's page, the tag filter, Customers → Tags, the export (issue 24, item 5)."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.choices import PartnerRole
from relationships.customer_notes import customer_note_add, customer_tags_set
from relationships.models import CustomerNote, CustomerTag, Relationship
from tests.factories import CustomerFactory, CustomerMembershipFactory, PartnerMembershipFactory

pytestmark = pytest.mark.django_db


def urls(tenant, customer) -> dict[str, str]:  # type: ignore[no-untyped-def]
    ids = {"partner_id": tenant.partner.partner_id, "tenant_id": customer.tenant_id}
    return {"page": reverse("relationships:customer", kwargs=ids), "tags": reverse("relationships:customer_tags_set", kwargs=ids),
            "note": reverse("relationships:customer_note_add", kwargs=ids),
            "list": reverse("relationships:customers", kwargs={"partner_id": tenant.partner.partner_id}),
            "manage": reverse("relationships:customer_tags", kwargs={"partner_id": tenant.partner.partner_id})}


@pytest.fixture
def two_customers(partner_a):  # type: ignore[no-untyped-def]
    customers = CustomerFactory.create_batch(2)
    return [Relationship.objects.create(partner=partner_a.partner, customer=c) for c in customers]


def test_a_member_tags_a_customer_and_filters_the_customers_page_by_the_tag(client, partner_a, two_customers) -> None:  # type: ignore[no-untyped-def]
    tagged, other = two_customers
    u = urls(partner_a, tagged.customer)
    client.force_login(partner_a.sales.user)
    response = client.post(u["tags"], {"tags": "VIP, Renewal Q3"})
    assert response.status_code == 302 and response["Location"].endswith("#tags")
    vip = CustomerTag.objects.get(name="VIP")
    page = client.get(u["list"], {"tag": vip.pk})
    assert [r.customer for r in page.context["page"].object_list] == [tagged.customer]
    body = page.content.decode()
    assert "Renewal Q3" in body and 'name="tag"' in body
    assert other.customer.company_name not in body
    assert client.get(u["list"], {"tag": "not-a-number"}).status_code == 200  # no filter, never a 500


def test_the_customers_page_query_count_does_not_grow_with_tagged_customers(client, partner_a) -> None:  # type: ignore[no-untyped-def]
    client.force_login(partner_a.sales.user)
    counts = []
    for n in (1, 40):
        for customer in CustomerFactory.create_batch(n):
            relationship = Relationship.objects.create(partner=partner_a.partner, customer=customer)
            customer_tags_set(actor=partner_a.sales, relationship=relationship, names=["VIP", f"Batch {n}"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(urls(partner_a, customer)["list"]).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_notes_show_who_wrote_them_and_only_the_author_or_an_account_admin_may_change_them(client, partner_a, two_customers) -> None:  # type: ignore[no-untyped-def]
    relationship = two_customers[0]
    u = urls(partner_a, relationship.customer)
    client.force_login(partner_a.sales.user)
    assert client.post(u["note"], {"body": "Renewal call on Friday"}).status_code == 302
    note = CustomerNote.objects.get()
    body = client.get(u["page"]).content.decode()
    assert "Renewal call on Friday" in body and "sales@contoso.example" in body and "Edit or delete" in body
    colleague = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.HELPDESK_AGENT])
    client.force_login(colleague.user)
    assert "Edit or delete" not in client.get(u["page"]).content.decode()
    note_url = reverse("relationships:customer_note", kwargs={"partner_id": partner_a.partner.partner_id,
                                                               "tenant_id": relationship.customer.tenant_id, "note_pk": note.pk})
    client.post(note_url, {"action": "edit", "body": "Hijacked"})
    assert CustomerNote.objects.get().body == "Renewal call on Friday"
    client.force_login(partner_a.admin.user)
    client.post(note_url, {"action": "edit", "body": "Renewal call moved to Monday"})
    assert CustomerNote.objects.get().body == "Renewal call moved to Monday"
    client.post(note_url, {"action": "delete"})
    assert not CustomerNote.objects.exists()


def test_another_partner_neither_sees_nor_reaches_the_tags_and_notes(client, partner_a, partner_b, two_customers) -> None:  # type: ignore[no-untyped-def]
    relationship = two_customers[0]
    customer_note_add(actor=partner_a.sales, relationship=relationship, body="Only Contoso knows")
    customer_tags_set(actor=partner_a.sales, relationship=relationship, names=["Contoso secret"])
    Relationship.objects.create(partner=partner_b.partner, customer=relationship.customer)
    client.force_login(partner_b.admin.user)
    body = client.get(urls(partner_b, relationship.customer)["page"]).content.decode()
    assert "Only Contoso knows" not in body and "Contoso secret" not in body
    note = CustomerNote.objects.get()
    foreign = reverse("relationships:customer_note", kwargs={"partner_id": partner_b.partner.partner_id,
                                                            "tenant_id": relationship.customer.tenant_id, "note_pk": note.pk})
    assert client.post(foreign, {"action": "delete"}).status_code == 404
    assert CustomerNote.objects.exists()
    tag = CustomerTag.objects.get()
    client.post(urls(partner_b, relationship.customer)["manage"], {"tag": tag.pk, "action": "delete"})
    assert CustomerTag.objects.filter(pk=tag.pk).exists()


def test_the_customer_never_sees_the_partners_tags_or_notes(client, partner_a, two_customers) -> None:  # type: ignore[no-untyped-def]
    relationship = two_customers[0]
    customer_note_add(actor=partner_a.sales, relationship=relationship, body="Internal: price sensitive")
    customer_tags_set(actor=partner_a.sales, relationship=relationship, names=["Price sensitive"])
    admin = CustomerMembershipFactory(customer=relationship.customer)
    client.force_login(admin.user)
    tenant = relationship.customer.tenant_id
    for url in (f"/c/{tenant}/", f"/c/{tenant}/partners/", f"/c/{tenant}/activity/", f"/c/{tenant}/activity/export.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"rice sensitive" not in body, url


def test_tags_are_renamed_and_deleted_in_the_manage_view_by_account_admins(client, partner_a, two_customers) -> None:  # type: ignore[no-untyped-def]
    (tag,) = customer_tags_set(actor=partner_a.sales, relationship=two_customers[0], names=["VIP"])
    u = urls(partner_a, two_customers[0].customer)
    client.force_login(partner_a.sales.user)
    assert client.get(u["manage"]).status_code == 403
    client.force_login(partner_a.admin.user)
    page = client.get(u["manage"]).content.decode()
    assert "VIP" in page and "1 customer" in page
    client.post(u["manage"], {"tag": tag.pk, "action": "rename", "name": "Gold"})
    assert CustomerTag.objects.get().name == "Gold"
    client.post(u["manage"], {"tag": tag.pk, "action": "delete"})
    assert not CustomerTag.objects.exists()


def test_the_export_has_the_tags_column_and_follows_the_tag_filter(client, partner_a, two_customers) -> None:  # type: ignore[no-untyped-def]
    (vip,) = customer_tags_set(actor=partner_a.sales, relationship=two_customers[0], names=["=VIP"])
    client.force_login(partner_a.sales.user)
    url = reverse("relationships:customers_export", kwargs={"partner_id": partner_a.partner.partner_id, "fmt": "csv"})
    text = b"".join(client.get(url, {"tag": vip.pk}).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-1] == "Tags"
    assert len(rows) == 2 and rows[1][0] == two_customers[0].customer.company_name
    assert rows[1][-1] == "'=VIP"  # formula-safe
    xlsx = client.get(url.replace(".csv", ".xlsx"), {"tag": vip.pk})
    assert xlsx.status_code == 200
