"""How an audit event reads to a person: action in words, target type, before → after.

Shared by the activity pages, the timelines and the CSV exports, so all three say the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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


# Lookups that put a code found in event data (a role id, a role code, ...) into words, or answer
# None. Apps above audit own those catalogs and register a lookup in their AppConfig.ready()
# (audit imports none of them); the first lookup with an answer wins.
_CODE_LABEL_LOOKUPS: list[tuple[int, Callable[[str], str | None]]] = []


def register_code_label_lookup(lookup: Callable[[str], str | None], *, priority: int = 100) -> None:
    """Register `lookup` (idempotent); lower `priority` is asked first."""
    if all(existing is not lookup for _priority, existing in _CODE_LABEL_LOOKUPS):
        _CODE_LABEL_LOOKUPS.append((priority, lookup))
        _CODE_LABEL_LOOKUPS.sort(key=lambda item: item[0])


def _role_name(code: str) -> str | None:
    """A code (e.g. a directory role id or a partner role code) in words, or None if no catalog knows it."""
    for _priority, lookup in _CODE_LABEL_LOOKUPS:
        name = lookup(code)
        if name is not None:
            return name
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
    raw_before, raw_after = data.get("before"), data.get("after")
    before: dict[str, Any] = raw_before if isinstance(raw_before, dict) else {}
    after: dict[str, Any] = raw_after if isinstance(raw_after, dict) else {}
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
