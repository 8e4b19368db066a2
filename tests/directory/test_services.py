"""Directory users and licenses: gated by the effective permission, bounded by the purchased quantity."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from customers.selectors import customer_actor
from directory.errors import DirectoryError
from directory.models import DirectoryUser, LicenseAssignment
from directory.services import directory_user_create, directory_user_disable, license_assign, license_remove
from partnercenter.errors import PermissionDeniedError
from partners.choices import PartnerRole
from relationships.services import grant_terminate
from subscriptions.errors import SubscriptionError
from subscriptions.services import subscription_change_quantity, subscription_provision, subscription_suspend
from tests.customer_services import (
    GLOBAL_READER,
    HELPDESK_ADMINISTRATOR,
    LICENSE_ADMINISTRATOR,
    USER_ADMINISTRATOR,
    grant_roles,
    member,
    relate,
)


def test_user_administrator_creates_and_disables_users(agent, customer_a, related):
    grant_roles(agent.partner, customer_a.customer, [USER_ADMINISTRATOR])
    user = directory_user_create(membership=agent, customer=customer_a.customer, display_name=" Ada ", user_principal_name="Ada@Northwind.example")
    assert (user.display_name, user.user_principal_name, user.status) == ("Ada", "ada@northwind.example", "active")
    directory_user_disable(membership=agent, user=user)
    with pytest.raises(DirectoryError) as error:
        directory_user_disable(membership=agent, user=user)
    assert error.value.code == "not_active"
    assert list(AuditEvent.objects.filter(target_type="directory.directoryuser").order_by("pk").values_list("action", flat=True)) == [
        "directory_user.created", "directory_user.disabled"]


@pytest.mark.parametrize(("upn", "code"), [("ada@elsewhere.example", "wrong_domain"), ("not-an-address", "wrong_domain"),
                                            ("P0@NORTHWIND.example", "upn_taken")])
def test_create_refuses_foreign_domain_and_taken_name(agent, customer_a, related, people, upn, code):
    grant_roles(agent.partner, customer_a.customer, [USER_ADMINISTRATOR])
    with pytest.raises(DirectoryError) as error:
        directory_user_create(membership=agent, customer=customer_a.customer, display_name="Ada", user_principal_name=upn)
    assert error.value.code == code and error.value.field == "user_principal_name"
    assert DirectoryUser.objects.count() == 3


@pytest.mark.parametrize("roles", [[HELPDESK_ADMINISTRATOR], [GLOBAL_READER], [LICENSE_ADMINISTRATOR]])
def test_read_only_and_license_roles_may_not_create_users(agent, customer_a, related, roles):
    grant_roles(agent.partner, customer_a.customer, roles)
    with pytest.raises(PermissionDeniedError) as error:
        directory_user_create(membership=agent, customer=customer_a.customer, display_name="Ada", user_principal_name="ada@northwind.example")
    assert error.value.code == "forbidden"
    assert not DirectoryUser.objects.exists()


def test_no_grant_means_no_directory_writes(agent, customer_a, related, people, seats):
    with pytest.raises(PermissionDeniedError) as error:
        license_assign(membership=agent, subscription=seats, user=people[0])
    assert error.value.code == "forbidden" and "has not granted" in error.value.message


def test_grant_assigned_to_another_partner_role_gives_nothing(agent, customer_a, related, people, seats):
    grant_roles(agent.partner, customer_a.customer, partner_role=PartnerRole.HELPDESK_AGENT)
    with pytest.raises(PermissionDeniedError):
        license_assign(membership=agent, subscription=seats, user=people[0])


def test_license_administrator_assigns_up_to_the_quantity_then_out_of_seats(agent, customer_a, related, people, seats):
    grant_roles(agent.partner, customer_a.customer, [LICENSE_ADMINISTRATOR])
    license_assign(membership=agent, subscription=seats, user=people[0])
    license_assign(membership=agent, subscription=seats, user=people[1])
    with pytest.raises(DirectoryError) as error:
        license_assign(membership=agent, subscription=seats, user=people[2])
    assert error.value.code == "out_of_seats" and "All 2 licenses" in error.value.message
    assert LicenseAssignment.objects.count() == 2
    subscription_change_quantity(subscription=seats, membership=agent, quantity=3)
    license_assign(membership=agent, subscription=seats, user=people[2])
    assert LicenseAssignment.objects.count() == 3


def test_quantity_cannot_drop_below_assigned_licenses(agent, customer_a, related, people, seats):
    grant_roles(agent.partner, customer_a.customer)
    license_assign(membership=agent, subscription=seats, user=people[0])
    license_assign(membership=agent, subscription=seats, user=people[1])
    with pytest.raises(SubscriptionError) as error:
        subscription_change_quantity(subscription=seats, membership=agent, quantity=1)
    assert error.value.code == "below_assigned"
    assignment = LicenseAssignment.objects.filter(directory_user=people[1]).get()
    license_remove(membership=agent, assignment=assignment)
    assert subscription_change_quantity(subscription=seats, membership=agent, quantity=1).quantity == 1


@pytest.mark.parametrize("case", ["twice", "suspended", "disabled", "no_licenses", "other_customer"])
def test_assign_refusals(agent, customer_a, customer_b, related, people, seats, case):
    grant_roles(agent.partner, customer_a.customer)
    subscription, user, code = seats, people[0], ""
    if case == "twice":
        license_assign(membership=agent, subscription=seats, user=user)
        code = "already_assigned"
    elif case == "suspended":
        subscription_suspend(subscription=seats, membership=agent)
        code = "subscription_suspended"
    elif case == "disabled":
        directory_user_disable(membership=agent, user=user)
        code = "user_disabled"
    elif case == "no_licenses":
        subscription = subscription_provision(membership=agent, customer=customer_a.customer, product_sku="cloud-platform", quantity=1)
        code = "not_licensable"
    else:
        relate(agent.partner, customer_b.customer)
        grant_roles(agent.partner, customer_b.customer)
        user = DirectoryUser.objects.create(customer=customer_b.customer, display_name="B", user_principal_name="b@tailspin.example")
        code = "not_found"
    before = LicenseAssignment.objects.count()
    with pytest.raises(DirectoryError) as error:
        license_assign(membership=agent, subscription=subscription, user=user)
    assert error.value.code == code
    assert LicenseAssignment.objects.count() == before


def test_another_partners_subscription_cannot_be_assigned(agent, partner_b, customer_a, related, people, seats):
    relate(partner_b.partner, customer_a.customer)
    other = member(partner_b.partner)
    grant_roles(partner_b.partner, customer_a.customer)
    with pytest.raises(DirectoryError) as error:
        license_assign(membership=other, subscription=seats, user=people[0])
    assert error.value.code == "not_found"


def test_disabling_a_user_releases_their_licenses(agent, customer_a, related, people, seats):
    grant_roles(agent.partner, customer_a.customer)
    license_assign(membership=agent, subscription=seats, user=people[0])
    directory_user_disable(membership=agent, user=people[0])
    assert not LicenseAssignment.objects.exists()
    assert AuditEvent.objects.filter(action="license.removed").count() == 1


def test_customer_removing_roles_stops_writes_at_once(agent, customer_a, related, people, seats):
    grant = grant_roles(agent.partner, customer_a.customer)
    license_assign(membership=agent, subscription=seats, user=people[0])
    grant_terminate(grant=grant, actor=customer_actor(user=customer_a.user, customer=customer_a.customer), reason="")
    with pytest.raises(PermissionDeniedError) as error:
        license_assign(membership=agent, subscription=seats, user=people[1])
    assert "removed your organisation" in error.value.message
