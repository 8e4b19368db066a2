"""The outbox: enqueue emails in the business transaction, deliver them from Celery.

Life of a row: `queued` → (claimed) `sending` → `sent`, or back to `queued` with a later
`next_attempt_at` on a temporary error, or `failed` on a permanent error or after the last
attempt. Every step is a conditional UPDATE on the expected status, so a duplicate task, a
retried task and the sweep can race without sending twice.
"""

from __future__ import annotations

import logging
import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from notifications.choices import DeliveryStatus, OutboxKind
from notifications.email_connection import send_email
from notifications.models import OutboxMessage
from notifications.signals import outbox_message_failed
from partnercenter.errors import DomainError
from partnercenter.sealing import seal, unseal

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    reply_to: str = ""  # the Reply-To header (a partner's invitation emails: partners' defaults, issue 24)


def in_language(context: dict[str, Any]) -> dict[str, Any]:
    """`context` with its lazy strings (and those in its lists) evaluated in the active language.
    Call it inside `translation.override(<the email's language>)`: a label evaluated before, in the
    request's language, would put English words in a Japanese email (issue 21, item 3)."""

    def resolve(value: Any) -> Any:
        if isinstance(value, Promise):
            return str(value)
        if isinstance(value, list | tuple):
            return type(value)(resolve(item) for item in value)
        return value

    return {name: resolve(value) for name, value in context.items()}


def email_render(*, template: str, context: dict[str, Any], language: str) -> RenderedEmail:
    """Render `<template>_subject.txt`, `_body.txt` and `_body.html` in `language`."""
    with translation.override(language):
        context = in_language(context)  # lazy labels (role names, portal names) become words of `language`, here
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}_body.txt", context)
        html = render_to_string(f"{template}_body.html", context)
    return RenderedEmail(subject=subject, text=text, html=html)


def email_enqueue(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str,
    partner: models.Model | None = None,
    customer: models.Model | None = None,
    idempotency_key: str | None = None,
    topic: str = "",
) -> OutboxMessage:
    """Render an email in the recipient's language and write it to the outbox.

    Call inside the business transaction: the row commits with it (or not at all), and the
    publish to Celery is registered with on_commit, so a rollback sends nothing.
    """
    rendered = email_render(template=template, context=context, language=language)
    return email_enqueue_rendered(
        to=to,
        template=template,
        rendered=rendered,
        language=language,
        partner=partner,
        customer=customer,
        idempotency_key=idempotency_key,
        topic=topic,
    )


def email_enqueue_rendered(
    *,
    to: str,
    template: str,
    rendered: RenderedEmail,
    language: str,
    partner: models.Model | None = None,
    customer: models.Model | None = None,
    idempotency_key: str | None = None,
    topic: str = "",
    new_key: bool = False,
) -> OutboxMessage:
    """Write an already rendered email (e.g. one of allauth's) to the outbox.

    `new_key=True` when the caller knows `idempotency_key` cannot exist yet (it names something
    created in this very transaction, e.g. a new invitation link): the row is inserted without
    looking for an earlier one and without a savepoint (two statements fewer).
    """
    if idempotency_key and not new_key:
        existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    row = email_outbox_row(to=to, template=template, rendered=rendered, language=language, partner=partner,
                           customer=customer, idempotency_key=idempotency_key, topic=topic)
    return email_enqueue_row(row, new_key=new_key)


def email_outbox_row(
    *,
    to: str,
    template: str,
    rendered: RenderedEmail,
    language: str,
    partner: models.Model | None = None,
    customer: models.Model | None = None,
    idempotency_key: str | None = None,
    topic: str = "",
) -> OutboxMessage:
    """The outbox row of a rendered email, sealed but not saved: a caller may build it before it
    takes a lock and write it with `email_enqueue_row` under the lock."""
    return OutboxMessage(
        kind=OutboxKind.EMAIL,
        template=template,
        recipient=to,
        subject=rendered.subject[:300],
        language=language,
        # The Reply-To travels sealed with the body (no column of its own): only invitation emails carry one.
        sealed_body=seal({"text": rendered.text, "html": rendered.html, **({"reply_to": rendered.reply_to} if rendered.reply_to else {})}),
        idempotency_key=idempotency_key,
        topic=topic,
        # `partner`/`customer` are `Model`s, not Partner/Customer: those models sit above notifications
        # (import-linter layers) and are not imported. mypy reports both on the next line.
        partner=partner,  # type: ignore[misc]
        customer=customer,
    )


