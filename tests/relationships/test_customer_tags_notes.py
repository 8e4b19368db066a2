"""A partner's private tags and notes on its customers (issue 24, item 5): services and selectors."""

from __future__ import annotations

import pytest

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.selectors import audit_events_for_customer
from partnercenter.errors import DomainError, PermissionDeniedError
from partners.authz import TargetNotFoundError
from partners.choices import PartnerRole
from relationships.customer_note_selectors import (
    customer_notes_for,
    customer_tag_names,
    customer_tags_for_partner,
    tags_by_customer,
)
from relationships.customer_notes import (
    customer_note_add,
    customer_note_delete,
    customer_note_edit,
    customer_tag_delete,
    customer_tag_rename,
    customer_tags_set,
)
from relationships.models import CustomerNote, CustomerTag, Relationship
from relationships.selectors import customer_count_for_partner, customer_list_for_partner
from tests.factories import CustomerFactory, PartnerMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def relationship_a(partner_a, customer_a) -> Relationship:  # type: ignore[no-untyped-def]
    return Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)


def test_tagging_a_customer_creates_the_missing_tags_once_ignoring_case_and_records_before_and_after(partner_a, relationship_a) -> None:  # type: ignore[no-untyped-def]
    tags = customer_tags_set(actor=partner_a.sales, relationship=relationship_a, names=["VIP", " renewal  Q3 ", "vip"])
    assert [t.name for t in tags] == ["renewal Q3", "VIP"]
    again = customer_tags_set(actor=partner_a.admin, relationship=relationship_a, names=["Vip", "Renewal q3"])
    assert {t.pk for t in again} == {t.pk for t in tags}  # the same tags: names match ignoring case
    assert CustomerTag.objects.filter(partner=partner_a.partner).count() == 2
    changed = AuditEvent.objects.filter(action=AuditAction.CUSTOMER_TAGS_CHANGED)
    assert changed.count() == 1  # the second call changed nothing
    event = changed.get()
    assert event.data["before"] == {"tags": []} and event.data["after"] == {"tags": ["VIP", "renewal Q3"]}
    assert event.partner_id == partner_a.partner.pk and event.customer_id is None


def test_removing_a_tag_from_a_customer_keeps_the_tag_for_others(partner_a, relationship_a) -> None:  # type: ignore[no-untyped-def]
    other = Relationship.objects.create(partner=partner_a.partner, customer=CustomerFactory())
    customer_tags_set(actor=partner_a.sales, relationship=relationship_a, names=["VIP"])
    customer_tags_set(actor=partner_a.sales, relationship=other, names=["VIP"])
    customer_tags_set(actor=partner_a.sales, relationship=relationship_a, names=[])
    assert tags_by_customer(partner=partner_a.partner, customer_ids=[relationship_a.customer_id, other.customer_id]) == {
        other.customer_id: ["VIP"]}


def test_the_customers_list_filters_by_tag_and_counts_the_same(partner_a, relationship_a) -> None:  # type: ignore[no-untyped-def]
    Relationship.objects.create(partner=partner_a.partner, customer=CustomerFactory())
    (vip,) = customer_tags_set(actor=partner_a.sales, relationship=relationship_a, names=["VIP"])
    rows = list(customer_list_for_partner(partner=partner_a.partner, tag=vip.pk))
    assert [r.customer_id for r in rows] == [relationship_a.customer_id]
    assert customer_count_for_partner(partner=partner_a.partner, tag=vip.pk) == 1
    assert customer_count_for_partner(partner=partner_a.partner) == 2
    names = {r.customer_id: r.tag_names for r in customer_list_for_partner(partner=partner_a.partner)
             .annotate(tag_names=customer_tag_names(partner=partner_a.partner))}
    assert names[relationship_a.customer_id] == "VIP"


def test_another_partners_tag_filters_to_nothing_and_cannot_be_renamed(partner_a, partner_b, relationship_a) -> None:  # type: ignore[no-untyped-def]
    Relationship.objects.create(partner=partner_b.partner, customer=relationship_a.customer)
    (theirs,) = customer_tags_set(actor=partner_b.admin, relationship=Relationship.objects.get(partner=partner_b.partner),
                                  names=["Theirs"])
    assert customer_count_for_partner(partner=partner_a.partner, tag=theirs.pk) == 0
    assert tags_by_customer(partner=partner_a.partner, customer_ids=[relationship_a.customer_id]) == {}
    with pytest.raises(TargetNotFoundError):
        customer_tag_rename(actor=partner_a.admin, tag=theirs, name="Mine")
    with pytest.raises(TargetNotFoundError):
        customer_tags_set(actor=partner_a.admin, relationship=Relationship.objects.get(partner=partner_b.partner), names=["x"])


