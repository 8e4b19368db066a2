"""Service request actions: file, move the status, add a note (partner side or customer side).

Each is one transaction: validate, lock the row, conditional UPDATE from the state read, audit
event (which raises the webhook) and outbox rows. A status "change" to the current status is a
no-op: nothing is written, no event, no webhook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import actor_label_for, audit_record
from customers.selectors import customer_actor, customer_global_admins
from notifications.choices import NotificationAudience, NotificationKind
from notifications.inbox import EmailSpec, notify_user
from partnercenter import request_context
from partnercenter.errors import DomainError
from partnercenter.links import absolute_url
from partners.authz import Permission, authorize
from partners.choices import PartnerRole
from partners.models import PartnerMembership
from partners.selectors import partner_users_with_roles
from servicerequests.choices import SERVICE_REQUEST_TRANSITIONS, NoteSide, ServiceRequestStatus, Severity
from servicerequests.models import ServiceRequest, ServiceRequestNote

if TYPE_CHECKING:
    from accounts.models import User
    from customers.models import Customer

MAX_TITLE = 200
MAX_TEXT = 10_000


class ServiceRequestError(DomainError):
    pass


def _label(user: User) -> str:
    context = request_context.current()
    if context.actor_user_id is not None and user.pk == context.actor_user_id and context.actor_label:
        return context.actor_label  # an API key's technical user
    return actor_label_for(user)


def _clean_text(value: str, *, field: str, limit: int, required_message: str) -> str:
    value = value.strip()
    if not value:
        raise ServiceRequestError(f"{field}_required", required_message, field=field)
    if len(value) > limit:
        raise ServiceRequestError("too_long", _("At most %(n)s characters.") % {"n": limit}, field=field)
    return value


def _snapshot(service_request: ServiceRequest) -> dict[str, str]:
    return {"status": service_request.status, "severity": service_request.severity, "title": service_request.title}


def _tell_customer(service_request: ServiceRequest, event: str) -> None:
    """The customer's global admins hear when a partner files or closes a request for them (in-app,
    and by email as each chose: notifications.inbox.notify_user)."""
    customer = service_request.customer
    for user in customer_global_admins(customer=customer):
        notify_user(
            user=user, kind=NotificationKind.SERVICE_REQUEST_UPDATED, audience=NotificationAudience.CUSTOMER,
            customer_id=customer.pk,
            params={"partner": service_request.partner.name, "number": service_request.number, "event": event},
            url=reverse("customer_service_requests:detail", kwargs={"tenant_id": customer.tenant_id, "pk": service_request.pk}),
            email=EmailSpec(
                template="servicerequests/email/customer_event",
                context={"event": event, "partner_name": service_request.partner.name, "number": service_request.number,
                         "title": service_request.title, "customer_name": customer.company_name,
                         "url": absolute_url("customer_service_requests:detail", tenant_id=customer.tenant_id,
                                             pk=service_request.pk)},
                partner=service_request.partner, customer=customer,
                idempotency_key=f"service_request:{service_request.pk}:{event}:{user.pk}",
                topic=f"service_request:{service_request.pk}"),
        )


def _partner_recipients(service_request: ServiceRequest) -> list[User]:
    """Who filed it, while they work for the partner; otherwise its admin agents and account admins."""
    creator = service_request.created_by
    if creator is not None and PartnerMembership.objects.filter(partner_id=service_request.partner_id, user=creator).exists():
        return [creator]
    return partner_users_with_roles(partner=service_request.partner, roles={PartnerRole.ADMIN_AGENT, PartnerRole.ACCOUNT_ADMIN})


def _tell_partner_of_note(service_request: ServiceRequest, note: ServiceRequestNote) -> None:
    """The partner hears when the customer answers in the thread (issue 24 item 6: before, nobody was told)."""
    partner, customer = service_request.partner, service_request.customer
    for user in _partner_recipients(service_request):
        notify_user(
            user=user, kind=NotificationKind.SERVICE_REQUEST_UPDATED, audience=NotificationAudience.PARTNER,
            partner_id=partner.pk, params={"customer": customer.company_name, "number": service_request.number},
            url=reverse("service_requests:detail", kwargs={"partner_id": partner.partner_id, "pk": service_request.pk}),
            email=EmailSpec(
                template="servicerequests/email/partner_note",
                context={"partner_name": partner.name, "customer_name": customer.company_name,
                         "number": service_request.number, "title": service_request.title, "author": note.author_label,
                         "url": absolute_url("service_requests:detail", partner_id=partner.partner_id, pk=service_request.pk)},
                partner=partner, customer=customer, idempotency_key=f"service_request_note:{note.pk}:{user.pk}",
                topic=f"service_request:{service_request.pk}", new_key=True),
        )


@transaction.atomic
def service_request_create(
    *, membership: PartnerMembership, customer: Customer, title: str, description: str, severity: str = Severity.MODERATE
) -> ServiceRequest:
    """File a request on the customer's behalf.

    Pre: the partner has an active relationship with the customer and the member may file
    (servicerequests.permissions.filing_decision); title, description and a known severity.
    Post: an `open` request, audit event `service_request.created` (webhook), the customer's
    global admins emailed.
    """
    title = " ".join(_clean_text(title, field="title", limit=MAX_TITLE, required_message=_("Give the request a title.")).split())
    description = _clean_text(description, field="description", limit=MAX_TEXT,
                              required_message=_("Describe the problem or the change needed."))
    if severity not in Severity.values:
        raise ServiceRequestError("unknown_severity", _("Choose a severity."), field="severity")
    authorize(membership, Permission.FILE_SERVICE_REQUEST, customer)
    now = timezone.now()
    service_request = ServiceRequest.objects.create(
        partner_id=membership.partner_id, customer=customer, title=title, description=description, severity=severity,
        created_by=membership.user, created_by_label=_label(membership.user), created_at=now, updated_at=now, status_changed_at=now,
    )
    service_request.partner = membership.partner
    audit_record(action=AuditAction.SERVICE_REQUEST_CREATED, actor=membership.user, partner=membership.partner, customer=customer,
                 target=service_request, after=_snapshot(service_request))
    _tell_customer(service_request, "created")
    return service_request


def _locked(service_request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update(of=("self",)).select_related("partner", "customer").get(pk=service_request.pk)


@transaction.atomic
def service_request_set_status(
    *, service_request: ServiceRequest, membership: PartnerMembership, status: str
) -> tuple[ServiceRequest, bool]:
    """Move the request to `status` along the allowed transitions. Returns (request, changed).

    The same status again is a no-op (changed=False: no write, no audit event, no webhook).
    Closing emails the customer's global admins. Raises `invalid_transition` otherwise.
    """
    if status not in ServiceRequestStatus.values:
        raise ServiceRequestError("unknown_status", _("Unknown status."), field="status")
    locked = _locked(service_request)
    if locked.partner_id != membership.partner_id:
        raise ServiceRequestError("not_found", _("Unknown service request."))
    authorize(membership, Permission.FILE_SERVICE_REQUEST, locked.customer)
    if locked.status == status:
        return locked, False
    if status not in SERVICE_REQUEST_TRANSITIONS[locked.status]:
        raise ServiceRequestError(
            "invalid_transition",
            _("A request that is %(current)s cannot become %(new)s.") % {
                "current": ServiceRequestStatus(locked.status).label, "new": ServiceRequestStatus(status).label},
            field="status",
        )
    now = timezone.now()
    before = _snapshot(locked)
    closed_at = now if status == ServiceRequestStatus.CLOSED else None
    updated = ServiceRequest.objects.filter(pk=locked.pk, status=locked.status).update(
        status=status, status_changed_at=now, updated_at=now, closed_at=closed_at)
    if updated != 1:  # pragma: no cover - the row is locked; kept as the conditional-update guard
        raise ServiceRequestError("conflict", _("The request changed meanwhile; reload it."))
    locked.status, locked.status_changed_at, locked.updated_at, locked.closed_at = status, now, now, closed_at
    action = AuditAction.SERVICE_REQUEST_CLOSED if status == ServiceRequestStatus.CLOSED else AuditAction.SERVICE_REQUEST_STATUS_CHANGED
    audit_record(action=action, actor=membership.user, partner=locked.partner, customer=locked.customer, target=locked,
                 before=before, after=_snapshot(locked))
    if status == ServiceRequestStatus.CLOSED:
        _tell_customer(locked, "closed")
    return locked, True


def _add_note(locked: ServiceRequest, *, user: User, side: str, body: str) -> ServiceRequestNote:
    body = _clean_text(body, field="body", limit=MAX_TEXT, required_message=_("Write the note."))
    now = timezone.now()
    note = ServiceRequestNote.objects.create(service_request=locked, side=side, author=user, author_label=_label(user), body=body,
                                             created_at=now)
    ServiceRequest.objects.filter(pk=locked.pk).update(updated_at=now)
    locked.updated_at = now
    audit_record(action=AuditAction.SERVICE_REQUEST_NOTE_ADDED, actor=user, partner=locked.partner, customer=locked.customer,
                 target=locked, data={"note_id": note.pk, "side": side, "status": locked.status})
    return note


@transaction.atomic
def service_request_note_add(*, service_request: ServiceRequest, membership: PartnerMembership, body: str) -> ServiceRequestNote:
    """The partner adds a note to the thread (same rule as filing; a closed request takes no notes)."""
    locked = _locked(service_request)
    if locked.partner_id != membership.partner_id:
        raise ServiceRequestError("not_found", _("Unknown service request."))
    authorize(membership, Permission.FILE_SERVICE_REQUEST, locked.customer)
    if locked.status == ServiceRequestStatus.CLOSED:
        raise ServiceRequestError("closed", _("This request is closed; file a new one."))
    return _add_note(locked, user=membership.user, side=NoteSide.PARTNER, body=body)


@transaction.atomic
def service_request_note_add_by_customer(*, service_request: ServiceRequest, user: User, body: str) -> ServiceRequestNote:
    """A global admin of the customer answers in the thread (its admin center)."""
    locked = _locked(service_request)
    authorize(customer_actor(user=user, customer=locked.customer), Permission.ANSWER_SERVICE_REQUEST, locked,
              message=_("Only a global admin of %(customer)s can add notes.") % {"customer": locked.customer.company_name})
    if locked.status == ServiceRequestStatus.CLOSED:
        raise ServiceRequestError("closed", _("This request is closed; ask the partner to file a new one."))
    note = _add_note(locked, user=user, side=NoteSide.CUSTOMER, body=body)
    _tell_partner_of_note(locked, note)
    return note
