from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _


class AcceptForm(forms.Form):
    """The customer's answer: which tenant (or a new one), and the agreement when needed."""

    tenant = forms.CharField(required=False)
    company_name = forms.CharField(label=_("Company name"), required=False, max_length=200)
    primary_domain = forms.CharField(label=_("Primary domain"), required=False, max_length=253)
    country = forms.CharField(label=_("Country or region"), required=False, max_length=2)
    signer_name = forms.CharField(label=_("Your name"), required=False, max_length=200)
    agreement_accepted = forms.BooleanField(label=_("I accept the customer agreement on behalf of my organisation"), required=False)

    def clean_tenant(self) -> str:
        """One of the user's tenants (its UUID), "new", or nothing (the page decides)."""
        value = self.cleaned_data["tenant"]
        if value in ("", "new"):
            return value
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise forms.ValidationError(_("Choose one of your tenants, or create a new one."), code="invalid_tenant") from None


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional, shown to the partner)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What happened? (optional, only platform staff read it)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
