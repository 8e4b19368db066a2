from __future__ import annotations

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
    assert Customer.objects.count() == 3
    printed = capsys.readouterr().out
    assert "partnercenter-demo" in printed and "admin@contoso-cloud.example" in printed
    assert OutboxMessage.objects.filter(recipient="new.agent@contoso-cloud.example").count() == 1


def test_demo_data_is_idempotent(db):
    call_command("demo_data")
    counts = (User.objects.count(), PartnerMembership.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count())
    call_command("demo_data")
    assert counts == (User.objects.count(), PartnerMembership.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count())
