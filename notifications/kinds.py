"""Which kinds of notification each audience can get, their default email, and how a notification
is worded (in the reader's language, from its stored parameters; never stored as text)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from notifications.choices import NotificationAudience, NotificationDelivery, NotificationKind


@dataclass(frozen=True)
class KindSpec:
    kind: NotificationKind
    help: Promise  # what it is about, on the preferences page
    title: Promise  # "%(name)s" placeholders filled from the notification's params
    default: NotificationDelivery = NotificationDelivery.IMMEDIATE


K = NotificationKind
PARTNER_KINDS: tuple[KindSpec, ...] = (
    KindSpec(K.INVITATION_ACCEPTED, _("A customer accepts one of your invitations."),
             _("%(customer)s accepted invitation #%(invitation)s")),
    KindSpec(K.INVITATION_DECLINED, _("A customer declines one of your invitations."),
             _("%(customer)s declined invitation #%(invitation)s")),
    KindSpec(K.INVITATION_DELIVERY_FAILED, _("An invitation email could not be delivered (bounced or refused)."),
             _("The email of invitation #%(invitation)s to %(recipient)s could not be delivered")),
    KindSpec(K.GRANT_EXPIRING, _("Admin roles you hold for a customer end soon."),
             _("Admin roles “%(display_name)s” for %(customer)s end in %(days)s days")),
    KindSpec(K.SERVICE_REQUEST_UPDATED, _("A customer answers one of your service requests."),
             _("%(customer)s added a note to service request %(number)s")),
)
CUSTOMER_KINDS: tuple[KindSpec, ...] = (
    KindSpec(K.GRANT_REQUESTED, _("A partner asks for admin roles in your tenant."),
             _("%(partner)s asks for admin roles “%(display_name)s”")),
    KindSpec(K.GRANT_EXPIRING, _("Admin roles a partner holds in your tenant end soon."),
             _("Admin roles “%(display_name)s” of %(partner)s end in %(days)s days")),
    KindSpec(K.SERVICE_REQUEST_UPDATED, _("A partner files or closes a service request for you."),
             _("%(partner)s: service request %(number)s %(event)s")),
)
KINDS: dict[str, tuple[KindSpec, ...]] = {
    NotificationAudience.PARTNER: PARTNER_KINDS,
    NotificationAudience.CUSTOMER: CUSTOMER_KINDS,
}
# Words for the params that are codes (e.g. a service request's event), in the reader's language.
EVENT_WORDS: dict[str, Promise] = {
    "created": _("was filed"),
    "closed": _("was closed"),
}


def kind_spec(audience: str, kind: str) -> KindSpec | None:
    return next((spec for spec in KINDS[audience] if spec.kind == kind), None)


def kinds_for(audience: str) -> list[str]:
    return [spec.kind.value for spec in KINDS[audience]]


def notification_title(*, audience: str, kind: str, params: dict[str, Any]) -> str:
    """The notification in the active language; a kind no longer known reads as its label."""
    spec = kind_spec(audience, kind)
    if spec is None:
        return str(NotificationKind(kind).label) if kind in NotificationKind.values else kind
    values = {name: str(EVENT_WORDS.get(value, value)) if name == "event" else value for name, value in params.items()}
    try:
        return str(spec.title) % values
    except (KeyError, TypeError, ValueError):
        return str(spec.kind.label)
