"""Mailbox flooding bounded (issue 18): invitation emails per invitation and per recipient per day.

Every invitation email a partner causes (created with `send_email`, sent from the portal, resent,
the funnel's one-click resend, bulk rows, the API and Graph: all through invitations.create_services and invitations.send_services)
counts one use of two limits, in the transaction that queues it:

- INVITATION_EMAILS_PER_INVITATION in all for one invitation (the first send and the resends);
- INVITATION_EMAILS_PER_RECIPIENT_PER_DAY for one address across every partner, per UTC day.

Both are counter rows of the one limiter (ratelimits.services.limit_consume): an atomic upsert
whose row stays locked until the sending transaction ends, so parallel resends cannot pass a cap,
and a refused send raises, which rolls back everything (no new link, no email, no count).
The address is counted under a keyed hash of its normalised form (lower case, "+tag" dropped),
never in clear. Reminders sent by beat (once per link and threshold) are not counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from invitations.errors import InvitationError
from partnercenter.tokens import token_hash
from ratelimits.rates import Rate
from ratelimits.services import limit_consume, limits_consume

if TYPE_CHECKING:
    from invitations.models import Invitation
    from ratelimits.services import LimitDecision

DAY_SECONDS = 86400


def partner_invitations_bucket(partner_id: int) -> str:
    """The counter of invitations a partner created today (INVITATION_DAILY_CAP, per UTC day)."""
    return f"invitations-created:partner:{partner_id}"


def partner_invitations_rate() -> Rate:
    return Rate(settings.INVITATION_DAILY_CAP, DAY_SECONDS)


def partner_invitation_count(*, partner_id: int, count: int = 1) -> None:
    """Count one invitation (or `count`) created by the partner today, or raise `daily_cap` (API 429).

    Called under the partner lock in the creating transaction: a refused or failed create rolls
    the count back with everything else.
    """
    _daily_cap_check(limit_consume(bucket=partner_invitations_bucket(partner_id), rate=partner_invitations_rate(), cost=count))


def _daily_cap_check(decision: LimitDecision) -> None:
    if not decision.allowed:
        error = InvitationError("daily_cap", _("Your organisation reached its daily limit of invitations. Try again tomorrow."))
        error.retry_after = decision.retry_after  # type: ignore[attr-defined]
        raise error


def partner_invitation_and_email_count(*, partner_id: int, invitation: Invitation, recipient: str) -> None:
    """`partner_invitation_count` and then `invitation_email_count` for an invitation emailed as it is
    created, in one statement: the same counters, in the same order, and the same refusals (the daily
    cap first). The invitation's id must be known (reserved before its INSERT)."""
    decisions = limits_consume(uses=[(partner_invitations_bucket(partner_id), partner_invitations_rate()),
                                     *_email_uses(invitation=invitation, recipient=recipient)])
    _daily_cap_check(decisions[0])
    _email_refusals_check(decisions[1:], recipient=recipient)


def normalised_recipient(address: str) -> str:
    """The mailbox an address reaches, for counting: lower case, without a "+tag" in the local part."""
    local, _at, domain = address.strip().lower().rpartition("@")
    if not _at:
        return address.strip().lower()
    return f"{local.split('+', 1)[0]}@{domain}"


def recipient_bucket(address: str) -> str:
    return f"invitation-emails:recipient:{token_hash('recipient:' + normalised_recipient(address))}"


def invitation_email_count(*, invitation: Invitation, recipient: str) -> None:
    """Count one email of `invitation` to `recipient` (one statement for both counters), or raise:
    nothing is sent and nothing changes, since the caller's transaction rolls back.

    `send_limit` (API 409): this invitation reached its emails in all.
    `recipient_daily_cap` (API 429 with Retry-After): the address reached its emails for today.
    """
    uses = _email_uses(invitation=invitation, recipient=recipient)
    _email_refusals_check(limits_consume(uses=uses) if uses else [], recipient=recipient)


def _email_refusals_check(decisions: list[LimitDecision], *, recipient: str) -> None:
    per_invitation, per_day = settings.INVITATION_EMAILS_PER_INVITATION, settings.INVITATION_EMAILS_PER_RECIPIENT_PER_DAY
    for decision in decisions:
        if decision.allowed:
            continue
        if decision.refused_by.startswith("invitation-emails:invitation:"):
            raise InvitationError("send_limit", _(
                "This invitation was already emailed %(limit)s times, the most for one invitation; nothing was sent. "
                "Copy its link from the draft page and send it yourself, or cancel it and create a new one."
            ) % {"limit": per_invitation})
        error = InvitationError("recipient_daily_cap", _(
            "%(email)s has received the most invitation emails allowed in one day (%(limit)s, from all partners); "
            "nothing was sent. Try again tomorrow."
        ) % {"email": recipient, "limit": per_day})
        error.retry_after = decision.retry_after  # type: ignore[attr-defined]
        raise error


def _email_uses(*, invitation: Invitation, recipient: str) -> list[tuple[str, Rate]]:
    """The counters one email of `invitation` to `recipient` uses: the invitation's, the address's today."""
    uses: list[tuple[str, Rate]] = []
    per_invitation, per_day = settings.INVITATION_EMAILS_PER_INVITATION, settings.INVITATION_EMAILS_PER_RECIPIENT_PER_DAY
    if per_invitation:  # 0: no limit
        uses.append((f"invitation-emails:invitation:{invitation.pk}", Rate(per_invitation, None)))
    if per_day:
        uses.append((recipient_bucket(recipient), Rate(per_day, DAY_SECONDS)))
    return uses


def invitation_emails_count(*, sends: list[tuple[Invitation, str]]) -> bool:
    """`invitation_email_count` for the first emails of many new invitations, in one statement.

    True when every email fits under both limits. False when one would be refused, or when two of
    them reach the same mailbox (their counters are one row): then the caller rolls back and sends
    them one at a time, so each refusal is that email's alone.
    """
    uses = [use for invitation, recipient in sends for use in _email_uses(invitation=invitation, recipient=recipient)]
    if len({bucket for bucket, _rate in uses}) != len(uses):
        return False
    uses.sort(key=lambda use: use[0])  # one fixed locking order
    return all(decision.allowed for decision in limits_consume(uses=uses)) if uses else True
