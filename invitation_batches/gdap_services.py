"""Bulk delegated admin for existing customers (issue 24): one request, many customers.

`delegated_admin_batch_create` checks the roles once, resolves every identifier given (tenant id
or primary domain, a CSV column or the Customers page's selection) to one of the partner's own
customers, stores one row per identifier and queues ONE Celery job. The job makes each customer's
request through the very service a single "Request admin roles" uses (`invitation_create` with
`kind=delegated_admin`: an invitation the customer's global admin approves), each row in its own
transaction together with its row status, so one refusal never undoes the others and a retried
job skips the rows already done. A customer whose active or pending grant (or pending request)
already carries every requested role is `covered`: nothing new is asked.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from customers.choices import CustomerRole
from customers.models import Customer, CustomerMembership
from invitation_batches.choices import BatchSource, BatchStatus, GdapRowStatus
from invitation_batches.csv_format import text_lines
from invitation_batches.errors import BatchError
from invitation_batches.job_runner import rows_walk
from invitation_batches.models import DelegatedAdminBatch, DelegatedAdminBatchRow
from invitation_batches.services import _batch_actor
from invitations.choices import InvitationKind, InvitationStatus
from invitations.create_services import invitation_create
from invitations.models import Invitation
from partnercenter.errors import DomainError
from partners.authz import Permission, authorize
from partners.models import ApiKey, PartnerMembership
from relationships.choices import GrantStatus, RelationshipStatus
from relationships.errors import GrantError
from relationships.models import DelegatedAdminGrant
from relationships.services import validate_grant_request

logger = logging.getLogger(__name__)

HEADER_NAMES = frozenset({"tenant_id", "tenant", "domain", "customer", "primary_domain", "tenant id", "tenant_id_or_domain"})
MAX_IDENTIFIER_CHARS = 253


def identifiers_from_csv(stream: IO[Any] | Iterable[str]) -> Iterator[str]:
    """The first cell of every non-blank line of a CSV (a header row naming the column is skipped)."""
    reader = csv.reader(text_lines(stream))
    first = True
    try:
        for cells in reader:
            value = cells[0].strip().lstrip("\ufeff") if cells else ""
            if first and value.lower() in HEADER_NAMES:
                first = False
                continue
            first = False
            if value:
                yield value
    except csv.Error as exc:
        raise BatchError("malformed_csv", _("Line %(line)s is not valid CSV: %(error)s") % {"line": reader.line_num, "error": exc}) from exc


def identifiers_from_text(text: str) -> Iterator[str]:
    """One tenant id or domain per line (commas and spaces also separate them)."""
    for part in text.replace(",", "\n").split():
        if part.strip():
            yield part.strip()


def _roles_checked(*, roles: list[str], duration_days: int, auto_extend: bool) -> list[str]:
    try:
        return validate_grant_request(roles=list(roles), duration_days=duration_days, auto_extend=auto_extend)
    except GrantError as error:
        raise BatchError(error.code, error.message, field=error.field) from error


def _resolve_chunk(partner_id: int, values: list[str]) -> dict[str, Customer]:
    """The partner's own customers (active relationship) among `values`, by tenant id or lower-cased domain.
    Another partner's customer is simply not found."""
    tenant_ids, domains = [], []
    for value in values:
        try:
            tenant_ids.append(uuid.UUID(value))
        except ValueError:
            domains.append(value.lower())
    found: dict[str, Customer] = {}
    customers = (Customer.objects.alias(domain_lower=Lower("primary_domain"))
                 .filter(relationships__partner_id=partner_id, relationships__status=RelationshipStatus.ACTIVE)
                 .filter(Q(tenant_id__in=tenant_ids) | Q(domain_lower__in=domains)).distinct())
    for customer in customers:
        found[str(customer.tenant_id)] = customer
        found[customer.primary_domain.lower()] = customer
    return found


