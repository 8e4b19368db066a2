"""The acceptance page and the accept POST in a fixed, small number of SQL statements (issue #9, P3/P4).

Pinned counts catch regressions: a per-tenant query, a re-read after the lock, an UPDATE on every
GET. The counts include the session and the signed-in user the middleware loads.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from customers.models import AgreementAcceptance, AgreementVersion
from customers.services import agreement_current
from invitations.choices import InvitationStatus
from invitations.models import Invitation
from relationships.models import Relationship
from tests.factories import CustomerFactory, CustomerMembershipFactory

REVIEW = "/r/"
# Issue 18 added one statement to each: the reusable-link lookup runs whatever the invitation lookup found, so
# unknown, expired and used tokens do the same work (tests/invitations/test_token_lookup_equal_work.py).
PAGE_STATEMENTS = 6  # was 11 + 1 per tenant: session, user, invitation with its partner and "does the viewer work for it?", the link lookup, agreement, tenants
ACCEPT_STATEMENTS = 19  # was 41, then 33, 25: acceptor checks ride on the lock, one agreement read, no pre-insert SELECT; the webhook subscriptions read once; the customer's email inserted without lookup or savepoint; the link lookup; issue 24 item 6: + 2 (28), the partner's notice and its preference read; issue 25: - 3, the partner's notice is sent after commit by a task of its own (invitations.partner_notices), - 3, the four audit events in one INSERT, - 2, the relationship inserted with ON CONFLICT DO NOTHING instead of inside a savepoint; - 1, the grant inserted under its usual name with ON CONFLICT DO NOTHING (the name check only when that name is taken)


def _writes(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]


def test_the_page_takes_the_same_few_statements_however_many_tenants_the_reviewer_administers(
    client, make_invitation, open_link, customer_a, agreement, django_assert_max_num_queries
):
    invitation = make_invitation()
    client.force_login(customer_a.user)
    open_link(invitation)  # the first open stamps the invitation
    with django_assert_max_num_queries(PAGE_STATEMENTS):
        one_tenant = client.get(REVIEW)
    for n in range(4):
        CustomerMembershipFactory(user=customer_a.user, customer=CustomerFactory(company_name=f"Extra {n}", country="JP"))
    AgreementAcceptance.objects.create(customer=customer_a.customer, agreement=agreement, acceptor_kind="customer_user",
                                       signer_name="x", signer_email="x@example.com")
    with django_assert_max_num_queries(PAGE_STATEMENTS):
        five_tenants = client.get(REVIEW)
    assert one_tenant.status_code == five_tenants.status_code == 200
    body = five_tenants.content.decode()
    assert all(f"Extra {n}" in body for n in range(4))
    assert "I accept the customer agreement" in body  # the four new tenants still have to accept it


def test_only_the_first_open_writes_and_later_opens_are_read_only(client, make_invitation, open_link, customer_a, agreement):
    invitation = make_invitation()
    client.force_login(customer_a.user)
    with CaptureQueriesContext(connection) as first:
        open_link(invitation)
    invitation.refresh_from_db()
    opened = invitation.first_opened_at
    assert opened is not None
    assert any("first_opened_at" in sql for sql in _writes(first.captured_queries))
    with CaptureQueriesContext(connection) as later:
        assert client.get(REVIEW).status_code == 200
    assert _writes(later.captured_queries) == []
    invitation.refresh_from_db()
    assert invitation.first_opened_at == opened


def test_the_country_list_of_a_new_tenant_preselects_the_partner_country(client, make_invitation, open_link, agreement):
    from tests.factories import UserFactory

    invitation = make_invitation()
    client.force_login(UserFactory(email="ada@northwind.example"))
    body = open_link(invitation).content.decode()
    assert '<option value="JP" selected>Japan</option>' in body
    assert '<option value="US">United States of America</option>' in body
    assert body.count(" selected>") == 1


def test_accepting_for_an_existing_tenant_takes_a_pinned_number_of_statements_and_writes_everything(
    client, make_invitation, open_link, customer_a, agreement, django_assert_num_queries, django_capture_on_commit_callbacks
):
    invitation = make_invitation()
    client.force_login(customer_a.user)
    open_link(invitation)
    with django_assert_num_queries(ACCEPT_STATEMENTS), django_capture_on_commit_callbacks() as callbacks:
        response = client.post(REVIEW, {"action": "accept", "tenant": str(customer_a.customer.tenant_id),
                                        "signer_name": "Ida", "agreement_accepted": "on"})
    assert response.status_code == 200, response.content.decode()[:2000]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.customer == customer_a.customer
    assert Relationship.objects.filter(partner=invitation.partner, customer=customer_a.customer, status="active").count() == 1
    assert AgreementAcceptance.objects.filter(customer=customer_a.customer).count() == 1
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"invitation.accepted", "relationship.established", "agreement.accepted", "grant.requested"} <= actions
    assert len(callbacks) == 2  # the partner's notice and the customer's confirmation are published after commit


def test_accepting_again_for_a_tenant_already_served_reuses_its_relationship(client, make_invitation, open_link, customer_a, agreement):
    existing = Relationship.objects.create(partner=make_invitation().partner, customer=customer_a.customer)
    AgreementAcceptance.objects.create(customer=customer_a.customer, agreement=agreement, acceptor_kind="customer_user",
                                       signer_name="x", signer_email="x@example.com")
    invitation = make_invitation()
    client.force_login(customer_a.user)
    open_link(invitation)
    response = client.post(REVIEW, {"action": "accept", "tenant": str(customer_a.customer.tenant_id)})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert list(Relationship.objects.filter(customer=customer_a.customer)) == [existing]
    assert not AuditEvent.objects.filter(action="relationship.established").exists()
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.ACCEPTED


def test_a_signer_name_without_ticking_the_agreement_is_refused_with_the_reason(client, make_invitation, open_link, customer_a, agreement):
    invitation = make_invitation()
    client.force_login(customer_a.user)
    open_link(invitation)
    response = client.post(REVIEW, {"action": "accept", "tenant": str(customer_a.customer.tenant_id), "signer_name": "Ida"})
    assert response.status_code == 400
    assert "Accept the customer agreement to continue." in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING
    assert not Relationship.objects.exists() and not AgreementAcceptance.objects.exists()


@pytest.mark.django_db
def test_the_current_agreement_is_read_in_one_statement_in_the_reader_language_else_english(django_assert_num_queries):
    now = timezone.now()
    AgreementVersion.objects.create(version="2025-01", language="en", title="Old", text="Old.", effective_at=now - timedelta(days=400))
    with django_assert_num_queries(1):
        assert agreement_current(language="ja").title == "Old"  # no Japanese text: English
    AgreementVersion.objects.create(version="2026-01", language="ja", title="新", text="新.", effective_at=now - timedelta(days=1))
    with django_assert_num_queries(1):
        assert agreement_current(language="en").title == "新"  # the current version has no English text: the current row
    AgreementVersion.objects.create(version="2026-01", language="en", title="New", text="New.", effective_at=now - timedelta(days=1))
    AgreementVersion.objects.create(version="2027-01", language="en", title="Future", text="Later.", effective_at=now + timedelta(days=9))
    with django_assert_num_queries(1):
        assert agreement_current(language="en").title == "New"
    assert agreement_current(language="ja").title == "新"


def test_a_partner_member_opening_its_own_reusable_link_is_told_it_cannot_accept(client, partner_a, agreement):
    from invitations.links import relationship_link_url
    from invitations.relationship_links import relationship_link_rotate

    link = relationship_link_rotate(membership=partner_a.admin, include_delegated_admin=False)
    client.force_login(partner_a.sales.user)
    client.get("/" + relationship_link_url(link).split("://", 1)[1].split("/", 1)[1])
    page = client.get(REVIEW).content.decode()
    assert "cannot accept its own invitation" in page
    assert 'name="tenant"' not in page


def test_a_partner_subscribed_to_every_acceptance_event_gets_each_delivery_with_its_subscriptions_read_once(
    client, make_invitation, open_link, customer_a, agreement, django_capture_on_commit_callbacks
):
    from notifications.models import WebhookDelivery, WebhookSubscription
    from tests.factories import WebhookSubscriptionFactory

    invitation = make_invitation()
    WebhookSubscriptionFactory(partner=invitation.partner,
                               event_types=["invitation.accepted", "relationship.established", "grant.requested"])
    client.force_login(customer_a.user)
    open_link(invitation)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(REVIEW, {"action": "accept", "tenant": str(customer_a.customer.tenant_id),
                                        "signer_name": "Ida", "agreement_accepted": "on"})
    assert response.status_code == 200, response.content.decode()[:2000]
    subscription_reads = [q for q in queries.captured_queries
                          if q["sql"].lstrip().startswith("SELECT") and WebhookSubscription._meta.db_table in q["sql"].split("WHERE")[0]]
    assert len(subscription_reads) == 1
    assert sorted(WebhookDelivery.objects.values_list("event_type", flat=True)) == [
        "grant.requested", "invitation.accepted", "relationship.established"]
    assert len(callbacks) == 2 + 3  # two emails and three deliveries are published after commit
