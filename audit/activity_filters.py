from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.actions import AuditAction
from audit.keyset import keyset_page
from audit.models import AuditEvent
from audit.selectors import ActivityFilters


class ActivityFilterForm(forms.Form):
    """The activity log's filters (GET). Choices for users and customers come from the tenant's own events."""

    date_from = forms.DateField(label=pgettext_lazy("date range", "From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=pgettext_lazy("date range", "To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.ChoiceField(label=_("User"), required=False)
    customer = forms.ChoiceField(label=_("Customer"), required=False)
    partner = forms.ChoiceField(label=_("Partner"), required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        actors: Iterable[str],
        customers: Iterable[tuple[str, str]] | None = None,
        partners: Iterable[tuple[str, str]] | None = None,
        customer_by_tenant_id: bool = False,
    ) -> None:
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["action"]).choices = [("", _("All actions")), *sorted(AuditAction.choices, key=lambda c: str(c[1]))]
        cast(forms.ChoiceField, self.fields["actor"]).choices = [("", _("All users")), *((label, label) for label in actors)]
        if customer_by_tenant_id:  # too many customers for a list: the tenant id is typed (or pasted)
            self.fields["customer"] = forms.UUIDField(label=_("Customer tenant ID"), required=False)
        elif customers is None:
            del self.fields["customer"]
        else:
            cast(forms.ChoiceField, self.fields["customer"]).choices = [("", _("All customers")), *customers]
        if partners is None:
            del self.fields["partner"]
        else:
            cast(forms.ChoiceField, self.fields["partner"]).choices = [("", _("All partners")), *partners]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> ActivityFilters:
        """The valid part of the input (an invalid field is ignored, and shown with its error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return ActivityFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
            action=data.get("action") or "",
            actor=data.get("actor") or "",
            customer_tenant_id=str(data.get("customer") or ""),
            partner_id=data.get("partner") or "",
        )


PAGE_SIZE = 50


def activity_context(request: HttpRequest, form: ActivityFilterForm, events: QuerySet[AuditEvent]) -> dict[str, Any]:
    """The page the request points at (keyset pagination: no OFFSET, no COUNT over the log)."""
    page = keyset_page(events, request.GET, page_size=PAGE_SIZE)
    return {"page": page, "filter_form": form, "querystring": page.filters_query, "filtered": bool(page.filters_query)}
