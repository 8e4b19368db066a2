from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from partnercenter.directory_roles import BUNDLES, CATALOG, DEFAULT_BUNDLE, MAX_DURATION_DAYS, MIN_DURATION_DAYS


def role_choices() -> list[tuple[str, str]]:
    return [(role.id, str(role.name)) for role in CATALOG]


class GrantRequestForm(forms.Form):
    """Ask an existing customer for admin roles (a `delegated_admin` invitation)."""

    customer = forms.ChoiceField(label=_("Customer"))
    bundle = forms.ChoiceField(
        label=_("Role bundle"), required=False,
        choices=[("", _("Custom selection"))] + [(key, str(label)) for key, (label, _roles) in BUNDLES.items()],
        initial=DEFAULT_BUNDLE,
    )
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, choices=role_choices, widget=forms.CheckboxSelectMultiple)
    duration_days = forms.IntegerField(label=_("Duration (days)"), initial=MAX_DURATION_DAYS)
    auto_extend = forms.BooleanField(label=_("Auto-extend by 180 days at the end"), required=False)
    recipient_email = forms.EmailField(label=_("Customer's email address (optional)"), required=False)
    language = forms.ChoiceField(label=_("Language of the email"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, customers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["customer"]).choices = customers

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        bundle = data.get("bundle")
        if bundle:
            data["roles"] = list(BUNDLES[bundle][1])
        if not data.get("roles"):
            self.add_error("roles", _("Choose a bundle or at least one role."))
        days = data.get("duration_days")
        if days is not None and not MIN_DURATION_DAYS <= days <= MAX_DURATION_DAYS:
            self.add_error("duration_days", _("The duration must be between 1 and 730 days."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