def _rows_for_chunk(batch: DelegatedAdminBatch, chunk: list[tuple[int, str]], seen: set[int]) -> list[DelegatedAdminBatchRow]:
    found = _resolve_chunk(batch.partner_id, [value for _line, value in chunk if len(value) <= MAX_IDENTIFIER_CHARS])
    rows = []
    for line, value in chunk:
        key = value.lower()
        with contextlib.suppress(ValueError):
            key = str(uuid.UUID(value))
        customer = found.get(key) if len(value) <= MAX_IDENTIFIER_CHARS else None
        row = DelegatedAdminBatchRow(batch=batch, line=line, given=value[:MAX_IDENTIFIER_CHARS], customer=customer)
        if customer is None:
            row.status, row.error_code = GdapRowStatus.NOT_ALLOWED, "not_found"
            row.error_message = _("None of your customers has this tenant id or primary domain.")
            row.processed_at = timezone.now()
        elif customer.pk in seen:
            row.status, row.error_code = GdapRowStatus.NOT_ALLOWED, "duplicate"
            row.error_message = _("This customer is already in the list on an earlier line.")
            row.processed_at = timezone.now()
        else:
            seen.add(customer.pk)
        rows.append(row)
    return rows


@transaction.atomic
def delegated_admin_batch_create(
    *,
    membership: PartnerMembership,
    identifiers: Iterable[str],
    roles: list[str],
    duration_days: int,
    auto_extend: bool = False,
    language: str = "en",
    source: str = BatchSource.UPLOAD,
    api_key: ApiKey | None = None,
) -> DelegatedAdminBatch:
    """Store one row per customer identifier and queue the job that requests the roles from each.

    Pre: the member may request delegated admin; the roles and duration pass the single request's
    checks; 1 to INVITATION_BATCH_MAX_ROWS identifiers. Post: a `queued` batch; rows whose
    identifier is not one of the partner's customers (or repeats one) are already `not_allowed`
    with their reason; an audit event; the job queued after commit. Raises BatchError (nothing
    stored) for bad roles, no identifiers or too many.
    """
    authorize(membership, Permission.REQUEST_DELEGATED_ADMIN)
    roles = _roles_checked(roles=roles, duration_days=duration_days, auto_extend=auto_extend)
    partner = membership.partner
    batch = DelegatedAdminBatch.objects.create(
        partner=partner, membership=membership if membership.pk else None, api_key=api_key, created_by=membership.user,
        source=source, roles=roles, duration_days=duration_days, auto_extend=auto_extend,
        language=language if language in dict(settings.LANGUAGES) else "en",
    )
    limit, size = settings.INVITATION_BATCH_MAX_ROWS, settings.INVITATION_BATCH_CHUNK_ROWS
    seen: set[int] = set()
    chunk: list[tuple[int, str]] = []
    total = 0
    for value in identifiers:
        total += 1
        if total > limit:
            raise BatchError("too_many_rows", _("There are more than %(limit)s customers. Split them into several requests.") % {"limit": limit})
        chunk.append((total, value))
        if len(chunk) >= size:
            DelegatedAdminBatchRow.objects.bulk_create(_rows_for_chunk(batch, chunk, seen))
            chunk = []
    if total == 0:
        raise BatchError("no_rows", _("Choose at least one customer (or upload a CSV with one tenant id or domain per line)."), field="customers")
    DelegatedAdminBatchRow.objects.bulk_create(_rows_for_chunk(batch, chunk, seen))
    DelegatedAdminBatch.objects.filter(pk=batch.pk).update(total_rows=total)
    batch.total_rows = total
    count_rows(batch.pk)
    batch.refresh_from_db()
    audit_record(action=AuditAction.DELEGATED_ADMIN_BATCH_CREATED, actor=membership.user, partner=partner, target=batch,
                 after={"total_rows": total, "roles": roles, "duration_days": duration_days, "auto_extend": auto_extend, "source": source})

    from invitation_batches.tasks import (  # noqa: PLC0415 — see the comment below
        process_delegated_admin_batch,  # tasks imports this module: a top-level import would be a cycle
    )

    transaction.on_commit(partial(process_delegated_admin_batch.delay, batch.pk))
    return batch


