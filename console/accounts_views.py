from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.http import AuthenticatedHttpRequest
from accounts.services import user_set_preferred_language
from customers.selectors import customer_memberships_for_user
from partners.selectors import partner_memberships_for_user


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where a signed-in user works: straight to their only organisation, or a chooser."""
    partner_memberships = list(partner_memberships_for_user(user=request.user))
    customer_memberships = list(customer_memberships_for_user(user=request.user))
    if len(partner_memberships) == 1 and not customer_memberships:
        return redirect("partners:overview", partner_id=partner_memberships[0].partner.partner_id)
    if len(customer_memberships) == 1 and not partner_memberships:
        return redirect("customers:overview", tenant_id=customer_memberships[0].customer.tenant_id)
    return render(
        request,
        "accounts/home.html",
        {"partner_memberships": partner_memberships, "customer_memberships": customer_memberships},
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, plus remembering the choice on the signed-in user."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        user_set_preferred_language(user=request.user, language=request.POST.get("language", ""))
    return response
