"""Partner settings → Users and roles: the permission triad, invitations and role edits."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from partners.choices import PartnerRole, PartnerUserInvitationStatus
from partners.models import PartnerMembership, PartnerUserInvitation


def users_url(tenant) -> str:  # type: ignore[no-untyped-def]
    return reverse("partners:users", kwargs={"partner_id": tenant.partner.partner_id})


def test_anonymous_visitor_is_sent_to_sign_in(client, partner_a):
    response = client.get(users_url(partner_a))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_user_of_another_partner_gets_404(client, partner_a, partner_b):
    client.force_login(partner_b.admin.user)
    assert client.get(users_url(partner_a)).status_code == 404
    assert client.post(users_url(partner_a), {"email": "x@example.com", "roles": ["sales_agent"], "language": "en"}).status_code == 404
    assert not PartnerUserInvitation.objects.exists()


def test_partner_user_without_account_admin_role_gets_403(client, partner_a):
    client.force_login(partner_a.sales.user)
    assert client.get(users_url(partner_a)).status_code == 403
    response = client.post(users_url(partner_a), {"email": "x@example.com", "roles": ["sales_agent"], "language": "en"})
    assert response.status_code == 403
    assert not PartnerUserInvitation.objects.exists()


def test_account_admin_sees_users_and_roles(client, partner_a):
    client.force_login(partner_a.admin.user)
    response = client.get(users_url(partner_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "admin@contoso.example" in body
    assert "sales@contoso.example" in body


def test_account_admin_invites_a_user_who_is_emailed_a_link(client, partner_a, django_capture_on_commit_callbacks):
    client.force_login(partner_a.admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            users_url(partner_a), {"email": "New.Agent@Contoso.example", "roles": ["admin_agent"], "language": "en"}
        )
    assert response.status_code == 302
    invitation = PartnerUserInvitation.objects.get()
    assert invitation.email == "new.agent@contoso.example"
    assert invitation.roles == ["admin_agent"]
    assert invitation.status == PartnerUserInvitationStatus.PENDING
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.agent@contoso.example"]
    assert "/join/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="partner_user.invited", partner=partner_a.partner).count() == 1


def test_invite_form_shows_errors_and_changes_nothing(client, partner_a):
    client.force_login(partner_a.admin.user)
    response = client.post(users_url(partner_a), {"email": "not-an-email", "language": "en"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"email", "roles"}
    response = client.post(users_url(partner_a), {"email": "sales@contoso.example", "roles": ["admin_agent"], "language": "en"})
    assert "already a user of this partner" in response.content.decode()
    assert not PartnerUserInvitation.objects.exists()


def test_second_invitation_for_the_same_email_is_refused(client, partner_a):
    client.force_login(partner_a.admin.user)
    data = {"email": "twice@example.com", "roles": ["sales_agent"], "language": "en"}
    client.post(users_url(partner_a), data)
    response = client.post(users_url(partner_a), data)
    assert "pending invitation" in response.content.decode()
    assert PartnerUserInvitation.objects.count() == 1


def test_account_admin_changes_roles_and_the_change_is_audited(client, partner_a):
    client.force_login(partner_a.admin.user)
    url = reverse("partners:user_roles", kwargs={"partner_id": partner_a.partner.partner_id, "membership_pk": partner_a.sales.pk})
    response = client.post(url, {"roles": ["sales_agent", "helpdesk_agent"]})
    assert response.status_code == 302
    partner_a.sales.refresh_from_db()
    assert partner_a.sales.roles == ["sales_agent", "helpdesk_agent"]
    event = AuditEvent.objects.get(action="partner_user.roles_changed")
    assert event.data == {"before": {"roles": ["sales_agent"]}, "after": {"roles": ["sales_agent", "helpdesk_agent"]}}
    assert event.actor == partner_a.admin.user


def test_editing_another_partners_membership_answers_404(client, partner_a, partner_b):
    client.force_login(partner_a.admin.user)
    url = reverse("partners:user_roles", kwargs={"partner_id": partner_a.partner.partner_id, "membership_pk": partner_b.sales.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"roles": ["account_admin"]}).status_code == 404
    partner_b.sales.refresh_from_db()
    assert partner_b.sales.roles == ["sales_agent"]


def test_the_last_account_admin_cannot_drop_the_role(client, partner_a):
    client.force_login(partner_a.admin.user)
    url = reverse("partners:user_roles", kwargs={"partner_id": partner_a.partner.partner_id, "membership_pk": partner_a.admin.pk})
    response = client.post(url, {"roles": ["sales_agent"]})
    assert response.status_code == 200
    assert "at least one account admin" in response.content.decode()
    partner_a.admin.refresh_from_db()
    assert partner_a.admin.roles == [PartnerRole.ACCOUNT_ADMIN]


def test_account_admin_removes_a_user_after_confirming(client, partner_a):
    client.force_login(partner_a.admin.user)
    url = reverse("partners:user_remove", kwargs={"partner_id": partner_a.partner.partner_id, "membership_pk": partner_a.sales.pk})
    assert "will lose access" in client.get(url).content.decode()
    assert PartnerMembership.objects.filter(pk=partner_a.sales.pk).exists()  # GET changed nothing
    client.post(url)
    assert not PartnerMembership.objects.filter(pk=partner_a.sales.pk).exists()
    assert AuditEvent.objects.filter(action="partner_user.removed").count() == 1


@pytest.mark.parametrize("action", ["resend", "cancel"])
def test_invitation_actions_of_another_partner_answer_404(client, partner_a, partner_b, action):
    from partners.services import partner_user_invite

    issued = partner_user_invite(partner=partner_b.partner, email="x@example.com", roles=["sales_agent"], invited_by=partner_b.admin)
    client.force_login(partner_a.admin.user)
    url = reverse(f"partners:user_invitation_{action}", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": issued.invitation.pk})
    assert client.post(url).status_code == 404
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == PartnerUserInvitationStatus.PENDING
