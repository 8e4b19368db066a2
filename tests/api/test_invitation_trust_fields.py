"""The API shows partners the same verification code the customer sees, and when the link was first opened."""

from __future__ import annotations

from invitations.models import Invitation
from invitations.verification_codes import invitation_verification_code


def test_api_shows_the_same_verification_code_and_the_first_open(api_a, partner_a, client):
    from invitations.links import invitation_url

    created = api_a.post("/api/v1/invitations", {"include_delegated_admin": True}).json()
    invitation = Invitation.objects.get(pk=created["id"])
    assert created["verification_code"] == invitation_verification_code(invitation) and created["first_opened_at"] is None
    client.get("/" + invitation_url(invitation).split("://", 1)[1].split("/", 1)[1], follow=True)
    shown = api_a.get(f"/api/v1/invitations/{invitation.pk}").json()
    assert shown["first_opened_at"] is not None and shown["verification_code"] == created["verification_code"]
