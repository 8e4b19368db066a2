"""Partner console → Customers → a customer → Subscriptions: provision, quantity, suspend, support contact."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from console.mixins import PartnerConsoleMixin
from console.subscriptions_forms import ProvisionForm, QuantityForm
from partnercenter.errors import DomainError
from partnercenter.params import id_param
from partners.permissions import PartnerPermission
from partners.selectors import partner_user_list
from relationships.models import Relationship
from relationships.selectors import relationship_for_partner_customer
from subscriptions.catalog import PRODUCTS
from subscriptions.selectors import subscription_get_for_partner, subscriptions_for
from subscriptions.services import (
    subscription_change_quantity,
    subscription_provision,
    subscription_reactivate,
    subscription_suspend,
    support_contact_set,
)


class CustomerSubscriptionsView(PartnerConsoleMixin, TemplateView):
    """This partner's subscriptions for one customer (another partner's never show)."""

    template_name = "subscriptions/customer_subscriptions.html"
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "customers"

    def relationship(self) -> Relationship:
        return relationship_for_partner_customer(partner=self.partner, tenant_id=str(self.kwargs["tenant_id"]))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        relationship = self.relationship()
        context.update(
            relationship=relationship, customer=relationship.customer, products=PRODUCTS,
            subscriptions=subscriptions_for(partner=self.partner, customer=relationship.customer),
            contacts=partner_user_list(partner=self.partner),
            can_manage=self.can(PartnerPermission.MANAGE_CUSTOMERS),
            can_remove=self.can(PartnerPermission.REMOVE_RELATIONSHIP),
            provision_form=kwargs.get("provision_form") or ProvisionForm(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.can(PartnerPermission.MANAGE_CUSTOMERS):
            raise PermissionDenied
        relationship = self.relationship()
        customer = relationship.customer
        action = request.POST.get("action", "")
        try:
            if action == "provision":
                form = ProvisionForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(provision_form=form), status=400)
                subscription = subscription_provision(membership=self.membership, customer=customer,
                                                      product_sku=form.cleaned_data["product"], quantity=form.cleaned_data["quantity"])
                messages.success(request, _("%(product)s (quantity %(quantity)s) provisioned for %(customer)s.")
                                 % {"product": subscription.product_name, "quantity": subscription.quantity, "customer": customer.company_name})
            else:
                subscription = subscription_get_for_partner(partner=self.partner, subscription_pk=id_param(request.POST, "subscription"))
                if subscription.customer_id != customer.pk:
                    raise PermissionDenied
                if action == "quantity":
                    quantity_form = QuantityForm(request.POST)
                    if not quantity_form.is_valid():
                        messages.error(request, _("Enter a whole number of at least 1."))
                    else:
                        subscription_change_quantity(subscription=subscription, membership=self.membership,
                                                     quantity=quantity_form.cleaned_data["quantity"])
                        messages.success(request, _("%(product)s now has %(quantity)s licenses.")
                                         % {"product": subscription.product_name, "quantity": quantity_form.cleaned_data["quantity"]})
                elif action == "suspend":
                    subscription_suspend(subscription=subscription, membership=self.membership)
                    messages.success(request, _("%(product)s suspended.") % {"product": subscription.product_name})
                elif action == "reactivate":
                    subscription_reactivate(subscription=subscription, membership=self.membership)
                    messages.success(request, _("%(product)s reactivated.") % {"product": subscription.product_name})
                elif action == "contact":
                    contact_pk = request.POST.get("contact", "")
                    contact = None
                    if contact_pk:
                        member = partner_user_list(partner=self.partner).filter(user_id=contact_pk if contact_pk.isdigit() else 0).first()
                        if member is None:
                            raise DomainError("not_partner_user", _("The support contact must be a user of your partner organisation."))
                        contact = member.user
                    support_contact_set(subscription=subscription, membership=self.membership, contact=contact)
                    if contact is None:
                        messages.success(request, _("Support contact removed from %(product)s.") % {"product": subscription.product_name})
                    else:
                        messages.success(request, _("%(user)s is now the support contact for %(product)s.")
                                         % {"user": contact.email, "product": subscription.product_name})
                else:
                    messages.error(request, _("Unknown action."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("subscriptions:list", partner_id=self.partner.partner_id, tenant_id=customer.tenant_id)
