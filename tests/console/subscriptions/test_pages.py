"""Partner console → a customer → Subscriptions: anonymous, wrong tenant, insufficient role, allowed."""

from __future__ import annotations

from django.urls import reverse

from subscriptions.models import Subscription, SupportContact
from subscriptions.services import subscription_provision
from tests.customer_services import member, relate


def url(partner, customer) -> str:  # type: ignore[no-untyped-def]
    return reverse("subscriptions:list", kwargs={"partner_id": partner.partner_id, "tenant_id": customer.tenant_id})


def test_anonymous_is_sent_to_sign_in(client, partner_a, customer_a, related):
    response = client.get(url(partner_a.partner, customer_a.customer))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_customer_without_relationship_answers_404(client, agent, partner_a, customer_b, related):
    client.force_login(agent.user)
    assert client.get(url(partner_a.partner, customer_b.customer)).status_code == 404


def test_agent_provisions_changes_quantity_assigns_contact_and_suspends(client, agent, partner_a, customer_a, related):
    client.force_login(agent.user)
    page = url(partner_a.partner, customer_a.customer)
    response = client.post(page, {"action": "provision", "product": "email-plan-1", "quantity": "3"}, follow=True)
    assert "Email Plan 1 (quantity 3) provisioned" in response.content.decode()
    subscription = Subscription.objects.get()
    client.post(page, {"action": "quantity", "subscription": subscription.pk, "quantity": "10"})
    client.post(page, {"action": "contact", "subscription": subscription.pk, "contact": partner_a.sales.user_id})
    client.post(page, {"action": "suspend", "subscription": subscription.pk})
    subscription.refresh_from_db()
    assert (subscription.quantity, subscription.status) == (10, "suspended")
    assert SupportContact.objects.get().user == partner_a.sales.user
    body = client.get(page).content.decode()
    assert "Reactivate" in body and partner_a.sales.user.email in body


def test_bad_quantity_shows_an_error_and_changes_nothing(client, agent, partner_a, customer_a, related):
    client.force_login(agent.user)
    response = client.post(url(partner_a.partner, customer_a.customer), {"action": "provision", "product": "email-plan-1", "quantity": "0"})
    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    response = client.post(url(partner_a.partner, customer_a.customer),
                           {"action": "provision", "product": "cloud-platform", "quantity": "4"}, follow=True)
    assert "between 1 and 1" in response.content.decode()
    assert not Subscription.objects.exists()


def test_helpdesk_sees_but_may_not_change(client, helpdesk, agent, partner_a, customer_a, related):
    subscription_provision(membership=agent, customer=customer_a.customer, product_sku="email-plan-1", quantity=2)
    client.force_login(helpdesk.user)
    page = url(partner_a.partner, customer_a.customer)
    body = client.get(page).content.decode()
    assert "Email Plan 1" in body and "Provision a subscription" not in body
    assert client.post(page, {"action": "suspend", "subscription": Subscription.objects.get().pk}).status_code == 403
    assert Subscription.objects.get().status == "active"


def test_another_partners_subscription_id_is_not_found(client, agent, partner_a, partner_b, customer_a, related):
    theirs_rel = relate(partner_b.partner, customer_a.customer)
    theirs = subscription_provision(membership=member(partner_b.partner), customer=theirs_rel.customer, product_sku="email-plan-1",
                                    quantity=2)
    client.force_login(agent.user)
    page = url(partner_a.partner, customer_a.customer)
    assert client.get(page).context["subscriptions"].count() == 0
    assert f'id="subscription-{theirs.pk}"' not in client.get(page).content.decode()
    assert client.post(page, {"action": "suspend", "subscription": theirs.pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "active"
