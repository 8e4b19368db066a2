"""Partner settings → Defaults (issue 24, item 7): account admins set what new delegated admin
requests start from, and the reply-to address and signature of invitation emails."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from console.mixins import PartnerConsoleMixin
from console.relationships_forms import role_choices
from partnercenter.directory_roles import BUNDLES, BY_ID, CATALOG
from partnercenter.errors import DomainError
from partners.defaults_services import MAX_SIGNATURE, PartnerDefaults, defaults_initial, partner_defaults_update
from partners.permissions import PartnerPermission


class PartnerDefaultsForm(forms.Form):
    bundle = forms.ChoiceField(label=gettext_lazy("Role bundle"), required=False,
                               choices=[("", gettext_lazy("Custom selection"))] + [(key, str(label)) for key, (label, _r) in BUNDLES.items()])
    roles = forms.MultipleChoiceField(label=gettext_lazy("Roles"), required=False, choices=role_choices, widget=forms.CheckboxSelectMultiple)
    duration_days = forms.IntegerField(label=gettext_lazy("Duration (days)"), min_value=1, max_value=730)
    auto_extend = forms.BooleanField(label=gettext_lazy("Auto-extend by 180 days at the end"), required=False)
    reply_to = forms.EmailField(label=gettext_lazy("Reply-to address"), required=False, max_length=254)
    signature = forms.CharField(label=gettext_lazy("Signature"), required=False, max_length=MAX_SIGNATURE,
                                widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("bundle"):
            data["roles"] = list(BUNDLES[data["bundle"]][1])
        if not data.get("roles"):
            self.add_error("roles", _("Choose a bundle or at least one role."))
        return data


class PartnerDefaultsView(PartnerConsoleMixin, FormView):
    template_name = "partners/defaults.html"
    form_class = PartnerDefaultsForm
    permission = PartnerPermission.MANAGE_PARTNER_DEFAULTS
    nav_section = "defaults"

    def get_initial(self) -> dict[str, Any]:
        return {**defaults_initial(self.partner), "reply_to": self.partner.invitation_reply_to,
                "signature": self.partner.invitation_signature}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["catalog"] = CATALOG
        context["bundles"] = [(key, label, [str(BY_ID[r].name) for r in roles]) for key, (label, roles) in BUNDLES.items()]
        return context

    def form_valid(self, form: PartnerDefaultsForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            changed = partner_defaults_update(actor=self.membership, partner=self.partner, defaults=PartnerDefaults(
                roles=data["roles"], duration_days=data["duration_days"], auto_extend=data["auto_extend"],
                reply_to=data["reply_to"], signature=data["signature"]))
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        if changed:
            messages.success(self.request, _("Defaults saved. New requests and invitation emails use them from now on."))
        else:
            messages.info(self.request, _("Nothing changed."))
        return redirect("partners:defaults", partner_id=self.partner.partner_id)
