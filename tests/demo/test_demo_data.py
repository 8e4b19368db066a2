from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import User
from audit.models import AuditEvent
from customers.models import Customer
from notifications.models import OutboxMessage
from partners.models import Partner, PartnerMembership


def test_demo_data_builds_two_partners_in_different_countries_and_clouds(db, capsys):
    call_command("demo_data")
    partners = list(Partner.objects.order_by("partner_id"))
    assert len(partners) == 2
    assert {p.country.code for p in partners} == {"JP", "US"}
    assert {p.cloud for p in partners} == {"public", "us_gov"}
    for partner in partners:
        roles = {role for m in PartnerMembership.objects.filter(partner=partner) for role in m.roles}
        assert roles == {"account_admin", "admin_agent", "sales_agent", "helpdesk_agent", "billing_admin"}
    assert Customer.objects.filter(primary_domain__in=["northwind.example", "tailspin.example", "woodgrove-gov.example"]).count() == 3
    printed = capsys.readouterr().out
    assert "partnercenter-demo" in printed and "admin@contoso-cloud.example" in printed
    assert OutboxMessage.objects.filter(recipient="new.agent@contoso-cloud.example").count() == 1


def test_demo_data_is_idempotent(db):
    call_command("demo_data")
    counts = (User.objects.count(), PartnerMembership.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count())
    call_command("demo_data")
    assert counts == (User.objects.count(), PartnerMembership.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count())


def test_demo_data_gives_the_onboarding_funnel_something_to_show(db):
    from django.utils import timezone

    from invitations.funnel_selectors import (
        Period,
        grants_expiring,
        invitations_expiring_soon,
        onboarding_funnel,
        time_to_accept,
    )

    call_command("demo_data")
    contoso = Partner.objects.get(partner_id="4100001")
    now = timezone.now()
    period = Period(start=now - timezone.timedelta(days=90), end=now + timezone.timedelta(days=1))
    stages = {s.key: s.count for s in onboarding_funnel(partner=contoso, period=period)}
    assert stages["sent"] > stages["opened"] > stages["accepted"] > stages["admin_active"] > 0
    assert sum(1 for b in time_to_accept(partner=contoso, period=period).buckets if b.count) >= 4
    assert all(b.count for b in grants_expiring(partner=contoso))
    assert invitations_expiring_soon(partner=contoso).total >= 2
    assert contoso.domain_is_verified and not Partner.objects.get(partner_id="4200002").domain_is_verified


def test_demo_data_does_not_adopt_an_unverified_account_someone_signed_up_for_a_demo_address(db):
    """Issue 18: a stranger who signed up as a demo address first gets neither the demo's roles nor a verified address."""
    from allauth.account.models import EmailAddress

    from demo.data import build_demo_world
    from demo.users import DemoError
    from partners.models import PartnerMembership
    from tests.factories import UserFactory

    squatter = UserFactory(email="admin@contoso-cloud.example", verified=False)
    EmailAddress.objects.create(user=squatter, email=squatter.email, verified=False, primary=True)
    with pytest.raises(DemoError, match="not verified"):
        build_demo_world()
    assert not PartnerMembership.objects.filter(user=squatter).exists()
    assert not EmailAddress.objects.filter(user=squatter, verified=True).exists()
