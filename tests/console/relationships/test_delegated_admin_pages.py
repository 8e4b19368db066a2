"""Partner console → Delegated admin, the request for an existing customer, and the customer admin center."""

from __future__ import annotations

from django.urls import reverse

from customers.models import AgreementAcceptance
from invitations.choices import InvitationKind
from invitations.create_services import invitation_create
from invitations.links import invitation_url
from invitations.models import Invitation
from partnercenter.directory_roles import BUNDLES
from relationships.models import DelegatedAdminGrant, Relationship
from relationships.services import grant_approve
from tests.factories import CustomerMembershipFactory


def grants_url(tenant) -> str:  # type: ignore[no-untyped-def]
    return reverse("relationships:grants", kwargs={"partner_id": tenant.partner.partner_id})


def test_delegated_admin_page_permission_triad(client, partner_a, partner_b):
    assert client.get(grants_url(partner_a)).status_code == 302
    client.force_login(partner_b.admin.user)
    assert client.get(grants_url(partner_a)).status_code == 404
    client.force_login(partner_a.sales.user)
    assert client.get(grants_url(partner_a)).status_code == 200
    request_url = reverse("relationships:grant_request", kwargs={"partner_id": partner_a.partner.partner_id})
    assert client.get(request_url).status_code == 403  # sales agents take no admin actions


def test_list_highlights_grants_expiring_soon(client, partner_a, customer_a, pending_grant, agent):
    grant_approve(grant=pending_grant(duration_days=10), user=customer_a.user)
    client.force_login(agent.user)
    body = client.get(grants_url(partner_a)).content.decode()
    assert "text-bg-warning" in body and "days left" in body


def test_request_for_an_existing_customer_becomes_a_delegated_admin_invitation(client, partner_a, customer_a, related, agent):
    client.force_login(agent.user)
    url = reverse("relationships:grant_request", kwargs={"partner_id": partner_a.partner.partner_id})
    response = client.post(url, {"customer": str(customer_a.customer.tenant_id), "bundle": "helpdesk", "duration_days": "90",
                                 "language": "en"})
    invitation = Invitation.objects.get()
    assert response.status_code == 302 and "/draft/" in response.url
    assert invitation.kind == InvitationKind.DELEGATED_ADMIN
    assert invitation.requested_roles == list(BUNDLES["helpdesk"][1]) and invitation.grant_duration_days == 90
    assert invitation.target_domain == customer_a.customer.primary_domain


def test_request_refuses_auto_extend_with_global_administrator(client, partner_a, customer_a, related, agent):
    client.force_login(agent.user)
    url = reverse("relationships:grant_request", kwargs={"partner_id": partner_a.partner.partner_id})
    response = client.post(url, {"customer": str(customer_a.customer.tenant_id), "bundle": "full_admin", "duration_days": "90",
                                 "auto_extend": "on", "language": "en"})
    assert response.status_code == 200
    assert "Global Administrator" in response.content.decode()
    assert not Invitation.objects.exists()


def test_delegated_admin_invitation_goes_through_the_acceptance_page_without_a_second_relationship(
    client, partner_a, customer_a, related, agent, agreement
):
    AgreementAcceptance.objects.create(customer=customer_a.customer, agreement=agreement, acceptor_kind="customer_user",
                                       signer_name="x", signer_email="x@example.com")
    invitation = invitation_create(membership=agent, include_delegated_admin=True, kind=InvitationKind.DELEGATED_ADMIN,
                                   customer=customer_a.customer, roles=list(BUNDLES["helpdesk"][1]), duration_days=60)
    client.force_login(customer_a.user)
    response = client.get("/" + invitation_url(invitation).split("://", 1)[1].split("/", 1)[1])
    client.get(response.url)
    response = client.post("/r/", {"action": "accept", "tenant": str(customer_a.customer.tenant_id)})
    assert response.status_code == 200
    assert Relationship.objects.filter(partner=partner_a.partner, customer=customer_a.customer).count() == 1
    grant = DelegatedAdminGrant.objects.get(requested_by_invitation=invitation)
    assert grant.status == "approval_pending" and grant.duration_days == 60


def test_customer_admin_center_approves_and_others_may_only_look(client, customer_a, pending_grant):
    grant = pending_grant()
    url = reverse("customers:partners", kwargs={"tenant_id": customer_a.customer.tenant_id})
    reader = CustomerMembershipFactory(customer=customer_a.customer, role="user")
    client.force_login(reader.user)
    page = client.get(url).content.decode()
    assert "only a global admin" in page
    assert client.post(url, {"action": "approve", "grant": grant.pk}).status_code == 403
    client.force_login(customer_a.user)
    client.post(url, {"action": "approve", "grant": grant.pk})
    grant.refresh_from_db()
    assert grant.status == "active"
    client.post(url, {"action": "terminate", "grant": grant.pk})
    grant.refresh_from_db()
    assert grant.status == "terminated"


def test_customer_admin_center_of_another_tenant_answers_404(client, customer_a, customer_b):
    client.force_login(customer_b.user)
    assert client.get(reverse("customers:partners", kwargs={"tenant_id": customer_a.customer.tenant_id})).status_code == 404
