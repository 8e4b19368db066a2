"""Session keys of the flows a visitor starts before signing in or up (an invitation, a partner join
link), shared by the pages that set them (admin center, console) and allauth's adapter and forms."""

from __future__ import annotations

from django.http import HttpRequest

PENDING_OFFER_SESSION_KEY = "offer_token"  # set by admincenter.accept_views
PENDING_JOIN_SESSION_KEY = "partner_user_invitation_token"  # set by console.partners_views
PENDING_OFFER_EMAIL_SESSION_KEY = "offer_pinned_email"  # set by admincenter.accept_views: the address the offer is pinned to


def pending_offer_email(request: HttpRequest | None) -> str:
    """The address the invitation the visitor opened is pinned to ("" if none): sign-up takes no other."""
    if request is None or not request.session.get(PENDING_OFFER_SESSION_KEY):
        return ""
    return str(request.session.get(PENDING_OFFER_EMAIL_SESSION_KEY) or "").strip().lower()