def test_renaming_and_deleting_tags_is_for_account_admins_and_admin_agents(partner_a, relationship_a) -> None:  # type: ignore[no-untyped-def]
    (tag,) = customer_tags_set(actor=partner_a.sales, relationship=relationship_a, names=["VIP"])
    with pytest.raises(PermissionDeniedError):
        customer_tag_rename(actor=partner_a.sales, tag=tag, name="Gold")
    agent = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.ADMIN_AGENT])
    assert customer_tag_rename(actor=agent, tag=tag, name="Gold").name == "Gold"
    customer_tags_set(actor=partner_a.sales, relationship=relationship_a, names=["Gold", "Silver"])
    with pytest.raises(DomainError) as taken:
        customer_tag_rename(actor=partner_a.admin, tag=tag, name="silver")
    assert taken.value.code == "tag_exists"
    customer_tag_delete(actor=partner_a.admin, tag=tag)
    assert [t.name for t in customer_tags_for_partner(partner=partner_a.partner)] == ["Silver"]
    deleted = AuditEvent.objects.get(action=AuditAction.CUSTOMER_TAG_DELETED)
    assert deleted.data["before"] == {"name": "Gold"} and deleted.data["customers"] == 1


def test_a_tag_name_must_be_short_and_not_empty(partner_a, relationship_a) -> None:  # type: ignore[no-untyped-def]
    for bad in ["", "   ", "x" * 51, "a\x00b"]:
        with pytest.raises(DomainError) as error:
            customer_tags_set(actor=partner_a.sales, relationship=relationship_a, names=[bad])
        assert error.value.code == "invalid_tag"
    with pytest.raises(DomainError):
        customer_tags_set(actor=partner_a.sales, relationship=relationship_a, names=[f"t{n}" for n in range(21)])


def test_a_note_records_who_wrote_it_and_when_and_only_its_author_or_an_account_admin_changes_it(partner_a, relationship_a) -> None:  # type: ignore[no-untyped-def]
    note = customer_note_add(actor=partner_a.sales, relationship=relationship_a, body="  Prefers calls after 10am.  ")
    assert note.body == "Prefers calls after 10am." and note.author == partner_a.sales.user
    assert note.author_label == "sales@contoso.example" and not note.edited
    colleague = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.SALES_AGENT])
    with pytest.raises(PermissionDeniedError):
        customer_note_edit(actor=colleague, note=note, body="Rewritten")
    with pytest.raises(PermissionDeniedError):
        customer_note_delete(actor=colleague, note=note)
    edited = customer_note_edit(actor=partner_a.sales, note=note, body="Prefers calls after 11am.")
    assert edited.edited
    customer_note_edit(actor=partner_a.admin, note=note, body="Call the IT lead.")
    history = AuditEvent.objects.filter(action=AuditAction.CUSTOMER_NOTE_EDITED).order_by("pk")
    assert [(e.data["before"]["note"], e.data["after"]["note"]) for e in history] == [
        ("Prefers calls after 10am.", "Prefers calls after 11am."), ("Prefers calls after 11am.", "Call the IT lead.")]
    customer_note_delete(actor=partner_a.admin, note=note)
    assert not CustomerNote.objects.exists()
    assert AuditEvent.objects.get(action=AuditAction.CUSTOMER_NOTE_DELETED).data["before"]["note"] == "Call the IT lead."


def test_notes_and_tags_never_reach_the_customers_activity_nor_another_partner(partner_a, partner_b, relationship_a) -> None:  # type: ignore[no-untyped-def]
    customer_note_add(actor=partner_a.sales, relationship=relationship_a, body="Secret pricing")
    customer_tags_set(actor=partner_a.sales, relationship=relationship_a, names=["Churn risk"])
    assert not audit_events_for_customer(customer=relationship_a.customer).exists()
    assert not customer_notes_for(partner=partner_b.partner, customer=relationship_a.customer).exists()
    note = CustomerNote.objects.get()
    with pytest.raises(TargetNotFoundError):
        customer_note_edit(actor=partner_b.admin, note=note, body="x")


def test_an_empty_or_too_long_note_is_refused(partner_a, relationship_a) -> None:  # type: ignore[no-untyped-def]
    for bad in ["", "  ", "x" * 5001]:
        with pytest.raises(DomainError) as error:
            customer_note_add(actor=partner_a.sales, relationship=relationship_a, body=bad)
        assert error.value.code == "invalid_note"


def test_tag_and_note_changes_reach_the_partners_own_webhooks_with_the_customer_named(partner_a, relationship_a, settings) -> None:  # type: ignore[no-untyped-def]
    import json

    from notifications.models import WebhookDelivery
    from partners.webhook_services import webhook_subscription_create

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    webhook_subscription_create(membership=partner_a.admin, url="http://127.0.0.1:9/hook",
                                event_types=["customer.tags_changed", "customer_note.added"])
    customer_tags_set(actor=partner_a.sales, relationship=relationship_a, names=["VIP"])
    customer_note_add(actor=partner_a.sales, relationship=relationship_a, body="Call Friday")
    bodies = [json.loads(d.body) for d in WebhookDelivery.objects.order_by("pk")]
    assert [b["type"] for b in bodies] == ["customer.tags_changed", "customer_note.added"]
    assert all(b["data"]["customer"]["tenant_id"] == str(relationship_a.customer.tenant_id) for b in bodies)
    assert bodies[0]["data"]["after"] == {"tags": ["VIP"]}
