"""Stored audit data in a person's words (issue 21, "Human text everywhere instead of data keys").

`AuditEvent.data` keeps codes (`include_delegated_admin`, `approval_pending`, ISO timestamps) so
that exports and webhooks stay exact; the pages show them through `field_label` and `value_words`,
in the active language:

- a key is named by the verbose name of the model field it comes from (`expires_at` → "expires
  at", `grant_id` → the `grant` field's "grant"), which the catalog translates; a few keys that
  are no model field have their own labels below;
- a choice code is its choice's label (`approval_pending` → "Approval pending"), `true`/`false`
  are Yes/No, and an ISO timestamp is a date and time in the page's format.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

CHOICE_APPS = frozenset({"invitations", "relationships", "customers", "partners", "servicerequests", "subscriptions",
                         "invitation_batches", "directory", "notifications"})

# Keys of audit data that are no model field's name.
EXTRA_LABELS: dict[str, Promise] = {
    "emailed_to": _("emailed to"),
    "roles": _("roles"),
    "grant_id": _("admin roles request"),
    "relationship_id": _("relationship"),
    "invitation_id": _("invitation"),
    "indirect_provider_id": _("indirect provider"),
    "accepted_on": _("accepted on"),
    "rows": _("rows"),
    "failed": _("failed"),
    "created": _("created"),
    "reported": _("reported"),
    "days_before": _("days before"),
    "assignments": _("access assignments"),
    "previous_secret_expires_at": _("previous secret expires at"),
    "type": _("type"),
    "reason": _("Reason"),
    "contact": _("support contact"),
    "product": _("product"),
    "member": _("member"),  # a security group's member (issue 23)
    # Kinds of notification, the keys of notification preference changes (notifications.choices.NotificationKind).
    "invitation_accepted": _("Invitation accepted"),
    "invitation_declined": _("Invitation declined"),
    "invitation_delivery_failed": _("Invitation email not delivered"),
    "grant_requested": _("New admin role requests"),
    "grant_expiring": _("Admin roles ending soon"),
    "service_request_updated": _("Service request updates"),
}


@lru_cache(maxsize=1)
def _field_labels() -> dict[str, Promise | str]:
    labels: dict[str, Promise | str] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and field.name not in labels and isinstance(field.verbose_name, Promise):
                labels[field.name] = field.verbose_name
                if field.is_relation:
                    labels.setdefault(f"{field.name}_id", field.verbose_name)
    return labels


@lru_cache(maxsize=1)
def _choice_labels() -> dict[str, Promise]:
    """Every choice code of the project's TextChoices fields with its (lazy) label."""
    labels: dict[str, Promise] = {}
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in CHOICE_APPS:
            continue
        for field in model._meta.get_fields():
            for code, label in getattr(field, "choices", None) or []:
                if isinstance(code, str) and isinstance(label, Promise) and code.islower():  # codes, not country codes
                    labels.setdefault(code, label)
    return labels


def field_label(key: str) -> str:
    label = EXTRA_LABELS.get(key) or _field_labels().get(key)
    return str(capfirst(str(label))) if label is not None else key.replace("_", " ")


def value_words(value: Any) -> str | None:
    """A stored scalar in words, or None when it has none (then it is shown as stored)."""
    if value is True:
        return str(_("Yes"))
    if value is False:
        return str(_("No"))
    if isinstance(value, str):
        if len(value) >= 19 and value[4:5] == "-" and "T" in value:
            moment = parse_datetime(value)
            if moment is not None:
                return formats.date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, "DATETIME_FORMAT")
        label = _choice_labels().get(value)
        if label is not None:
            return str(label)
    return None


def label_words(label: str) -> str:
    """A stored target label with its state code in words: "Northwind support (approval_pending)"
    → "Northwind support (Approval pending)" (models name themselves with their state code)."""
    if label.endswith(")") and " (" in label:
        head, _sep, code = label[:-1].rpartition(" (")
        words = _choice_labels().get(code)
        if words is not None:
            return f"{head} ({words})"
    return label
