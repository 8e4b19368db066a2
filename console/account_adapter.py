"""allauth adapter: its emails go through our outbox like every other email.

Whose address is verified: only allauth's own code flow decides (a code sent to the mailbox, typed
into the session that asked for it). Holding an invitation or join link proves nothing — the partner
holds the same link — so no link, session stash or hook here may mark an address verified (issue 18).
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from accounts.middleware import preferred_language_for
from accounts.pending_flows import (
    PENDING_JOIN_SESSION_KEY,
    PENDING_OFFER_SESSION_KEY,
)
from notifications.services import RenderedEmail, email_enqueue_rendered


def pending_flow_url(request: HttpRequest | None) -> str | None:
    """The invitation (or partner join) page the visitor opened before signing in or up, if any."""
    if request is None:
        return None
    if request.session.get(PENDING_OFFER_SESSION_KEY):
        return reverse("invitation_review")
    if request.session.get(PENDING_JOIN_SESSION_KEY):
        return reverse("partner_user_invitation_review")
    return None


class AccountAdapter(DefaultAccountAdapter):
    # --- Verification comes from the mailbox only -----------------------------------------------
    # allauth's "verified email stash" lets a sign-up skip verification for an address the session
    # is said to have proven. Every such proof we had was a link the partner also holds, so the
    # stash is closed: nothing can be stashed, nothing stashed counts.
    def stash_verified_email(self, request: HttpRequest, email: str) -> None:
        request.session.pop("account_verified_email", None)

    def unstash_verified_email(self, request: HttpRequest) -> str | None:
        request.session.pop("account_verified_email", None)
        return None

    def is_email_verified(self, request: HttpRequest, email: str) -> bool:
        return False

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """New users keep the language they signed up in (pages and their emails)."""
        user = super().save_user(request, user, form, commit=False)
        language = (translation.get_language() or "en").split("-")[0]
        user.preferred_language = language if language in dict(settings.LANGUAGES) else "en"
        if commit:
            user.save()
        return user

    def add_message(self, request: HttpRequest, level: int, message_template: str | None = None,
                    message_context: dict[str, Any] | None = None, extra_tags: str = "", message: str | None = None) -> None:
        """Write the message in the language of the page that shows it: signing in switches to the
        user's preferred language (accounts.middleware), so "Successfully signed in" is in it too."""

        with translation.override(preferred_language_for(request) or translation.get_language()):
            super().add_message(request, level, message_template, message_context, extra_tags, message)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Resume a pending acceptance or join (a link opened before signing in) after sign-in."""
        return pending_flow_url(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        """After sign-up and the emailed code, back to the invitation that sent the visitor here."""
        return pending_flow_url(request) or super().get_signup_redirect_url(request)

    def get_email_verification_redirect_url(self, email_address: Any) -> str | None:
        return pending_flow_url(self.request) or super().get_email_verification_redirect_url(email_address)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render allauth's email as it would, then queue it in the outbox instead of sending inline."""

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []) or []:
            if mimetype == "text/html":
                html = str(content)
        email_enqueue_rendered(
            to=email,
            template=template_prefix,
            rendered=RenderedEmail(subject=message.subject, text=str(message.body), html=html),
            language=translation.get_language() or "en",
        )
