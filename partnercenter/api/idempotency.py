"""`Idempotency-Key` on create operations: a retried create returns the first result.

The key is stored per partner with the operation, a hash of the body and the response. The row
is inserted *before* the create runs, in the create's own transaction: a concurrent retry with
the same key blocks on the unique index until the first commits, then replays its response.
A failed create rolls the row back with everything else, so the client may retry with the same
key. Keys are forgotten after API_IDEMPOTENCY_TTL_HOURS.

The stored response is sealed (Fernet, OUTBOX_SEALING_KEY — not in the database): it can carry an
invitation's live `link` or a webhook `secret`, so a database copy or a staff user in admin reads
nothing usable, while a replay returns exactly the first response.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from partnercenter.api.problems import ApiProblem, IdempotencyKeyReused, IdempotentResponseUnavailable
from partnercenter.sealing import seal, unseal
from partners.models import ApiIdempotencyKey

if TYPE_CHECKING:
    from rest_framework.request import Request

    from partners.models import ApiIdempotencyKey, Partner

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
STORED_HEADERS = ("Location", "ETag")
MAX_KEY_LENGTH = 255


class InvalidIdempotencyKey(ApiProblem):
    default_code = "invalid_idempotency_key"
    default_detail = _("An Idempotency-Key is 1 to 255 printable ASCII characters.")


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(record: ApiIdempotencyKey, request: Request) -> Response:
    if record.request_hash != _fingerprint(request):
        raise IdempotencyKeyReused()
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    try:
        body = unseal(record.response_sealed)["body"]
    except InvalidToken as error:  # OUTBOX_SEALING_KEY changed since: say so, never a 500
        raise IdempotentResponseUnavailable() from error
    return Response(body, status=record.response_status, headers=headers)


def idempotent_create(request: Request, *, partner: Partner, create: Callable[[], Response]) -> Response:
    """Run `create` (which raises on failure and returns a 2xx response) at most once per key."""

    key = request.headers.get(HEADER)
    if key is None:
        return create()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise InvalidIdempotencyKey()
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    with transaction.atomic():
        ApiIdempotencyKey.objects.filter(partner=partner, key=key, created_at__lt=cutoff).delete()
        try:
            assert request.method is not None  # a request being handled has one
            with transaction.atomic():
                record = ApiIdempotencyKey.objects.create(
                    partner=partner, key=key, method=request.method, path=request.path[:300],
                    request_hash=_fingerprint(request), response_status=0,
                )
        except IntegrityError:
            # Another request holds the key; the insert waited until it committed.
            return _replay(ApiIdempotencyKey.objects.get(partner=partner, key=key), request)
        response = create()
        record.response_status = response.status_code
        # Sealed: the body can hold a live link or a secret shown once (docs/api.md, "Idempotency-Key").
        record.response_sealed = seal({"body": json.loads(json.dumps(response.data, cls=JSONEncoder))})
        record.response_headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
        record.save(update_fields=["response_status", "response_sealed", "response_headers"])
    return response
