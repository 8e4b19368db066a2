"""The error pages (400, 403, 404, 500): product pages in the user's language that say what happened,
why, and where to go next (issue 22 item 3, issue 21 item 6).

Used in every mode: Django calls these handlers whenever DEBUG is off, and the embedded default
(`make run`) runs with DEBUG off too (partnercenter/settings/local.py; DJANGO_DEBUG=1 brings back
Django's technical pages for development).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from customers.models import CustomerMembership
from partnercenter import request_context
from partnercenter.params import MalformedInput
from partners.choices import PartnerRole
from partners.selectors import partner_memberships_for_user

logger = logging.getLogger(__name__)


def _render(request: HttpRequest, template_name: str, context: dict[str, Any], status: int,
            heading: str) -> HttpResponse:
    """The page; if it cannot be rendered (a static file missing from the manifest, a database down for
    the user menu), a plain page with the same heading rather than a second error."""
    try:
        response = render(request, template_name, context, status=status)
    except Exception:
        logger.warning("Error page %s could not be rendered; plain page served", status, exc_info=True)
        plain = loader.get_template("errors/plain.html")
        response = HttpResponse(plain.render({"status": status, "heading": heading,
                                              "message": context.get("message") or context.get("reason") or ""}),
                                status=status)
    # An error page may quote the address asked for, and an address can carry a link's token: never cached.
    add_never_cache_headers(response)
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = exception.message if isinstance(exception, MalformedInput) else _("The request could not be read.")
    return _render(request, "400.html", {"message": message}, 400, _("Bad request"))


def _organisation_context(request: HttpRequest) -> dict[str, Any]:
    """The organisation in the address and the user's roles in it, to say why a page is refused."""
    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    user = getattr(request, "user", None)
    if not kwargs or user is None or not user.is_authenticated:
        return {}
    try:
        if "partner_id" in kwargs:
            for membership in partner_memberships_for_user(user=user):
                if membership.partner.partner_id == kwargs["partner_id"]:
                    labels = dict(PartnerRole.choices)
                    return {"organisation": membership.partner.name,
                            "roles": [str(labels.get(role, role)) for role in membership.roles],
                            "role_admin": _("An account admin of %(partner)s can change your roles under Partner "
                                            "settings → Users and roles.") % {"partner": membership.partner.name},
                            "organisation_url": reverse("partners:overview",
                                                        kwargs={"partner_id": membership.partner.partner_id})}
        if "tenant_id" in kwargs:
            customer_membership = (CustomerMembership.objects.select_related("customer")
                          .filter(user=user, customer__tenant_id=kwargs["tenant_id"]).first())
            if customer_membership is not None:
                customer = customer_membership.customer
                return {"organisation": customer.company_name,
                        "roles": [customer_membership.get_role_display()],
                        "role_admin": _("A global admin of %(customer)s can do this, or change your role.")
                        % {"customer": customer.company_name},
                        "organisation_url": reverse("customers:overview", kwargs={"tenant_id": customer.tenant_id})}
    except Exception:  # the refusal page must never fail because of the explanation
        logger.warning("403 page: the organisation could not be described", exc_info=True)
    return {}


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception is not None and str(exception) else ""
    context = {"reason": reason, **_organisation_context(request)}
    return _render(request, "403.html", context, 403, _("You don't have access to this page"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", {}, 404, _("Page not found"))


def server_error(request: HttpRequest) -> HttpResponse:
    """No request context processors and no database: whatever broke may be what they would use."""
    request_id = request_context.current().request_id or ""
    try:
        return HttpResponse(loader.get_template("500.html").render({"request_id": request_id}), status=500)
    except Exception:  # noqa: BLE001 - the 500 page must not raise a second error
        plain = loader.get_template("errors/plain.html")
        return HttpResponse(plain.render({"status": 500, "heading": _("Something went wrong on our side"),
                                          "message": request_id}), status=500)


def method_not_allowed_page(request: HttpRequest, refused: HttpResponse) -> HttpResponse:
    """405 for a browser: what the address is for, keeping the Allow header of the refusal."""
    response = _render(request, "405.html", {"method": request.method, "allowed": refused.get("Allow", "")}, 405,
                       _("This address cannot be opened this way"))
    if refused.has_header("Allow"):
        response["Allow"] = refused["Allow"]
    return response
