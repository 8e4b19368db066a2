"""Partner settings → API keys: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from console.api_key_forms import ApiKeyCreateForm, scope_descriptions
from console.mixins import PartnerConsoleMixin
from partnercenter.errors import DomainError
from partnercenter.no_store import carries_secret
from partners.api_key_selectors import api_key_get_for_partner, api_key_list_for_partner
from partners.api_key_services import api_key_create, api_key_revoke
from partners.permissions import MANAGE_INTEGRATIONS


@carries_secret
class ApiKeysView(PartnerConsoleMixin, FormView):
    """The partner's keys and the form to create one. A created key's secret appears once, on
    the response to the POST itself (never stored, never in a redirect or the session)."""

    template_name = "partners/api_keys.html"
    form_class = ApiKeyCreateForm
    permission = MANAGE_INTEGRATIONS
    nav_section = "api_keys"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["api_keys"] = api_key_list_for_partner(partner=self.partner)
        context["scope_descriptions"] = scope_descriptions()
        return context

    def form_valid(self, form: ApiKeyCreateForm) -> HttpResponse:
        try:
            issued = api_key_create(
                membership=self.membership, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=self.form_class(), issued=issued))


class ApiKeyRevokeView(PartnerConsoleMixin, View):
    permission = MANAGE_INTEGRATIONS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        api_key = api_key_get_for_partner(partner=self.partner, api_key_pk=self.kwargs["api_key_pk"])
        try:
            api_key_revoke(api_key=api_key, membership=self.membership)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("API key “%(name)s” revoked: it no longer works.") % {"name": api_key.name})
        return redirect("api_keys:list", partner_id=self.partner.partner_id)
