"""Partner console forms about customers: create a new customer, attest the agreement."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries


class CustomerCreateForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    primary_domain = forms.CharField(label=_("Primary domain"), max_length=253,
                                     help_text=_("The customer's own domain, e.g. northwind.example. Unique in your cloud."))
    country = forms.ChoiceField(label=_("Country or region"), help_text=_("Where the customer's tenant is registered: it must be in your market."))
    admin_email = forms.EmailField(label=_("First global admin's email"),
                                   help_text=_("This person receives the invitation; accepting it makes them the tenant's global admin."))
    include_delegated_admin = forms.BooleanField(label=_("Include delegated admin privileges"), required=False)
    language = forms.ChoiceField(label=_("Language of the email"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [("", _("Choose…")), *countries]


class AgreementAttestationForm(forms.Form):
    signer_name = forms.CharField(label=_("Name of the person who accepted"), max_length=200)
    signer_email = forms.EmailField(label=_("Their email"))
    accepted_on = forms.DateField(label=_("Date accepted"), widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("The day the customer accepted the agreement; not in the future."))
