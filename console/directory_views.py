"""Partner console → a customer → Users: the customer's directory users and their licenses.

Reading needs one of the USER_READ_ROLES among the partner user's effective roles; creating and
disabling users, and assigning licenses, need the write roles of directory.permissions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from console.directory_forms import DirectoryUserForm
from console.mixins import PartnerConsoleMixin
from directory.models import LicenseAssignment
from directory.permissions import DIRECTORY_READ_ROLES, LICENSE_WRITE_ROLES, USER_WRITE_ROLES
from directory.selectors import directory_user_get, directory_users_for
from directory.services import directory_user_create, directory_user_disable, license_assign, license_remove
from partnercenter.directory_roles import BY_ID
from partnercenter.errors import DomainError
from partnercenter.params import id_param
from partners.permissions import PartnerPermission
from relationships.selectors import effective_access, relationship_for_partner_customer
from subscriptions.choices import SubscriptionStatus
from subscriptions.selectors import subscription_get_for_partner, subscriptions_for


class DirectoryUsersView(PartnerConsoleMixin, TemplateView):
    template_name = "directory/customer_users.html"
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "customers"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page()

    def render_page(self, *, form: DirectoryUserForm | None = None, status: int = 200) -> HttpResponse:
        relationship = relationship_for_partner_customer(partner=self.partner, tenant_id=str(self.kwargs["tenant_id"]))
        customer = relationship.customer
        access = effective_access(membership=self.membership, customer=customer)
        context = self.get_context_data(relationship=relationship, customer=customer, access=access)
        if not access.allows_any(DIRECTORY_READ_ROLES):
            return self.render_to_response({**context, "denied": True}, status=403)
        subscriptions = [s for s in subscriptions_for(partner=self.partner, customer=customer) if s.licensable]
        context.update(
            users=directory_users_for(customer=customer, partner=self.partner),
            seats=subscriptions,
            assignable=[s for s in subscriptions if s.status == SubscriptionStatus.ACTIVE and s.assigned < s.quantity],
            role_names=sorted(str(BY_ID[r].name) for r in access.directory_roles if r in BY_ID),
            can_write_users=access.allows_any(USER_WRITE_ROLES),
            can_write_licenses=access.allows_any(LICENSE_WRITE_ROLES),
            form=form or DirectoryUserForm(),
        )
        return self.render_to_response(context, status=status)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        relationship = relationship_for_partner_customer(partner=self.partner, tenant_id=str(self.kwargs["tenant_id"]))
        customer = relationship.customer
        action = request.POST.get("action", "")
        try:
            if action == "create":
                form = DirectoryUserForm(request.POST)
                if not form.is_valid():
                    return self.render_page(form=form, status=400)
                try:
                    user = directory_user_create(membership=self.membership, customer=customer, **form.cleaned_data)
                except DomainError as error:
                    if error.field in form.fields:
                        form.add_error(error.field, error.message)
                        return self.render_page(form=form, status=400)
                    raise
                messages.success(request, _("User %(upn)s created.") % {"upn": user.user_principal_name})
            elif action == "disable":
                user = directory_user_get(customer=customer, user_pk=id_param(request.POST, "user"))
                directory_user_disable(membership=self.membership, user=user)
                messages.success(request, _("User %(upn)s disabled; their licenses were released.") % {"upn": user.user_principal_name})
            elif action == "assign":
                user = directory_user_get(customer=customer, user_pk=id_param(request.POST, "user"))
                subscription = subscription_get_for_partner(partner=self.partner, subscription_pk=id_param(request.POST, "subscription"))
                license_assign(membership=self.membership, subscription=subscription, user=user)
                messages.success(request, _("%(product)s license assigned to %(upn)s.")
                                 % {"product": subscription.product_name, "upn": user.user_principal_name})
            elif action == "unassign":
                assignment = (LicenseAssignment.objects.filter(pk=id_param(request.POST, "assignment"), directory_user__customer=customer)
                              .select_related("subscription", "directory_user").first())
                if assignment is None:
                    raise DomainError("not_found", _("This license is no longer assigned."))
                license_remove(membership=self.membership, assignment=assignment)
                messages.success(request, _("%(product)s license removed from %(upn)s.")
                                 % {"product": assignment.subscription.product_name, "upn": assignment.directory_user.user_principal_name})
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as error:
            if error.code == "forbidden":
                messages.error(request, error.message)
                return redirect("relationships:customer_users", partner_id=self.partner.partner_id, tenant_id=customer.tenant_id)
            messages.error(request, error.message)
        return redirect("relationships:customer_users", partner_id=self.partner.partner_id, tenant_id=customer.tenant_id)
