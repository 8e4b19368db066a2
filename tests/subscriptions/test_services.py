"""Subscriptions: provision, change quantity, suspend, reactivate, support contact — and every refusal."""

from __future__ import annotations

import pytest
from django.http import Http404

from audit.models import AuditEvent
from customers.selectors import customer_actor
from notifications.models import WebhookDelivery
from partnercenter.errors import PermissionDeniedError
from partners.webhook_services import webhook_subscription_create
from relationships.ending import relationship_terminate
from subscriptions.choices import SubscriptionStatus
from subscriptions.errors import SubscriptionError
from subscriptions.models import Subscription, SupportContact
from subscriptions.selectors import subscription_get_for_partner, subscriptions_for
from subscriptions.services import (
    subscription_change_quantity,
    subscription_provision,
    subscription_reactivate,
    subscription_suspend,
    support_contact_set,
)
from tests.customer_services import member, relate


def provision(agent, customer, sku="productivity-suite-business", quantity=5):  # type: ignore[no-untyped-def]
    return subscription_provision(membership=agent, customer=customer, product_sku=sku, quantity=quantity)


def actions(subscription) -> list[str]:  # type: ignore[no-untyped-def]
    return list(AuditEvent.objects.filter(target_type="subscriptions.subscription", target_id=str(subscription.pk))
                .order_by("pk").values_list("action", flat=True))


def test_lifecycle_is_audited_once_per_transition(agent, customer_a, related):
    subscription = provision(agent, customer_a.customer)
    assert (subscription.partner, subscription.status, subscription.quantity) == (agent.partner, "active", 5)
    subscription_change_quantity(subscription=subscription, membership=agent, quantity=8)
    subscription_change_quantity(subscription=subscription, membership=agent, quantity=8)  # no change: no event
    subscription_suspend(subscription=subscription, membership=agent)
    subscription_reactivate(subscription=subscription, membership=agent)
    subscription.refresh_from_db()
    assert (subscription.quantity, subscription.status, subscription.suspended_at) == (8, SubscriptionStatus.ACTIVE, None)
    assert actions(subscription) == ["subscription.provisioned", "subscription.quantity_changed",
                                     "subscription.suspended", "subscription.reactivated"]


def test_each_transition_raises_a_webhook_event(agent, partner_a, customer_a, related, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    webhook_subscription_create(membership=partner_a.admin, url="http://127.0.0.1:9/hook",
                                event_types=["subscription.provisioned", "subscription.suspended", "support_contact.assigned"])
    subscription = provision(agent, customer_a.customer)
    subscription_suspend(subscription=subscription, membership=agent)
    support_contact_set(subscription=subscription, membership=agent, contact=agent.user)
    assert sorted(WebhookDelivery.objects.values_list("event_type", flat=True)) == [
        "subscription.provisioned", "subscription.suspended", "support_contact.assigned"]


@pytest.mark.parametrize(("sku", "quantity", "code"), [
    ("no-such-product", 1, "unknown_product"),
    ("productivity-suite-business", 0, "invalid_quantity"),
    ("productivity-suite-business", 301, "invalid_quantity"),
    ("cloud-platform", 2, "invalid_quantity"),
])
def test_provision_refuses_bad_product_or_quantity(agent, customer_a, related, sku, quantity, code):
    with pytest.raises(SubscriptionError) as error:
        provision(agent, customer_a.customer, sku=sku, quantity=quantity)
    assert error.value.code == code and error.value.field in {"product", "quantity"}
    assert not Subscription.objects.exists() and not AuditEvent.objects.filter(action__startswith="subscription.").exists()


def test_provision_needs_an_active_relationship(agent, customer_a, customer_b, related):
    with pytest.raises(SubscriptionError) as error:
        provision(agent, customer_b.customer)
    assert error.value.code == "no_relationship"
    relationship_terminate(relationship=related, actor=customer_actor(user=customer_a.user, customer=customer_a.customer), reason="")
    with pytest.raises(SubscriptionError):
        provision(agent, customer_a.customer)
    assert not Subscription.objects.exists()


def test_helpdesk_and_account_admin_may_not_provision(helpdesk, partner_a, customer_a, related):
    for membership in (helpdesk, partner_a.admin):
        with pytest.raises(PermissionDeniedError) as error:
            provision(membership, customer_a.customer)
        assert error.value.code == "forbidden"


def test_sales_agent_may_provision(partner_a, customer_a, related):
    assert provision(partner_a.sales, customer_a.customer).created_by == partner_a.sales.user


def test_double_suspend_and_double_reactivate_are_refused(agent, customer_a, related):
    subscription = provision(agent, customer_a.customer)
    subscription_suspend(subscription=subscription, membership=agent)
    with pytest.raises(SubscriptionError) as error:
        subscription_suspend(subscription=subscription, membership=agent)
    assert error.value.code == "not_active"
    subscription_reactivate(subscription=subscription, membership=agent)
    with pytest.raises(SubscriptionError) as error:
        subscription_reactivate(subscription=subscription, membership=agent)
    assert error.value.code == "not_suspended"
    assert actions(subscription).count("subscription.suspended") == 1


def test_quantity_of_a_suspended_subscription_cannot_change(agent, customer_a, related):
    subscription = provision(agent, customer_a.customer)
    subscription_suspend(subscription=subscription, membership=agent)
    with pytest.raises(SubscriptionError) as error:
        subscription_change_quantity(subscription=subscription, membership=agent, quantity=9)
    assert error.value.code == "not_active"


def test_second_partner_cannot_see_or_touch_the_first_partners_subscriptions(agent, partner_b, customer_a, related):
    subscription = provision(agent, customer_a.customer)
    relate(partner_b.partner, customer_a.customer)  # multi-partner: Fabrikam resells to Northwind too
    other = member(partner_b.partner)
    assert list(subscriptions_for(partner=partner_b.partner, customer=customer_a.customer)) == []
    with pytest.raises(Http404):
        subscription_get_for_partner(partner=partner_b.partner, subscription_pk=subscription.pk)
    for action in (subscription_suspend, subscription_reactivate):
        with pytest.raises(SubscriptionError) as error:
            action(subscription=subscription, membership=other)
        assert error.value.code == "not_found"
    subscription.refresh_from_db()
    assert subscription.status == "active"


def test_support_contact_is_a_user_of_the_same_partner(agent, partner_a, partner_b, customer_a, related):
    subscription = provision(agent, customer_a.customer)
    with pytest.raises(SubscriptionError) as error:
        support_contact_set(subscription=subscription, membership=agent, contact=partner_b.admin.user)
    assert error.value.code == "not_partner_user"
    assert not SupportContact.objects.exists()
    support_contact_set(subscription=subscription, membership=agent, contact=partner_a.sales.user)
    support_contact_set(subscription=subscription, membership=agent, contact=partner_a.sales.user)  # unchanged: no event
    support_contact_set(subscription=subscription, membership=agent, contact=None)
    assert not SupportContact.objects.exists()
    assert actions(subscription)[1:] == ["support_contact.assigned", "support_contact.removed"]
