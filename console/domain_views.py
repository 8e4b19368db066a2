"""Partner settings → Domain verification: the TXT record to publish, and a button to check it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from console.mixins import PartnerConsoleMixin
from partnercenter.errors import DomainError
from partners.domain_services import partner_domain_check
from partners.domain_verification import domain_txt_record
from partners.permissions import PartnerPermission


class DomainVerificationView(PartnerConsoleMixin, TemplateView):
    template_name = "partners/domain.html"
    permission = PartnerPermission.MANAGE_USERS
    nav_section = "domain"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["record"] = domain_txt_record(self.partner)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            proof = partner_domain_check(membership=self.membership)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if proof.newly_proven:
                messages.success(request, _("%(domain)s is verified: customers now see it with a verified badge.")
                                 % {"domain": self.partner.verified_domain})
            else:
                messages.info(request, _("%(domain)s was already verified.") % {"domain": self.partner.verified_domain})
        return redirect("partners:domain", partner_id=self.partner.partner_id)
