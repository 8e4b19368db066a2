"""Invitation and reusable-link URLs: issuing a link's token and building the URL that carries it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy

from invitations.models import Invitation, RelationshipLink
from invitations.tokens import derive_token, derived_hash, new_nonce
from partners.clouds import portal_for

if TYPE_CHECKING:
    pass


LINK_MARKER = "[[invitation-link]]"


INVALID_LINK_MESSAGE = gettext_lazy("This link is not valid.")


def link_issue(obj: Invitation | RelationshipLink, purpose: str) -> None:
    obj.token_nonce = new_nonce()
    obj.token_hash = derived_hash(purpose=purpose, row_id=obj.pk, nonce=obj.token_nonce)


def invitation_url(invitation: Invitation) -> str:
    token = derive_token(
        purpose="invitation", row_id=invitation.pk, nonce=invitation.token_nonce, stored_hash=invitation.token_hash
    )
    return portal_for(invitation.partner.cloud).base_url + reverse("invitation_open", kwargs={"token": token})


def relationship_link_url(link: RelationshipLink) -> str:
    token = derive_token(purpose="link", row_id=link.pk, nonce=link.token_nonce, stored_hash=link.token_hash)
    return portal_for(link.partner.cloud).base_url + reverse("invitation_open", kwargs={"token": token})
