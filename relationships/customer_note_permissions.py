"""Who may edit or delete a customer note: its author, or an account admin of the partner.

Through /api/v1 the author is the partner's integration, not one key: a note written with an API key
may be changed by any key of the same partner holding customers:write (keys are rotated; a note
written by a person stays theirs and the account admins').

Services authorise with partners.authz.authorize(actor, Permission.EDIT_CUSTOMER_NOTE, note); the
condition registered below adds the authorship rule to the role table (every partner role may
write notes; only the author or an account admin may change one).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from partners.authz import Actor, ActorKind, Permission, register_condition
from partners.choices import PartnerRole
from partners.models import ApiKey


def note_edit_refusal(actor: Actor, note: Any) -> str | None:
    if note is None or PartnerRole.ACCOUNT_ADMIN in actor.roles:
        return None
    if actor.user is not None and note.author_id is not None and note.author_id == actor.user.pk:
        return None
    if (actor.kind == ActorKind.API_KEY and note.author_id is not None
            and ApiKey.objects.filter(user_id=note.author_id, partner_id=note.partner_id).exists()):
        return None
    return _("Only the note's author or an account admin can change it.")


register_condition(Permission.EDIT_CUSTOMER_NOTE, note_edit_refusal)
