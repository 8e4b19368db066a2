"""`{% load email_layout %}`: the pieces of the one email layout (templates/email/base_body.html) that
need code rather than markup.

`body_html|with_action_button:label` — an invitation's body is the partner's own text (escaped, the
link made an anchor: invitations.send_services._email_body_html). The paragraph that holds nothing but the
link becomes the layout's button with the address as text below it (templates/email/button.html), so
the raw address no longer sets the width of the email on a phone; a link inside a sentence stays
where the partner wrote it and the button follows the text.
"""

from __future__ import annotations

import re

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_LINK = re.compile(r'<a href="(?P<url>[^"]+)">(?P=url)</a>')
_LINK_PARAGRAPH = re.compile(r'<p>\s*<a href="(?P<url>[^"]+)">(?P=url)</a>\s*</p>')


@register.filter
def with_action_button(body_html: str, label: str) -> SafeString:
    html = str(body_html)
    match = _LINK_PARAGRAPH.search(html)
    if match:
        button = render_to_string("email/button.html", {"url": match.group("url"), "label": label})
        return mark_safe(html[: match.start()] + button + html[match.end():])  # noqa: S308 — escaped body, our markup
    inline = _LINK.search(html)
    if inline:
        button = render_to_string("email/button.html", {"url": inline.group("url"), "label": label})
        return mark_safe(html + button)  # noqa: S308 — escaped body, our markup
    return mark_safe(html)  # noqa: S308 — already safe markup (the caller's escaped body)


_URL_LINE = re.compile(r"^(https?://\S+)$", re.MULTILINE)


@register.filter
def text_with_action(body: str, label: str) -> str:
    """The plain-text twin of with_action_button: the line holding nothing but the link becomes the
    action's name above the link; a link inside a sentence stays, and the action follows the text."""
    text = str(body).strip()
    match = _URL_LINE.search(text)
    if match:
        return text[: match.start()] + f"{label}\n{match.group(1)}" + text[match.end():]
    inline = re.search(r"https?://\S+", text)
    if inline:
        return f"{text}\n\n{label}\n{inline.group(0)}"
    return text