def covering_request(*, partner_id: int, customer: Customer, roles: list[str], pending_only: bool = False) -> str:
    """Why nothing new is needed: an active or pending grant, or a pending request, that already
    carries every role in `roles` ("" when none does). `pending_only` (a renewal, whose grant is
    itself active: `renewal_covering` judges the active ones): only pending grants and requests."""
    # Containment is checked here, not with a JSON `__contains` lookup, which SQLite (the embedded default) lacks.
    wanted = set(roles)
    statuses = [GrantStatus.APPROVAL_PENDING] if pending_only else [GrantStatus.ACTIVE, GrantStatus.APPROVAL_PENDING]
    covering = sorted(status for status, granted in DelegatedAdminGrant.objects.filter(
        partner_id=partner_id, customer=customer, status__in=statuses,
    ).values_list("status", "roles") if wanted <= set(granted))
    if covering and covering[0] == GrantStatus.ACTIVE:
        return _("An active delegated admin grant already carries these roles.")
    if covering:
        return _("A delegated admin grant with these roles is waiting for the customer's approval.")
    requested = Invitation.objects.alias(domain_lower=Lower("target_domain")).filter(
        partner_id=partner_id, kind=InvitationKind.DELEGATED_ADMIN, status=InvitationStatus.PENDING,
        domain_lower=customer.primary_domain.lower(),
    ).values_list("requested_roles", flat=True)
    if any(wanted <= set(asked) for asked in requested):
        return _("A pending request for these roles is waiting for the customer.")
    return ""


def renewal_covering(*, grant: DelegatedAdminGrant, roles: list[str]) -> str:
    """Why renewing `grant` asks nothing new: a newer active grant of the customer already carries the roles ("" if none).
    (Pending grants and requests are the batch's ordinary `covering_request`.)"""
    wanted, customer_id = set(roles), grant.customer_id
    if customer_id is None:  # a customerless Graph draft is never renewed (the batch refuses it before)
        return ""
    newer = DelegatedAdminGrant.objects.filter(partner_id=grant.partner_id, customer_id=customer_id,
                                               status=GrantStatus.ACTIVE).exclude(pk=grant.pk)
    if grant.ends_at is not None:
        newer = newer.filter(ends_at__gt=grant.ends_at)
    if any(wanted <= set(granted) for granted in newer.values_list("roles", flat=True)):
        return _("Already renewed: a newer active grant carries these roles.")
    return ""


def _global_admin_email(customer: Customer) -> str:
    return (CustomerMembership.objects.filter(customer=customer, role=CustomerRole.GLOBAL_ADMIN, user__is_active=True)
            .order_by("pk").values_list("user__email", flat=True).first()) or ""


class _AlreadyDone(Exception):
    """The row was processed by an earlier run of the job: undo this attempt quietly."""


def delegated_admin_batch_process(*, batch_id: int, clock: Callable[[], float] = time.monotonic) -> int:
    """The job: each waiting row's request, in line order, a chunk at a time; returns the rows handled."""
    claimed = DelegatedAdminBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED).update(status=BatchStatus.RUNNING, started_at=timezone.now())
    batch = DelegatedAdminBatch.objects.select_related("partner").filter(pk=batch_id).first()
    if batch is None or (not claimed and batch.status != BatchStatus.RUNNING):
        return 0
    size = settings.INVITATION_BATCH_CHUNK_ROWS
    handled = rows_walk(
        next_chunk=lambda after: list(DelegatedAdminBatchRow.objects.select_related("customer", "renews_grant")
                                      .filter(batch_id=batch_id, status=GdapRowStatus.PENDING, line__gt=after).order_by("line")[:size]),
        actor_for=lambda: _batch_actor(batch),
        process=lambda row, actor: _process_row(batch, row, actor),
        count=lambda: count_rows(batch_id),
        clock=clock,
    )
    with transaction.atomic():
        count_rows(batch_id)
        if DelegatedAdminBatch.objects.filter(pk=batch_id, status=BatchStatus.RUNNING).update(status=BatchStatus.COMPLETED, finished_at=timezone.now()):
            batch.refresh_from_db()
            audit_record(action=AuditAction.DELEGATED_ADMIN_BATCH_COMPLETED, actor=None, partner=batch.partner, target=batch,
                         after={"created": batch.created_rows, "covered_rows": batch.covered_rows, "refused_rows": batch.refused_rows})
    return handled


