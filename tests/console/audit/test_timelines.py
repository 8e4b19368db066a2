"""Per-object history (invitation draft page, a customer's expanded row) and the customer admin center's activity."""

from __future__ import annotations

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.actions import AuditAction
from customers.choices import CustomerRole
from invitations.create_services import invitation_create
from invitations.drafts import invitation_draft
from invitations.send_services import invitation_send
from notifications.choices import DeliveryStatus
from notifications.models import OutboxMessage
from tests.factories import (
    AuditEventFactory,
    CustomerMembershipFactory,
    DelegatedAdminGrantFactory,
    RelationshipFactory,
    UserFactory,
)


def draft_url(invitation) -> str:  # type: ignore[no-untyped-def]
    return reverse(
        "invitations:draft", kwargs={"partner_id": invitation.partner.partner_id, "invitation_pk": invitation.pk}
    )


def test_invitation_page_shows_its_history_with_email_delivery(client, partner_a):
    invitation = invitation_create(
        membership=partner_a.admin, include_delegated_admin=True, recipient_email="it@northwind.example"
    )
    subject, body = invitation_draft(invitation)
    invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body, recipient_email="")
    OutboxMessage.objects.filter(topic=f"invitation:{invitation.pk}").update(
        status=DeliveryStatus.FAILED, failed_at=timezone.now()
    )
    other = invitation_create(
        membership=partner_a.admin, include_delegated_admin=False, recipient_email="other@example.com"
    )
    client.force_login(partner_a.admin.user)
    response = client.get(draft_url(invitation))
    body = response.content.decode()
    history = body[body.index('id="history-heading"') :]
    assert "Invitation created" in history and "Invitation sent from the portal" in history
    assert "Failed" in history and "to it@northwind.example" in history
    assert "admin@contoso.example" in history
    assert "other@example.com" not in history
    assert other.pk != invitation.pk


def test_timeline_is_newest_first_in_a_constant_number_of_queries(client, partner_a):
    from console.templatetags.audit_tags import timeline_entries

    invitation = invitation_create(
        membership=partner_a.admin, include_delegated_admin=False, recipient_email="a@example.com"
    )
    with CaptureQueriesContext(connection) as few:
        timeline_entries([invitation])
    for n in range(30):
        AuditEventFactory(
            target_type="invitations.invitation",
            target_id=str(invitation.pk),
            action=AuditAction.INVITATION_REMINDED,
            target_label=f"reminder {n}",
        )
    with CaptureQueriesContext(connection) as many:
        entries = timeline_entries([invitation])
    assert len(many) == len(few) == 2  # events, deliveries
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)


def test_customer_page_shows_the_relationships_history(client, partner_a, customer_a):
    customer = customer_a.customer
    relationship = RelationshipFactory(partner=partner_a.partner, customer=customer)
    grant = DelegatedAdminGrantFactory(partner=partner_a.partner, customer=customer)
    AuditEventFactory(
        target_type="relationships.relationship",
        target_id=str(relationship.pk),
        partner=partner_a.partner,
        action=AuditAction.RELATIONSHIP_ESTABLISHED,
        actor_label="it@northwind.example",
        data={},
    )
    AuditEventFactory(
        target_type="relationships.delegatedadmingrant",
        target_id=str(grant.pk),
        partner=partner_a.partner,
        action=AuditAction.GRANT_APPROVED,
        actor_label="it@northwind.example",
        data={"after": {"status": "active"}},
    )
    other = RelationshipFactory(partner=partner_a.partner)
    AuditEventFactory(
        target_type="relationships.relationship", target_id=str(other.pk), action=AuditAction.RELATIONSHIP_TERMINATED
    )
    client.force_login(partner_a.sales.user)
    url = reverse(
        "relationships:customer", kwargs={"partner_id": partner_a.partner.partner_id, "tenant_id": customer.tenant_id}
    )
    body = client.get(url).content.decode()
    history = body[body.index('id="history-') :]
    assert "Relationship established" in history and "Delegated admin approved" in history
    assert "Relationship ended" not in history


# --- Customer admin center → Activity ------------------------------------------------------------------


def activity_url(customer) -> str:  # type: ignore[no-untyped-def]
    return reverse("customer_activity:list", kwargs={"tenant_id": customer.tenant_id})


def test_customer_activity_shows_its_own_events_partner_actions_included(client, customer_a, customer_b, partner_a):
    mine = customer_a.customer
    AuditEventFactory(
        customer=mine,
        partner=partner_a.partner,
        action=AuditAction.GRANT_TERMINATED,
        actor_label="agent@contoso.example",
        target_label="mine-grant",
        ip_address="203.0.113.77",
    )
    AuditEventFactory(customer=customer_b.customer, target_label="their-event")
    client.force_login(customer_a.user)
    overview = client.get(reverse("customers:overview", kwargs={"tenant_id": mine.tenant_id})).content.decode()
    assert f'href="{activity_url(mine)}"' in overview
    body = client.get(activity_url(mine)).content.decode()
    assert "mine-grant" in body and "agent@contoso.example" in body and partner_a.partner.name in body
    assert "their-event" not in body
    assert "203.0.113.77" in body  # a global admin sees IP addresses
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(
                        reverse("customer_activity:export", kwargs={"tenant_id": mine.tenant_id})
                    ).streaming_content
                ).decode("utf-8-sig")
            )
        )
    )
    assert [row[6] for row in rows[1:]] == ["mine-grant"]


def test_any_member_may_read_the_customer_activity_without_ip_addresses(client, customer_a):
    member = CustomerMembershipFactory(customer=customer_a.customer, user=UserFactory(), role=CustomerRole.USER)
    AuditEventFactory(customer=customer_a.customer, ip_address="203.0.113.78")
    client.force_login(member.user)
    response = client.get(activity_url(customer_a.customer))
    assert response.status_code == 200 and "203.0.113.78" not in response.content.decode()
    export = reverse("customer_activity:export", kwargs={"tenant_id": customer_a.customer.tenant_id})
    assert client.get(export).status_code == 403


def test_non_members_get_404(client, customer_a, customer_b, partner_a):
    client.force_login(customer_b.user)
    assert client.get(activity_url(customer_a.customer)).status_code == 404
    client.force_login(partner_a.admin.user)
    assert client.get(activity_url(customer_a.customer)).status_code == 404


def test_customer_activity_query_count_does_not_grow(client, customer_a, partner_a, partner_b):
    client.force_login(customer_a.user)
    AuditEventFactory(customer=customer_a.customer, partner=partner_a.partner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(activity_url(customer_a.customer)).status_code == 200
        return len(captured)

    before = queries()
    AuditEventFactory.create_batch(30, customer=customer_a.customer, partner=partner_a.partner)
    AuditEventFactory.create_batch(30, customer=customer_a.customer, partner=partner_b.partner)
    assert queries() == before
