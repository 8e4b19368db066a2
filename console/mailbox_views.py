"""The local mailbox (embedded mode only): read what the system sent, click its links."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from notifications.models import MailboxMessage
from partnercenter.params import text_param


def _require_mailbox() -> None:
    if not settings.MAILBOX_ENABLED:
        raise Http404


@require_GET
def mailbox(request: HttpRequest) -> HttpResponse:
    _require_mailbox()
    messages_qs = MailboxMessage.objects.all()
    to = text_param(request.GET, "to", max_length=320)
    if to:
        messages_qs = messages_qs.filter(to__icontains=to)
    page = Paginator(messages_qs, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/mailbox.html", {"page": page, "to": to})


@require_GET
def mailbox_message(request: HttpRequest, pk: int) -> HttpResponse:
    _require_mailbox()
    message = get_object_or_404(MailboxMessage, pk=pk)
    return render(request, "notifications/mailbox_message.html", {"message": message})


@require_GET
@xframe_options_sameorigin
def mailbox_message_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTML part as sent, in a sandboxed frame with a CSP of its own (no scripts)."""
    _require_mailbox()
    message = get_object_or_404(MailboxMessage, pk=pk)
    # Links open in the top window: the app's pages refuse to be framed.
    html = message.html_body or "<p>(no HTML part)</p>"
    html = (
        html.replace("<head>", '<head><base target="_top">', 1) if "<head>" in html else '<base target="_top">' + html
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    # django-csp's per-response override (what its @csp_replace sets); HttpResponse does not declare it.
    response._csp_replace = {  # type: ignore[attr-defined]
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["data:"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'none'"],
    }
    return response