def email_enqueue_row(row: OutboxMessage, *, new_key: bool = False) -> OutboxMessage:
    """Write a row from `email_outbox_row` and publish it on commit (see `email_enqueue_rendered`
    for `new_key`; without it, an earlier row with the same key wins)."""
    if new_key or not row.idempotency_key:
        # No key, or one that cannot exist yet: the unique key is the INSERT's only constraint checked
        # at once (foreign keys are deferred), so it cannot fail and needs no savepoint.
        row.save(force_insert=True)
    else:
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            # A concurrent enqueue with the same key won the race: that row is the message.
            return OutboxMessage.objects.get(idempotency_key=row.idempotency_key)
    _publish_on_commit(row.pk)
    return row


def email_enqueue_rows(rows: list[OutboxMessage]) -> list[OutboxMessage]:
    """`email_enqueue_row(row, new_key=True)` for many rows with keys that cannot exist yet (new
    links): one INSERT, and each row published after commit."""
    if not rows:
        return rows
    OutboxMessage.objects.bulk_create(rows)
    for row in rows:
        _publish_on_commit(row.pk)
    return rows


class _PendingPublishes:
    """The outbox rows written so far in one transaction, published together when it commits."""

    __slots__ = ("hooks", "message_ids", "published", "savepoints")

    def __init__(self, hooks: list[Any], savepoints: list[str | None]) -> None:
        self.hooks = hooks  # the connection's list of on-commit callbacks this batch's publish was added to
        self.savepoints = savepoints  # the savepoints open when it was added
        self.message_ids: list[int] = []
        self.published = False

    def publish(self) -> None:
        self.published = True
        if len(self.message_ids) == 1:
            outbox_publish(message_id=self.message_ids[0])
        else:
            outbox_publish_many(message_ids=self.message_ids)


