"""Partner settings → Defaults (issue 24, item 7): account admins only; the request forms open with them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.actions import AuditAction
from audit.models import AuditEvent
from partnercenter.directory_roles import BUNDLES
from partners.choices import PartnerRole
from partners.models import Partner
from relationships.models import Relationship
from tests.factories import PartnerMembershipFactory

pytestmark = pytest.mark.django_db


def url(tenant, name: str = "partners:defaults") -> str:  # type: ignore[no-untyped-def]
    return reverse(name, kwargs={"partner_id": tenant.partner.partner_id})


def test_an_account_admin_saves_the_defaults_and_the_activity_log_has_before_and_after(client, partner_a) -> None:  # type: ignore[no-untyped-def]
    client.force_login(partner_a.admin.user)
    page = client.get(url(partner_a))
    assert page.status_code == 200 and "Reply-to address" in page.content.decode()
    response = client.post(url(partner_a), {"bundle": "read_only", "duration_days": "90", "auto_extend": "on",
                                            "reply_to": "help@contoso.example", "signature": "Contoso support"})
    assert response.status_code == 302
    partner = Partner.objects.get(pk=partner_a.partner.pk)
    assert (partner.default_grant_roles, partner.default_grant_duration_days, partner.default_grant_auto_extend) == (
        list(BUNDLES["read_only"][1]), 90, True)
    assert (partner.invitation_reply_to, partner.invitation_signature) == ("help@contoso.example", "Contoso support")
    event = AuditEvent.objects.get(action=AuditAction.PARTNER_DEFAULTS_CHANGED)
    assert event.data["after"]["default_grant_duration_days"] == 90
    activity = client.get(reverse("audit:activity", kwargs={"partner_id": partner.partner_id})).content.decode()
    assert "Partner defaults changed" in activity


def test_invalid_defaults_show_the_error_next_to_the_field(client, partner_a) -> None:  # type: ignore[no-untyped-def]
    client.force_login(partner_a.admin.user)
    response = client.post(url(partner_a), {"bundle": "full_admin", "duration_days": "30", "auto_extend": "on", "reply_to": "",
                                            "signature": ""})
    assert response.status_code == 200
    assert "Auto-extend is not allowed while Global Administrator is among the roles." in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.PARTNER_DEFAULTS_CHANGED).exists()


@pytest.mark.parametrize("role", [PartnerRole.ADMIN_AGENT, PartnerRole.SALES_AGENT, PartnerRole.HELPDESK_AGENT, PartnerRole.BILLING_ADMIN])
def test_other_roles_get_403_and_no_menu_entry(client, partner_a, role) -> None:  # type: ignore[no-untyped-def]
    member = PartnerMembershipFactory(partner=partner_a.partner, roles=[role])
    client.force_login(member.user)
    assert client.get(url(partner_a)).status_code == 403
    assert client.post(url(partner_a), {"bundle": "helpdesk", "duration_days": "30"}).status_code == 403
    assert url(partner_a) not in client.get(url(partner_a, "relationships:customers")).content.decode()
    assert Partner.objects.get(pk=partner_a.partner.pk).default_grant_duration_days == 730


def test_another_partners_admin_gets_404(client, partner_a, partner_b) -> None:  # type: ignore[no-untyped-def]
    client.force_login(partner_b.admin.user)
    assert client.get(url(partner_a)).status_code == 404


def test_the_request_forms_open_with_the_partners_defaults(client, partner_a, customer_a) -> None:  # type: ignore[no-untyped-def]
    Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)
    Partner.objects.filter(pk=partner_a.partner.pk).update(default_grant_roles=list(BUNDLES["helpdesk"][1]),
                                                           default_grant_duration_days=120, default_grant_auto_extend=True)
    client.force_login(partner_a.admin.user)
    for name in ("relationships:grant_request", "invitation_batches:gdap_new"):
        form = client.get(url(partner_a, name)).context["form"]
        assert form["bundle"].value() == "helpdesk", name
        assert form["duration_days"].value() == 120 and form["auto_extend"].value() is True, name
