"""Partner settings → Sign-in security (require MFA) and Sign-in log (account admins only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from console.mixins import PartnerConsoleMixin
from console.sign_in_forms import MfaRequirementForm
from partnercenter.errors import DomainError
from partners.permissions import PartnerPermission
from partners.selectors import partner_user_list
from partners.sign_in_security_services import partner_mfa_requirement_set
from partners.sign_in_selectors import partner_members_without_mfa, partner_sign_in_events

SIGN_IN_PAGE_SIZE = 50


class SignInSecurityView(PartnerConsoleMixin, FormView):
    template_name = "partners/sign_in_security.html"
    form_class = MfaRequirementForm
    permission = PartnerPermission.MANAGE_SIGN_IN_SECURITY
    nav_section = "sign_in_security"

    def get_initial(self) -> dict[str, Any]:
        return {"mfa_required": self.partner.mfa_required}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["members_without_mfa"] = partner_members_without_mfa(partner=self.partner)
        context["member_count"] = partner_user_list(partner=self.partner).count()
        return context

    def form_valid(self, form: MfaRequirementForm) -> HttpResponse:
        required = form.cleaned_data["mfa_required"]
        try:
            changed = partner_mfa_requirement_set(membership=self.membership, required=required)
        except DomainError as error:
            messages.error(self.request, error.message)
            return redirect("partners:sign_in_security", partner_id=self.partner.partner_id)
        if not changed:
            messages.info(self.request, _("Nothing changed."))
        elif required:
            messages.success(self.request, _("Two-step verification is now required for every user of %(partner)s.")
                             % {"partner": self.partner.name})
        else:
            messages.success(self.request, _("Two-step verification is no longer required for users of %(partner)s.")
                             % {"partner": self.partner.name})
        return redirect("partners:sign_in_security", partner_id=self.partner.partner_id)


class SignInLogView(PartnerConsoleMixin, TemplateView):
    """The partner's users' sign-ins: time, IP address, browser, result and second factor, newest first."""

    template_name = "partners/sign_in_log.html"
    permission = PartnerPermission.MANAGE_SIGN_IN_SECURITY
    nav_section = "sign_in_log"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request: HttpRequest = self.request
        paginator = Paginator(partner_sign_in_events(partner=self.partner), SIGN_IN_PAGE_SIZE)
        context["page"] = paginator.get_page(request.GET.get("page"))
        context["retention_days"] = settings.SIGN_IN_EVENT_RETENTION_DAYS
        return context