def _publish_on_commit(message_id: int) -> None:
    """Publish the row after the transaction commits, together with the other rows it wrote: a
    transaction that writes one row publishes it alone (`outbox_publish`), one that writes many
    publishes them in chunks (`outbox_publish_many`): a broker message and a worker task per chunk
    instead of one per row.

    One on-commit callback carries the rows written at the same savepoint depth of one transaction.
    Django gives the connection a new list of callbacks when the transaction ends and when a
    savepoint rolls back (dropping the callbacks registered inside it), and a savepoint's id is never
    reused: a row written after either, or in another savepoint, starts a batch with a callback of
    its own, so a rolled-back savepoint never takes another row's publish with it. Eager Celery
    (tests) keeps a callback per row: tests run a block's callbacks inside one outer transaction.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        outbox_publish(message_id=message_id)  # what on_commit does outside a transaction: now
        return
    from notifications.tasks import send_outbox_message  # noqa: PLC0415 — notifications.tasks imports this module

    if send_outbox_message.app.conf.task_always_eager:
        transaction.on_commit(partial(outbox_publish, message_id=message_id))
        return
    pending: _PendingPublishes | None = getattr(connection, "_outbox_pending_publishes", None)
    if (pending is None or pending.published or pending.hooks is not connection.run_on_commit
            or pending.savepoints != connection.savepoint_ids):
        pending = _PendingPublishes(connection.run_on_commit, list(connection.savepoint_ids))
        connection._outbox_pending_publishes = pending
        transaction.on_commit(pending.publish)
    pending.message_ids.append(message_id)


# Rows per broker message (one `send_outbox_messages` task): a worker claims and sends them on one
# connection; with several workers, chunks are what spreads a burst across them.
PUBLISH_CHUNK = 25


def outbox_publish_many(*, message_ids: list[int]) -> None:
    """`outbox_publish` for many rows: one broker message (`send_outbox_messages`) per chunk of
    PUBLISH_CHUNK ids, all on one producer. A broker outage is logged, not raised: the sweep
    publishes what is left."""
    from notifications.tasks import send_outbox_messages  # noqa: PLC0415 — notifications.tasks imports this module

    app = send_outbox_messages.app
    if app.conf.task_always_eager:  # tests: each runs here and now, through outbox_publish
        for message_id in message_ids:
            outbox_publish(message_id=message_id)
        return
    done = 0
    try:
        with app.producer_or_acquire() as producer:
            for start in range(0, len(message_ids), PUBLISH_CHUNK):
                send_outbox_messages.apply_async(args=(message_ids[start:start + PUBLISH_CHUNK],), producer=producer)
                done = min(start + PUBLISH_CHUNK, len(message_ids))
    except Exception:
        logger.warning("outbox publish failed; the sweep will retry", extra={"outbox_id": message_ids[done], "left": len(message_ids) - done},
                       exc_info=True)


def outbox_publish(*, message_id: int, countdown: int | None = None) -> bool:
    """Hand the row to Celery (`countdown`: to run no sooner than that many seconds from now). A
    broker outage is logged, not raised: the sweep retries later."""
    from notifications.tasks import send_outbox_message  # noqa: PLC0415 — notifications.tasks imports this module

    try:
        # argsrepr/kwargsrepr: what Celery's saferepr of these arguments gives, without walking them.
        send_outbox_message.apply_async(args=(message_id,), countdown=countdown, argsrepr=f"({int(message_id)},)", kwargsrepr="{}")
    except Exception:
        logger.warning("outbox publish failed; the sweep will retry", extra={"outbox_id": message_id}, exc_info=True)
        return False
    return True


class PermanentDeliveryError(Exception):
    pass


class TemporaryDeliveryError(Exception):
    pass


def classify_smtp_error(exc: BaseException) -> type[Exception]:
    """5xx answers are permanent; 4xx answers, timeouts and dropped connections are temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return PermanentDeliveryError if codes and all(code >= 500 for code in codes) else TemporaryDeliveryError
    if isinstance(exc, smtplib.SMTPResponseException):
        return PermanentDeliveryError if exc.smtp_code >= 500 else TemporaryDeliveryError
    if isinstance(exc, (smtplib.SMTPException, socket.timeout, ConnectionError, OSError)):
        return TemporaryDeliveryError
    return PermanentDeliveryError


