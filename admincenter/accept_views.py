"""Acceptance pages, for customers arriving by an emailed or reusable link.

GET shows and never changes anything (link scanners and previews fetch links); POST accepts or
declines. The token leaves the URL at once (kept in the session, then a redirect), so it never
appears in a Referer. Unknown, expired, cancelled and used tokens all get the same page.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.conf import settings
from django.contrib import messages
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods

from accounts.pending_flows import PENDING_OFFER_EMAIL_SESSION_KEY
from admincenter.accept_forms import AcceptForm, DeclineForm, ReportForm
from customers.agreement_documents import agreement_blocks
from customers.models import AgreementAcceptance, AgreementVersion, CustomerMembership
from customers.services import AgreementSignature, agreement_current, customer_needs_agreement
from invitations.acceptance import (
    AcceptanceAnswer,
    NewTenant,
    acceptor_refusal,
    invitation_accept,
    relationship_link_accept,
    tenant_refusal,
)
from invitations.acceptance_story import nothing_to_accept
from invitations.closing import invitation_decline
from invitations.errors import InvitationError
from invitations.scope import offer_abilities, offer_limits
from invitations.selectors import Offer, offer_for_token
from invitations.trust_services import invitation_record_first_open, invitation_report
from invitations.verification_codes import invitation_verification_code
from partnercenter.compiled_queries import CompiledQuery
from partnercenter.country_options import country_options_html, country_pairs
from partnercenter.errors import DomainError
from partnercenter.no_store import carries_secret
from partnercenter.params import refuse_nul
from partnercenter.session_secrets import session_put_token, session_token
from partners.clouds import portal_for

SESSION_KEY = "offer_token"


@carries_secret
@require_GET
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    session_put_token(request.session, SESSION_KEY, token)
    return HttpResponseRedirect(reverse("invitation_review"))


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "invitations/accept_invalid.html", status=404)


def _reviewer_tenants(values: tuple[Any, ...]) -> QuerySet[CustomerMembership]:
    """The viewer's (`values[0]`, a user's primary key) tenant memberships by company name, with their customers;
    given an agreement version (`values[1]`), whether each tenant accepted it: in the same statement, not one per tenant."""
    memberships = CustomerMembership.objects.filter(user_id=values[0]).select_related("customer").order_by("customer__company_name")
    if len(values) > 1:
        memberships = memberships.annotate(agreement_accepted=Exists(
            AgreementAcceptance.objects.filter(customer=OuterRef("customer"), agreement__version=values[1])))
    return memberships


# Every acceptance page's tenant list, compiled once per process (partnercenter.compiled_queries; issue 25).
_REVIEWER_TENANTS = CompiledQuery(_reviewer_tenants)


def _tenant_options(offer: Offer, request: HttpRequest, agreement: AgreementVersion | None) -> list[dict[str, Any]]:
    bound = offer.invitation.customer if offer.invitation is not None and offer.invitation.customer_id else None
    if bound is not None:  # a customer the partner created for this admin: that tenant, nothing else
        return [{"membership": None, "customer": bound, "refusal": None, "bound": True,
                 "needs_agreement": customer_needs_agreement(customer=bound, agreement=agreement)}]
    options = []
    assert request.user.is_authenticated  # _context asks for a signed-in viewer only
    memberships = _REVIEWER_TENANTS.fetch([request.user.pk] if agreement is None else [request.user.pk, agreement.version])
    for membership in memberships:
        refusal = tenant_refusal(partner=offer.partner, target_domain=offer.target_domain, membership=membership)
        if refusal is None and offer.invitation is not None:  # said before the click: accepting would change nothing
            refusal = nothing_to_accept(invitation=offer.invitation, customer=membership.customer)
        options.append({
            "membership": membership,
            "customer": membership.customer,
            "refusal": refusal,
            # annotated above whenever there is an agreement
            "needs_agreement": agreement is not None and not membership.agreement_accepted,
        })
    return options


def _country_options_html(language: str | None, selected: str) -> SafeString:
    """The ≈250 country <option>s in one language with `selected` marked (partnercenter/country_options.py:
    built once per process and key rather than by a template loop on every request)."""
    return country_options_html(country_pairs(language), selected, language)


def _country_options(selected: object) -> SafeString:
    return _country_options_html(translation.get_language(), str(selected or ""))


class DomainBadge(NamedTuple):
    """What partners/includes/domain_badge.html shows of a partner, as plain values (a layout_fragment key)."""

    domain_is_verified: bool
    verified_domain: str


def _context(request: HttpRequest, offer: Offer, form: AcceptForm | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "offer": offer,
        "badge": DomainBadge(offer.partner.domain_is_verified, offer.partner.verified_domain),
        "declinable": offer.invitation is not None,
        "portal": portal_for(offer.partner.cloud),
        "next": reverse("invitation_review"),
        "decline_form": DeclineForm(),
        "report_form": ReportForm(),
        "abilities": offer_abilities(offer),
        "limits": offer_limits(offer),
        "verification_code": invitation_verification_code(offer.invitation) if offer.invitation is not None else "",
    }
    if request.user.is_authenticated:
        refusal = acceptor_refusal(partner=offer.partner, recipient_email=offer.recipient_email,
                                   target_domain=offer.target_domain, user=request.user,
                                   works_for_partner=offer.viewer_works_for_partner)
        agreement = agreement_current(language=request.user.preferred_language)
        options = [] if refusal else _tenant_options(offer, request, agreement)
        selectable = [o for o in options if o["refusal"] is None]
        initial = {"signer_name": request.user.full_name,
                   "primary_domain": offer.target_domain, "country": str(offer.partner.country)}
        if selectable:
            initial["tenant"] = str(selectable[0]["customer"].tenant_id)
        elif not refusal:  # none of the user's tenants can accept: a new tenant is the only choice, chosen already
            initial["tenant"] = "new"
        form = form or AcceptForm(initial=initial)
        tenant = form["tenant"].value()
        context.update(
            # the "new tenant" choice is checked when chosen, or when nothing is and no tenant of the user can accept
            new_tenant_checked=tenant == "new" or (not tenant and not selectable),
            refusal=refusal,
            bound_tenant=bool(options and options[0].get("bound")),
            tenant_options=options,
            agreement=agreement,
            agreement_blocks=agreement_blocks(agreement.text) if agreement is not None else [],
            agreement_needed=agreement is not None and (not selectable or any(o["needs_agreement"] for o in selectable)),
            form=form,
            country_options=_country_options(form["country"].value()),
        )
    return context


@carries_secret
@require_http_methods(["GET", "POST"])
def invitation_review(request: HttpRequest) -> HttpResponse:
    viewer = request.user if request.method == "GET" and request.user.is_authenticated else None
    offer = offer_for_token(session_token(request.session, SESSION_KEY), viewer=viewer)
    if offer is None:
        return _invalid(request)
    if request.method == "GET" and offer.invitation is not None and offer.invitation.first_opened_at is None:
        # Statement-free once stamped: the row just loaded says so (the UPDATE stays conditional).
        invitation_record_first_open(invitation_pk=offer.invitation.pk)  # funnel telemetry, see its docstring
    if request.method == "POST" and request.POST.get("action") == "report":
        return _report(request, offer)
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect(f"{reverse('account_login')}?next={reverse('invitation_review')}")
        # Anyone holding the link may read the offer, but the link proves nothing about a mailbox:
        # the partner holds the same link. Sign-up verifies the address with a code sent to it,
        # and takes only the address the offer is pinned to (accounts.forms.SignupForm).
        if request.session.get(PENDING_OFFER_EMAIL_SESSION_KEY) != offer.recipient_email:
            request.session[PENDING_OFFER_EMAIL_SESSION_KEY] = offer.recipient_email
        return render(request, "invitations/accept.html", _context(request, offer))
    if request.method == "POST":
        if request.POST.get("action") == "decline":
            return _decline(request, offer)
        return _accept(request, offer)
    return render(request, "invitations/accept.html", _context(request, offer))


def _accept(request: HttpRequest, offer: Offer) -> HttpResponse:
    assert request.user.is_authenticated  # invitation_review answers anonymous users first
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return render(request, "invitations/accept.html", _context(request, offer, form), status=400)
    data = form.cleaned_data
    answer = AcceptanceAnswer(
        tenant_id=data["tenant"] if data["tenant"] not in ("", "new") else None,
        new_tenant=NewTenant(data["company_name"], data["primary_domain"], data["country"]) if data["tenant"] == "new" else None,
        # The signature carries the signed-in account's verified address, never a typed one.
        signature=AgreementSignature(data["signer_name"], request.user.email, data["agreement_accepted"])
        if (data["agreement_accepted"] or data["signer_name"]) else None,
    )
    try:
        if offer.invitation is not None:
            result = invitation_accept(invitation=offer.invitation, user=request.user, answer=answer)
        else:
            assert offer.link is not None
            result = relationship_link_accept(link=offer.link, user=request.user, answer=answer)
    except DomainError as error:  # InvitationError, or the agreement's own CustomerError (a signer name, no tick)
        if error.code == "invalid":
            return _invalid(request)
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return render(request, "invitations/accept.html", _context(request, offer, form), status=400)
    request.session.pop(SESSION_KEY, None)
    return render(request, "invitations/accept_done.html", {"result": result, "offer": offer, "portal": portal_for(offer.partner.cloud)})


def _decline(request: HttpRequest, offer: Offer) -> HttpResponse:
    assert request.user.is_authenticated  # invitation_review answers anonymous users first
    form = DeclineForm(request.POST)
    if offer.invitation is None:  # the reusable link has nothing to decline: just leave
        request.session.pop(SESSION_KEY, None)
        return redirect("home")
    if not form.is_valid():
        return render(request, "invitations/accept.html", _context(request, offer), status=400)
    try:
        invitation_decline(invitation=offer.invitation, user=request.user, reason=form.cleaned_data["reason"])
    except InvitationError as error:
        if error.code == "invalid":
            return _invalid(request)
        messages.error(request, error.message)
        return redirect("invitation_review")
    request.session.pop(SESSION_KEY, None)
    return render(request, "invitations/accept_declined.html", {"offer": offer})


def _report(request: HttpRequest, offer: Offer) -> HttpResponse:
    """ "This was not me": decline and flag for staff. Signed in or not: the link is the credential."""
    form = ReportForm(request.POST)
    if offer.invitation is None or not form.is_valid():
        return render(request, "invitations/accept.html", _context(request, offer), status=400)
    try:
        invitation_report(invitation=offer.invitation, user=request.user if request.user.is_authenticated else None,
                          reason=form.cleaned_data["reason"])
    except InvitationError:
        return _invalid(request)
    request.session.pop(SESSION_KEY, None)
    return render(request, "invitations/accept_reported.html", {"offer": offer})


@require_GET
def agreement_page(request: HttpRequest, version: str) -> HttpResponse:
    """A customer agreement version's full text, public like the agreement itself: in the page's
    language (English when not translated), or the one asked with ?language=, linked from the
    acceptance form so it can be read at full size, printed or kept."""
    refuse_nul("version", version)
    texts = {text.language: text for text in AgreementVersion.objects.filter(version=version, effective_at__lte=timezone.now())}
    if not texts:
        raise Http404
    asked = request.GET.get("language", "")
    language = asked if asked in texts else translation.get_language() or ""
    agreement = texts.get(language) or texts.get("en") or next(iter(texts.values()))
    languages = [(code, translation.get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
                 if code in texts and code != agreement.language]
    return render(request, "invitations/agreement.html", {
        "agreement": agreement, "agreement_blocks": agreement_blocks(agreement.text), "other_languages": languages})
