"""Text compression for what a browser renders (issue 22, Lighthouse: "Enable text compression").

Django's GZipMiddleware, limited to pages and the files they load (HTML, CSS, JavaScript, SVG). API and
Graph responses (JSON), exports and downloads are left as they were: their clients and tests read the bytes
as sent, and a JSON body quoting a secret (a new API key) gains nothing worth a BREACH question. Django pads
every compressed response against BREACH (Heal The Breach) and masks CSRF tokens per response.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

COMPRESSED_TYPES = ("text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml")


class PageGZipMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if content_type not in COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)
