from __future__ import annotations

from django import template

from invitations.models import Invitation
from invitations.verification_codes import invitation_verification_code

register = template.Library()


@register.filter
def verification_code(invitation: Invitation) -> str:
    """The code the customer sees on the acceptance page of this invitation's current link."""
    return invitation_verification_code(invitation)
