"""Who gets which email: the one place that decides, per user and kind (issue 24, item 6).

Order: the person's own choice (NotificationPreference, in that partner or customer) → the
partner's default set by its account admins (PartnerNotificationDefault; partner users only) →
the kind's default (notifications.kinds). Every change is audited in its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from notifications.choices import NotificationAudience, NotificationDelivery
from notifications.kinds import KINDS, KindSpec, kind_spec
from notifications.models import NotificationPreference, PartnerNotificationDefault
from partnercenter.errors import DomainError

if TYPE_CHECKING:
    from collections.abc import Mapping


class NotificationPreferenceError(DomainError):
    pass


def _context_filter(audience: str, *, partner_id: int | None, customer_id: int | None) -> dict[str, Any]:
    if audience == NotificationAudience.PARTNER:
        if partner_id is None:
            raise ValueError("a partner user's notifications belong to a partner")
        return {"partner_id": partner_id, "customer_id": None}
    if customer_id is None:
        raise ValueError("a customer user's notifications belong to a customer")
    return {"customer_id": customer_id, "partner_id": None}


def notification_delivery_for(
    *, user: User, kind: str, audience: str, partner_id: int | None = None, customer_id: int | None = None
) -> str:
    """How `user` gets `kind` by email now (immediate, digest or off): one query."""
    spec = kind_spec(audience, kind)
    if spec is None:
        raise ValueError(f"{kind} is not a {audience} notification")
    where = _context_filter(audience, partner_id=partner_id, customer_id=customer_id)
    own = NotificationPreference.objects.filter(user_id=OuterRef("pk"), kind=kind, **where).values("delivery")[:1]
    annotations = {"own": Subquery(own)}
    if audience == NotificationAudience.PARTNER:
        annotations["default"] = Subquery(
            PartnerNotificationDefault.objects.filter(partner_id=where["partner_id"], kind=kind).values("delivery")[:1])
    row = User.objects.filter(pk=user.pk).annotate(**annotations).values(*annotations).first() or {}
    return row.get("own") or row.get("default") or spec.default.value


@dataclass(frozen=True)
class PreferenceRow:
    spec: KindSpec
    own: str  # "" = follows the default
    default: str  # the partner's default, or the kind's
    effective: str


def notification_preferences(
    *, user: User, audience: str, partner_id: int | None = None, customer_id: int | None = None
) -> list[PreferenceRow]:
    """Every kind of the audience with the person's choice, the default it falls back to, and the result (2 queries)."""
    where = _context_filter(audience, partner_id=partner_id, customer_id=customer_id)
    own = dict(NotificationPreference.objects.filter(user=user, **where).values_list("kind", "delivery"))
    defaults = partner_defaults(partner_id=partner_id) if audience == NotificationAudience.PARTNER else {}
    rows = []
    for spec in KINDS[audience]:
        default = defaults.get(spec.kind, spec.default.value)
        rows.append(PreferenceRow(spec=spec, own=own.get(spec.kind, ""), default=default,
                                  effective=own.get(spec.kind) or default))
    return rows


def partner_defaults(*, partner_id: int | None) -> dict[str, str]:
    """The partner's defaults per partner kind (the kind's own default where the partner set none)."""
    chosen = dict(PartnerNotificationDefault.objects.filter(partner_id=partner_id).values_list("kind", "delivery")
                  ) if partner_id is not None else {}
    return {spec.kind.value: chosen.get(spec.kind, spec.default.value) for spec in KINDS[NotificationAudience.PARTNER]}


def _clean(audience: str, choices: Mapping[str, str], *, allow_blank: bool) -> dict[str, str]:
    allowed = {spec.kind.value for spec in KINDS[audience]}
    cleaned = {}
    for kind, delivery in choices.items():
        if kind not in allowed:
            raise NotificationPreferenceError("unknown_kind", _("Unknown kind of notification."), field=kind)
        if delivery not in NotificationDelivery.values and not (allow_blank and delivery == ""):
            raise NotificationPreferenceError("unknown_delivery", _("Choose right away, daily digest or no email."),
                                              field=kind)
        cleaned[kind] = delivery
    return cleaned


@transaction.atomic
def notification_preferences_set(
    *, user: User, audience: str, choices: Mapping[str, str], partner_id: int | None = None, customer_id: int | None = None
) -> dict[str, str]:
    """Set the person's own choices (kind → immediate/digest/off, or "" to follow the default).

    Only the person themself calls this (the interfaces pass request.user). Kinds not in `choices`
    keep their setting. Audited (`notification_preferences.changed`, before/after) when anything
    changed; returns what changed.
    """
    cleaned = _clean(audience, choices, allow_blank=True)
    where = _context_filter(audience, partner_id=partner_id, customer_id=customer_id)
    current = dict(NotificationPreference.objects.select_for_update().filter(user=user, **where)
                   .values_list("kind", "delivery"))
    changed = {kind: delivery for kind, delivery in cleaned.items() if current.get(kind, "") != delivery}
    if not changed:
        return {}
    now = timezone.now()
    for kind, delivery in changed.items():
        if delivery == "":
            NotificationPreference.objects.filter(user=user, kind=kind, **where).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, **where, defaults={"delivery": delivery, "updated_at": now})
    audit_record(action=AuditAction.NOTIFICATION_PREFERENCES_CHANGED, actor=user, **where,
                 before={kind: current.get(kind, "") for kind in changed}, after=changed)
    return changed


@transaction.atomic
def partner_notification_defaults_apply(*, partner_id: int, choices: Mapping[str, str], actor: User) -> dict[str, str]:
    """Set the partner's defaults (kind → immediate/digest/off). The caller has authorized `actor`
    (partners.notification_defaults). Audited (`notification_defaults.changed`) when anything changed."""
    cleaned = _clean(NotificationAudience.PARTNER, choices, allow_blank=False)
    current = partner_defaults(partner_id=partner_id)
    changed = {kind: delivery for kind, delivery in cleaned.items() if current.get(kind) != delivery}
    if not changed:
        return {}
    now = timezone.now()
    for kind, delivery in changed.items():
        PartnerNotificationDefault.objects.update_or_create(
            partner_id=partner_id, kind=kind, defaults={"delivery": delivery, "updated_at": now})
    audit_record(action=AuditAction.NOTIFICATION_DEFAULTS_CHANGED, actor=actor, partner_id=partner_id,
                 before={kind: current.get(kind, "") for kind in changed}, after=changed)
    return changed
