"""Partner console → Delegated admin → Renew the selected grants (issue 24 item 2).

The selection becomes one bulk delegated admin batch (invitation_batches.renewals); its progress and
per-customer result are the bulk request's pages (customers/delegated-admin/<id>/).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.generic import FormView

from console.mixins import PartnerConsoleMixin
from console.renewals_forms import GrantRenewForm
from invitation_batches.renewals import (
    MAX_GRANT_ID,
    RENEWABLE_STATUSES,
    delegated_admin_renewal_batch_create,
    renewal_attach,
)
from partnercenter.errors import DomainError
from partners.permissions import PartnerPermission
from relationships.models import DelegatedAdminGrant
from relationships.selectors import grant_list_for_partner

MAX_SELECTED = 1000


def _grant_ids(values: list[str]) -> list[int]:
    ids = []
    for value in values[:MAX_SELECTED]:
        value = value.strip()
        if value.isdigit() and 0 < int(value) <= MAX_GRANT_ID:
            ids.append(int(value))
    return ids


class GrantRenewView(PartnerConsoleMixin, FormView):
    """Renew the grants ticked on the Delegated admin list: one new request per grant for the same roles."""

    template_name = "relationships/grant_renew.html"
    form_class = GrantRenewForm
    permission = PartnerPermission.REQUEST_DELEGATED_ADMIN
    nav_section = "grants"

    def selected(self) -> list[DelegatedAdminGrant]:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        if not hasattr(self, "_selected"):
            grants = list(grant_list_for_partner(partner=self.partner).filter(
                pk__in=_grant_ids(source.getlist("grant")), status__in=RENEWABLE_STATUSES))
            renewal_attach(partner_id=self.partner.pk, grants=grants)
            self._selected = grants
        return self._selected

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["grants"] = [(grant.pk, grant.display_name) for grant in self.selected()]
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"language": translation.get_language() or "en", "grant": [grant.pk for grant in self.selected()]}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["grants"] = self.selected()
        return context

    def form_valid(self, form: GrantRenewForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            batch = delegated_admin_renewal_batch_create(
                membership=self.membership, grant_ids=data["grant"], duration_days=data.get("duration_days"),
                auto_extend=form.auto_extend_choice(), language=data["language"])
        except DomainError as error:  # the app's errors, or a refusal (PermissionDeniedError)
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Renewing %(count)s grant(s): each customer is asked again for the same roles. "
                                         "You can leave this page: the work continues.") % {"count": batch.total_rows})
        return redirect("invitation_batches:gdap_detail", partner_id=self.partner.partner_id, batch_pk=batch.pk)