def _process_row(batch: DelegatedAdminBatch, row: DelegatedAdminBatchRow, membership: PartnerMembership | None) -> None:
    try:
        with transaction.atomic():
            if membership is None:
                raise DomainError("forbidden", _("The partner user or API key that made this request no longer exists or was revoked."))
            customer = row.customer
            assert customer is not None  # rows without a customer are not_allowed from the start
            # A renewal row (issue 24 item 2) carries its grant's request; an ordinary row asks for the batch's.
            roles = list(row.roles) if row.roles is not None else list(batch.roles)
            duration_days = row.duration_days or batch.duration_days
            auto_extend = batch.auto_extend if row.auto_extend is None else row.auto_extend
            renewed = row.renews_grant
            covered = ((renewal_covering(grant=renewed, roles=roles) if renewed is not None else "")
                       or covering_request(partner_id=batch.partner_id, customer=customer, roles=roles, pending_only=renewed is not None))
            if covered:
                updated = DelegatedAdminBatchRow.objects.filter(pk=row.pk, status=GdapRowStatus.PENDING).update(
                    status=GdapRowStatus.COVERED, error_code="covered", error_message=covered, processed_at=timezone.now())
            else:
                recipient = _global_admin_email(customer)
                invitation = invitation_create(
                    membership=membership, include_delegated_admin=True, kind=InvitationKind.DELEGATED_ADMIN, customer=customer,
                    roles=roles, duration_days=duration_days, auto_extend=auto_extend,
                    recipient_email=recipient, language=batch.language, send_email=bool(recipient),
                )
                if renewed is not None:  # the renewed grant's own event (a webhook `grant.renewal_requested`)
                    audit_record(action=AuditAction.GRANT_RENEWAL_REQUESTED, actor=membership.user, partner=batch.partner,
                                 customer=customer, target=renewed,
                                 after={"invitation_id": invitation.pk, "roles": roles, "duration_days": duration_days,
                                        "auto_extend": auto_extend, "batch_id": batch.pk})
                updated = DelegatedAdminBatchRow.objects.filter(pk=row.pk, status=GdapRowStatus.PENDING).update(
                    status=GdapRowStatus.CREATED, invitation=invitation, processed_at=timezone.now())
            if not updated:
                raise _AlreadyDone
    except _AlreadyDone:
        return
    except DomainError as error:  # the single request's refusal, with its reason
        _refuse_row(row, code=error.code, message=error.message)
    except Exception:  # one broken row must not stop the others; the log has the details
        logger.exception("bulk delegated admin row failed", extra={"batch_id": batch.pk, "line": row.line})
        _refuse_row(row, code="unexpected_error", message=_("Something went wrong with this customer; nothing was requested. Try it again later."))


def _refuse_row(row: DelegatedAdminBatchRow, *, code: str, message: str) -> None:
    DelegatedAdminBatchRow.objects.filter(pk=row.pk, status=GdapRowStatus.PENDING).update(
        status=GdapRowStatus.NOT_ALLOWED, error_code=code, error_message=message, processed_at=timezone.now())


def count_rows(batch_id: int) -> None:
    """Progress counters from the rows' statuses, in one UPDATE."""
    rows = DelegatedAdminBatchRow.objects.filter(batch_id=batch_id).order_by().values("batch_id")

    def count(*statuses: str) -> Subquery:
        return Subquery(rows.filter(status__in=statuses).annotate(n=Count("pk")).values("n")[:1])

    DelegatedAdminBatch.objects.filter(pk=batch_id).update(
        done_rows=Coalesce(count(GdapRowStatus.CREATED, GdapRowStatus.COVERED, GdapRowStatus.NOT_ALLOWED), 0),
        created_rows=Coalesce(count(GdapRowStatus.CREATED), 0),
        covered_rows=Coalesce(count(GdapRowStatus.COVERED), 0),
        refused_rows=Coalesce(count(GdapRowStatus.NOT_ALLOWED), 0),
    )