def _send(message: OutboxMessage) -> None:
    body = unseal(message.sealed_body)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=body["text"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"X-Partnercenter-Outbox-Id": str(message.pk), "Auto-Submitted": "auto-generated"},
        reply_to=[body["reply_to"]] if body.get("reply_to") else None,
    )
    if body.get("html"):
        email.attach_alternative(body["html"], "text/html")
    try:
        send_email(email)
    except Exception as exc:
        raise classify_smtp_error(exc)(f"{type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str  # "sent", "failed", "retry" or "skipped"
    retry_in_seconds: int = 0


def retry_delay_seconds(attempts: int) -> int:
    """Exponential backoff: base, 2*base, 4*base... capped at one hour."""
    return min(settings.OUTBOX_RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 3600)


def outbox_deliver(*, message_id: int) -> DeliveryOutcome:
    """Deliver one outbox row if it is due.

    The claim (queued → sending) commits before talking to SMTP, so a second task for the same
    row finds nothing to do. A crash between SMTP acceptance and the `sent` mark leaves the row
    `sending`; the sweep queues it again after the lease (the only way to get a duplicate).
    """
    message = _claim(message_id=message_id, now=timezone.now())
    if message is None:
        return DeliveryOutcome("skipped")
    return _deliver_claimed(message)


# Rows claimed per statement by `outbox_deliver_many`: few enough that a worker killed mid-chunk
# leaves few rows `sending` until their lease ends (they were never sent, so none is sent twice).
CLAIM_CHUNK = 10


def outbox_deliver_many(*, message_ids: list[int]) -> list[tuple[int, DeliveryOutcome]]:
    """`outbox_deliver` for many rows (one `send_outbox_messages` task): each due queued row of
    `message_ids` is claimed (CLAIM_CHUNK rows a statement), sent and marked exactly as
    `outbox_deliver` does one, its `sent` mark right after the server accepted it; a row's error
    (a 4xx/5xx answer, a dropped connection) is that row's alone, handled as in `outbox_deliver`,
    and the next rows are sent (on a new connection). Returns each id's outcome, in order."""
    outcomes: list[tuple[int, DeliveryOutcome]] = []
    for start in range(0, len(message_ids), CLAIM_CHUNK):
        chunk = message_ids[start:start + CLAIM_CHUNK]
        claimed = {message.pk: message for message in _claim_many(message_ids=chunk, now=timezone.now())}
        for message_id in chunk:
            message = claimed.pop(message_id, None)
            outcomes.append((message_id, DeliveryOutcome("skipped") if message is None else _deliver_claimed(message)))
    return outcomes


def _deliver_claimed(message: OutboxMessage) -> DeliveryOutcome:
    try:
        _send(message)
    except PermanentDeliveryError as exc:
        _mark_failed(message, str(exc))
        return DeliveryOutcome("failed")
    except TemporaryDeliveryError as exc:
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            _mark_failed(message, str(exc))
            return DeliveryOutcome("failed")
        delay = retry_delay_seconds(message.attempts)
        OutboxMessage.objects.filter(pk=message.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.QUEUED,
            claimed_at=None,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            last_error=str(exc)[:2000],
        )
        return DeliveryOutcome("retry", retry_in_seconds=delay)
    _mark_sent(message)
    return DeliveryOutcome("sent")


# The claim and the sent mark are the two commits of every delivery. On PostgreSQL each is one
# statement (one round trip) that commits without waiting for its WAL flush (`synchronous_commit`
# off for that transaction only): otherwise each waits for an fsync, most of a delivery's database
# time. Other sessions see the change at once, as with any commit, so concurrent tasks and the sweep
# still cannot claim a row twice, and a crash of the worker changes nothing. Only a crash of the
# PostgreSQL server itself can forget the last fraction of a second of these marks
# (wal_writer_delay): a claimed row is then queued again, a sent one `sending` until the lease ends,
# and either is sent once more, the duplicate the design already accepts for a crash between SMTP
# acceptance and the sent mark. The enqueue commits durably as before: no email is ever lost.
# Inside a caller's transaction (never in the worker) the plain ORM statements are used instead, as
# SET LOCAL would relax the caller's own commit. Only the table name is interpolated below.
_TABLE = f'"{OutboxMessage._meta.db_table}"'
_CLAIM_SQL = (
    f"SET LOCAL synchronous_commit TO OFF; UPDATE {_TABLE} SET status = %s, claimed_at = %s, "  # noqa: S608
    "attempts = attempts + 1 WHERE id = %s AND status = %s AND next_attempt_at <= %s RETURNING *"
)
_CLAIM_MANY_SQL = (
    f"SET LOCAL synchronous_commit TO OFF; UPDATE {_TABLE} SET status = %s, claimed_at = %s, "  # noqa: S608
    "attempts = attempts + 1 WHERE id = ANY(%s) AND status = %s AND next_attempt_at <= %s RETURNING *"
)
_MARK_SENT_SQL = (
    f"SET LOCAL synchronous_commit TO OFF; UPDATE {_TABLE} SET status = %s, sent_at = %s, "  # noqa: S608
    "last_error = '' WHERE id = %s AND status = %s"
)


def _single_relaxed_statements() -> bool:
    connection = transaction.get_connection()
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _claim(*, message_id: int, now: datetime) -> OutboxMessage | None:
    """queued and due → sending, attempts + 1; the claimed row, or None if another worker has it (or it is not due)."""
    if not _single_relaxed_statements():
        claimed = OutboxMessage.objects.filter(
            pk=message_id, status=DeliveryStatus.QUEUED, next_attempt_at__lte=now
        ).update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        return OutboxMessage.objects.get(pk=message_id) if claimed == 1 else None
    rows = OutboxMessage.objects.raw(
        _CLAIM_SQL, [DeliveryStatus.SENDING, now, message_id, DeliveryStatus.QUEUED, now]
    )
    return next(iter(rows), None)


def _claim_many(*, message_ids: list[int], now: datetime) -> list[OutboxMessage]:
    """`_claim` for many rows in one statement: the rows of `message_ids` this call claimed."""
    if not _single_relaxed_statements():  # no UPDATE … RETURNING through the ORM: a claim per row
        return [message for message_id in message_ids if (message := _claim(message_id=message_id, now=now)) is not None]
    return list(OutboxMessage.objects.raw(
        _CLAIM_MANY_SQL, [DeliveryStatus.SENDING, now, list(message_ids), DeliveryStatus.QUEUED, now]))


def _mark_sent(message: OutboxMessage) -> None:
    now = timezone.now()
    if not _single_relaxed_statements():
        OutboxMessage.objects.filter(pk=message.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.SENT, sent_at=now, last_error=""
        )
        return
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(_MARK_SENT_SQL, [DeliveryStatus.SENT, now, message.pk, DeliveryStatus.SENDING])


@transaction.atomic
def _mark_failed(message: OutboxMessage, error: str) -> None:
    """Mark the row failed for good; in the same transaction, `outbox_message_failed` lets the app that
    sent it record what that means (e.g. invitations: an invitation that could not be delivered)."""
    updated = OutboxMessage.objects.filter(pk=message.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.FAILED, failed_at=timezone.now(), last_error=error[:2000]
    )
    logger.warning("outbox delivery failed", extra={"outbox_id": message.pk, "error": error[:200]})
    if updated:
        outbox_message_failed.send(sender=OutboxMessage, message=message, error=error)


def outbox_sweep(*, limit: int = 500) -> int:
    """Requeue rows whose worker died mid-send, then publish every due queued row.

    Rows younger than the grace period are left to their own on-commit publish.
    Returns how many rows were published.
    """
    now = timezone.now()
    OutboxMessage.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - timedelta(seconds=settings.OUTBOX_SENDING_LEASE_SECONDS)
    ).update(status=DeliveryStatus.QUEUED, claimed_at=None, next_attempt_at=now)
    due = list(
        OutboxMessage.objects.filter(
            status=DeliveryStatus.QUEUED,
            next_attempt_at__lte=now,
            created_at__lte=now - timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS),
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    published = 0
    for message_id in due:
        if not outbox_publish(message_id=message_id):
            break  # broker down: stop hammering it, the next sweep tries again
        published += 1
    return published


class OutboxError(DomainError):
    pass


@transaction.atomic
def outbox_resend(*, message: OutboxMessage, actor: User | None, reason: str = "") -> OutboxMessage:
    """Queue a failed delivery again with a fresh attempt budget (the reason, if any, is audited)."""
    updated = OutboxMessage.objects.filter(pk=message.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), failed_at=None, claimed_at=None
    )
    if updated != 1:
        raise OutboxError("not_failed", _("Only a failed delivery can be resent."))
    message.refresh_from_db()
    audit_record(
        action=AuditAction.OUTBOX_RESENT,
        actor=actor,
        partner_id=message.partner_id,
        customer_id=message.customer_id,
        target=message,
        before={"status": "failed"},
        after={"status": "queued"},
        data={"reason": reason.strip()} if reason.strip() else None,
    )
    transaction.on_commit(partial(outbox_publish, message_id=message.pk))
    return message
