"""Partner console → Customers: "Create a new customer" and agreement attestation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.generic import FormView

from console.customers_forms import AgreementAttestationForm, CustomerCreateForm
from console.mixins import PartnerConsoleMixin
from customers.models import AgreementAcceptance
from customers.services import agreement_current
from partnercenter.errors import DomainError
from partners.choices import SOVEREIGN_CLOUDS, PartnerType
from partners.permissions import PartnerPermission
from relationships.selectors import relationship_for_partner_customer
from workflows.agreement_attestation import agreement_attest
from workflows.customer_creation import customer_create_for_partner


def _apply(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


class CustomerCreateView(PartnerConsoleMixin, FormView):
    template_name = "customers/partner_create.html"
    form_class = CustomerCreateForm
    permission = PartnerPermission.MANAGE_CUSTOMERS
    nav_section = "customers"

    def get_initial(self) -> dict[str, Any]:
        return {"language": translation.get_language() or "en", "country": str(self.partner.country),
                "include_delegated_admin": self.partner.cloud in SOVEREIGN_CLOUDS}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sovereign"] = self.partner.cloud in SOVEREIGN_CLOUDS
        return context

    def form_valid(self, form: CustomerCreateForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            created = customer_create_for_partner(
                membership=self.membership, company_name=data["company_name"], primary_domain=data["primary_domain"],
                country=data["country"], admin_email=data["admin_email"], language=data["language"],
                include_delegated_admin=data["include_delegated_admin"],
            )
        except DomainError as error:
            _apply(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(customer)s was created. %(email)s has been invited to accept you as reseller; the "
                                         "customer appears on your Customers page once they do.")
                         % {"customer": created.customer.company_name, "email": data["admin_email"]})
        return redirect("invitations:list", partner_id=self.partner.partner_id)


class AgreementAttestView(PartnerConsoleMixin, FormView):
    """Attest that the customer accepted the customer agreement (direct-bill partners)."""

    template_name = "customers/partner_attest.html"
    form_class = AgreementAttestationForm
    permission = PartnerPermission.MANAGE_CUSTOMERS
    nav_section = "customers"

    def get_relationship(self) -> Any:
        return relationship_for_partner_customer(partner=self.partner, tenant_id=str(self.kwargs["tenant_id"]))

    def get_initial(self) -> dict[str, Any]:
        return {"accepted_on": timezone.localdate()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        customer = self.get_relationship().customer
        agreement = agreement_current(language=customer.language)
        context.update(
            customer=customer, agreement=agreement,
            acceptances=AgreementAcceptance.objects.filter(customer=customer).select_related("agreement", "partner")[:10],
            indirect_reseller=self.partner.partner_type == PartnerType.INDIRECT_RESELLER,
            today=timezone.localdate(),
        )
        return context

    def form_valid(self, form: AgreementAttestationForm) -> HttpResponse:
        customer = self.get_relationship().customer
        data = form.cleaned_data
        try:
            agreement_attest(membership=self.membership, customer=customer, signer_name=data["signer_name"],
                             signer_email=data["signer_email"], accepted_on=data["accepted_on"])
        except DomainError as error:
            _apply(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Attestation recorded; the global admins of %(customer)s have been told.")
                         % {"customer": customer.company_name})
        return redirect("relationships:customer", partner_id=self.partner.partner_id, tenant_id=customer.tenant_id)
