"""How an audit event reads to a person: action in words, target type, before → after.

Shared by the activity pages, the timelines and the CSV exports, so all three say the same thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from audit.actions import AuditAction
from audit.wording import field_label, value_words

# Keys of `AuditEvent.data` that are not before/after but say why or how.
DETAIL_LABELS = {
    "reason": _("Reason"),
    "by": _("By"),
}
BY_LABELS = {
    "staff": _("Platform staff"),
    "partner": _("Partner"),
    "customer": _("Customer"),
}


def action_labels() -> dict[str, str]:
    """Every known code with its label in the active language (resolved once, e.g. for a CSV)."""
    return {code: str(label) for code, label in AuditAction.choices}


def target_type_label(target_type: str) -> str:
    """`invitations.invitation` → "Invitation" (the model's translated verbose name)."""
    if not target_type:
        return ""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return target_type
    return str(capfirst(model._meta.verbose_name))


def target_type_labels() -> dict[str, str]:
    return {model._meta.label_lower: str(capfirst(model._meta.verbose_name)) for model in apps.get_models()}


def _role_name(code: str) -> str | None:
    """A directory role id or a partner role code in words, or None if it is neither."""
    from partners.choices import PartnerRole
    from relationships.roles import BY_ID

    if code in BY_ID:
        return str(BY_ID[code].name)
    if code in PartnerRole.values:
        return str(PartnerRole(code).label)
    return None


def short_value(value: Any) -> str:
    if value is None:
        return "—"
    if (words := value_words(value)) is not None:  # Yes/No, a choice's label, a date and time
        return words
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        names = [_role_name(item) for item in value]
        return ", ".join(name or item for name, item in zip(names, value, strict=True)) if value else "—"
    if isinstance(value, dict) and all(isinstance(item, list) for item in value.values()):
        return "; ".join(f"{_role_name(key) or key}: {short_value(item)}" for key, item in value.items())
    return json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)


@dataclass(frozen=True)
class Change:
    """One field: `before` and `after` are "" when the field was not there (created or removed)."""

    field: str
    before: str
    after: str

    @property
    def is_change(self) -> bool:
        return bool(self.before) and bool(self.after)


@dataclass(frozen=True)
class Detail:
    label: str
    value: str


def changes(data: dict[str, Any] | None) -> list[Change]:
    """Field by field, what the event changed: `{"before": {...}, "after": {...}}` side by side."""
    data = data or {}
    before = data.get("before") if isinstance(data.get("before"), dict) else {}
    after = data.get("after") if isinstance(data.get("after"), dict) else {}
    fields = list(before) + [key for key in after if key not in before]
    return [
        Change(
            field=field_label(str(key)),
            before=short_value(before[key]) if key in before else "",
            after=short_value(after[key]) if key in after else "",
        )
        for key in fields
    ]


def details(data: dict[str, Any] | None) -> list[Detail]:
    """Everything in `data` that is not before/after (the reason, who acted, ...)."""
    result = []
    for key, value in (data or {}).items():
        if key in ("before", "after"):
            continue
        shown = str(BY_LABELS[value]) if key == "by" and value in BY_LABELS else short_value(value)
        result.append(Detail(label=str(DETAIL_LABELS[key]) if key in DETAIL_LABELS else field_label(key), value=shown))
    return result


def data_json(data: dict[str, Any] | None) -> str:
    return json.dumps(data or {}, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)
