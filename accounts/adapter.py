"""allauth adapter: its emails go through our outbox like every other email."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from notifications.services import RenderedEmail, email_enqueue_rendered


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render allauth's email as it would, then queue it in the outbox instead of sending inline."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

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
