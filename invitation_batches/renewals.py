"""Renewals of delegated admin grants (issue 24 item 2): which grants near their end are renewed,
and renewing a selection in one action.

A renewal is an ordinary delegated admin request (a `delegated_admin` invitation the customer's
global admin approves, as usual) for the same customer and the same roles as the grant it renews.
Renewing a selection makes one bulk delegated admin batch (`invitation_batches.gdap_services`)
whose rows come from the selected grants: each row carries its grant and that grant's request
(roles; duration and auto-extend, by default the grant's own), and the same job makes the requests.

A grant nearing its end (active, ending within the widest renewal window) is
- `renewed` when another active grant of the same customer carries every one of its roles and ends later;
- `requested` when a grant waiting for approval, or a pending request, carries them (with its date);
- `not_renewed` otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.actions import AuditAction
from audit.services import audit_record
from invitation_batches.choices import BatchSource, GdapRowStatus
from invitation_batches.errors import BatchError
from invitation_batches.gdap_services import count_rows
from invitation_batches.models import DelegatedAdminBatch, DelegatedAdminBatchRow
from invitation_batches.tasks import process_delegated_admin_batch
from invitations.choices import InvitationKind, InvitationStatus
from invitations.models import Invitation
from partnercenter.directory_roles import ALL_ROLES, MAX_DURATION_DAYS, MIN_DURATION_DAYS
from partners.authz import Permission, authorize
from partners.models import ApiKey, PartnerMembership
from relationships.choices import GrantStatus
from relationships.errors import GrantError
from relationships.models import DelegatedAdminGrant
from relationships.selectors import RENEWAL_WINDOWS
from relationships.services import access_assignments_carry_over, validate_grant_request

if TYPE_CHECKING:
    from audit.models import AuditEvent

RENEWABLE_STATUSES = (GrantStatus.ACTIVE, GrantStatus.EXPIRED)
# The largest grant id a client can name (PostgreSQL bigint); larger ones are refused by the API's input checks.
MAX_GRANT_ID = 2**63 - 1


class RenewalStatus(models.TextChoices):
    REQUESTED = "requested", gettext_lazy("Renewal requested")
    RENEWED = "renewed", gettext_lazy("Renewed")
    NOT_RENEWED = "not_renewed", gettext_lazy("Not renewed")


@dataclass(frozen=True)
class Renewal:
    """Where the renewal of one grant nearing its end stands (`requested_at`: when the covering request was made)."""

    status: str
    requested_at: datetime | None = None

    @property
    def label(self) -> str:
        return str(RenewalStatus(self.status).label)


def _nearing_end(grant: DelegatedAdminGrant, now: datetime) -> bool:
    return (grant.status == GrantStatus.ACTIVE and grant.ends_at is not None
            and now < grant.ends_at <= now + timedelta(days=max(RENEWAL_WINDOWS)))


def renewal_statuses(*, partner_id: int, grants: Iterable[DelegatedAdminGrant], now: datetime | None = None) -> dict[int, Renewal]:
    """The renewal status of each grant nearing its end among `grants` (their customers loaded), by grant id.

    Two queries whatever the number of grants: the customers' other open grants, and the partner's
    pending delegated admin requests to the customers' domains.
    """
    now = now or timezone.now()
    nearing = [grant for grant in grants if _nearing_end(grant, now) and grant.customer is not None]
    if not nearing:
        return {}
    others: dict[int, list[tuple[int, str, set[str], datetime | None, datetime]]] = {}
    for pk, customer_id, status, roles, ends_at, requested_at in DelegatedAdminGrant.objects.filter(
        partner_id=partner_id, customer_id__in={grant.customer_id for grant in nearing},
        status__in=[GrantStatus.ACTIVE, GrantStatus.APPROVAL_PENDING],
    ).values_list("pk", "customer_id", "status", "roles", "ends_at", "requested_at"):
        others.setdefault(customer_id, []).append((pk, status, set(roles), ends_at, requested_at))
    requests: dict[str, list[tuple[set[str], datetime]]] = {}
    domains = {grant.customer.primary_domain.lower() for grant in nearing if grant.customer is not None}
    for domain, roles, created_at in Invitation.objects.alias(domain_lower=Lower("target_domain")).filter(
        partner_id=partner_id, kind=InvitationKind.DELEGATED_ADMIN, status=InvitationStatus.PENDING, domain_lower__in=domains,
    ).values_list(Lower("target_domain"), "requested_roles", "created_at"):
        requests.setdefault(domain, []).append((set(roles), created_at))

    result: dict[int, Renewal] = {}
    for grant in nearing:
        assert grant.customer is not None and grant.ends_at is not None  # _nearing_end
        wanted = set(grant.roles)
        candidates = others.get(grant.customer.pk, [])
        if any(pk != grant.pk and status == GrantStatus.ACTIVE and wanted <= roles and ends_at is not None and ends_at > grant.ends_at
               for pk, status, roles, ends_at, _requested in candidates):
            result[grant.pk] = Renewal(RenewalStatus.RENEWED)
            continue
        dates = [requested for pk, status, roles, _ends, requested in candidates
                 if pk != grant.pk and status == GrantStatus.APPROVAL_PENDING and wanted <= roles]
        dates += [created for roles, created in requests.get(grant.customer.primary_domain.lower(), []) if wanted <= roles]
        result[grant.pk] = Renewal(RenewalStatus.REQUESTED, max(dates)) if dates else Renewal(RenewalStatus.NOT_RENEWED)
    return result


def renewal_attach(*, partner_id: int, grants: Iterable[DelegatedAdminGrant], now: datetime | None = None) -> None:
    """Set `grant.renewal` (a Renewal, or None for a grant not nearing its end) on each grant, for pages."""
    grants = list(grants)
    statuses = renewal_statuses(partner_id=partner_id, grants=grants, now=now)
    for grant in grants:
        grant.renewal = statuses.get(grant.pk)  # type: ignore[attr-defined]  # a page attribute, like the 360 row's


def _renewal_row(batch: DelegatedAdminBatch, line: int, grant_id: int, grant: DelegatedAdminGrant | None,
                 duration_days: int | None, auto_extend: bool | None) -> DelegatedAdminBatchRow:
    row = DelegatedAdminBatchRow(batch=batch, line=line, given=grant.display_name if grant else f"#{grant_id}",
                                 customer=grant.customer if grant else None, renews_grant=grant)
    refusal: tuple[str, str] | None = None
    if grant is None:
        refusal = ("not_found", _("None of your delegated admin grants has this id."))
    elif grant.status not in RENEWABLE_STATUSES:
        refusal = ("not_renewable", _("Only an active or expired grant can be renewed; this one is: %(status)s.")
                   % {"status": grant.get_status_display()})
    else:
        row.roles = list(grant.roles)
        row.duration_days = duration_days or grant.duration_days
        row.auto_extend = grant.auto_extend if auto_extend is None else auto_extend
        try:
            row.roles = validate_grant_request(roles=row.roles, duration_days=row.duration_days, auto_extend=row.auto_extend)
        except GrantError as error:
            refusal = (error.code, error.message)
    if refusal is not None:
        row.status, (row.error_code, row.error_message) = GdapRowStatus.NOT_ALLOWED, refusal
        row.processed_at = timezone.now()
    return row


@transaction.atomic
def delegated_admin_renewal_batch_create(
    *,
    membership: PartnerMembership,
    grant_ids: Iterable[int],
    duration_days: int | None = None,
    auto_extend: bool | None = None,
    language: str = "en",
    api_key: ApiKey | None = None,
) -> DelegatedAdminBatch:
    """Renew the selected grants: one bulk delegated admin batch whose rows come from them, and its job queued.

    Each renewable grant (active or expired) becomes a row asking its customer for the same roles, for
    `duration_days` (None: each grant's own) with `auto_extend` (None: each grant's own). Another
    partner's grant, or an unknown id, is a `not_allowed` row (`not_found`) exactly like a grant that
    does not exist; a grant that cannot be renewed, or whose request would break the single request's
    rules, is `not_allowed` with the reason. The job marks `covered` a row whose customer already has a
    newer active grant, a grant waiting for approval or a pending request with these roles.

    Pre: the member may request delegated admin; 1 to INVITATION_BATCH_MAX_ROWS ids (repeats count once).
    Post: a `queued` batch (source `renewal`), an audit event, the job queued after commit; per row the
    job records `grant.renewal_requested` on the renewed grant. Raises BatchError (nothing stored) for
    no ids, too many, or a duration out of range.
    """
    authorize(membership, Permission.REQUEST_DELEGATED_ADMIN)
    ids = list(dict.fromkeys(int(pk) for pk in grant_ids))
    if not ids:
        raise BatchError("no_rows", _("Choose at least one grant to renew."), field="grants")
    limit = settings.INVITATION_BATCH_MAX_ROWS
    if len(ids) > limit:
        raise BatchError("too_many_rows", _("There are more than %(limit)s customers. Split them into several requests.") % {"limit": limit})
    if duration_days is not None and not MIN_DURATION_DAYS <= duration_days <= MAX_DURATION_DAYS:
        raise BatchError("invalid_duration", _("The duration must be between 1 and 730 days."), field="duration_days")
    partner = membership.partner
    grants = {grant.pk: grant for grant in DelegatedAdminGrant.objects.filter(
        partner=partner, customer__isnull=False, pk__in=[pk for pk in ids if 0 < pk <= MAX_GRANT_ID]).select_related("customer")}
    batch = DelegatedAdminBatch.objects.create(
        partner=partner, membership=membership if membership.pk else None, api_key=api_key, created_by=membership.user,
        source=BatchSource.RENEWAL, roles=[], duration_days=duration_days or MAX_DURATION_DAYS, auto_extend=bool(auto_extend),
        language=language if language in dict(settings.LANGUAGES) else "en", total_rows=len(ids),
    )
    rows = [_renewal_row(batch, line, pk, grants.get(pk), duration_days, auto_extend) for line, pk in enumerate(ids, start=1)]
    DelegatedAdminBatchRow.objects.bulk_create(rows, batch_size=settings.INVITATION_BATCH_CHUNK_ROWS)
    # The batch's summary: every role requested (catalog order) and, when each grant keeps its own, the longest duration.
    asked = {role for row in rows if row.roles for role in row.roles}
    batch.roles = [role.id for role in ALL_ROLES if role.id in asked]
    if duration_days is None:
        batch.duration_days = max((row.duration_days or 0 for row in rows), default=0) or MAX_DURATION_DAYS
    DelegatedAdminBatch.objects.filter(pk=batch.pk).update(roles=batch.roles, duration_days=batch.duration_days)
    count_rows(batch.pk)
    batch.refresh_from_db()
    audit_record(action=AuditAction.DELEGATED_ADMIN_BATCH_CREATED, actor=membership.user, partner=partner, target=batch,
                 after={"total_rows": len(ids), "roles": batch.roles, "source": BatchSource.RENEWAL, "renews_grants": ids[:100],
                        "duration_days": duration_days, "auto_extend": auto_extend})

    transaction.on_commit(partial(process_delegated_admin_batch.delay, batch.pk))
    return batch


def renewal_assignments_on_approval(*, event: AuditEvent, **kwargs: object) -> None:
    """audit.signals.event_recorded receiver: when the customer approves a renewal (a grant requested by a renewal
    row's invitation), the renewed grant's security-group assignments carry over to the new grant, in the approval's
    transaction. One query for any other approval; nothing for any other event."""
    if event.action != AuditAction.GRANT_APPROVED or not event.target_id:
        return
    row = (DelegatedAdminBatchRow.objects.filter(
        renews_grant__isnull=False,
        invitation__in=DelegatedAdminGrant.objects.filter(pk=int(event.target_id)).values("requested_by_invitation"))
        .select_related("renews_grant").first())
    if row is None or row.renews_grant is None:
        return
    target = DelegatedAdminGrant.objects.get(pk=int(event.target_id))
    access_assignments_carry_over(source=row.renews_grant, target=target)
