from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnercenter.directory_roles import role_names
from partners.choices import partner_role_label
from relationships.choices import (
    GrantOperationStatus,
    GrantOperationType,
    GrantRequestAction,
    GrantRequestStatus,
    GrantStatus,
    RelationshipStatus,
    RelationshipType,
)
from relationships.errors import GrantError

if TYPE_CHECKING:
    from customers.models import Customer


class Relationship(models.Model):
    """A partner is the customer's reseller. At most one *active* row per (partner, customer).

    A customer may have many partners (multi-partner). A terminated relationship stays as
    history; a new accepted invitation establishes a new row.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="relationships")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="relationships")
    relationship_type = models.CharField(_("type"), max_length=24, choices=RelationshipType.choices, default=RelationshipType.RESELLER)
    indirect_provider = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("indirect provider")
    )
    status = models.CharField(_("status"), max_length=16, choices=RelationshipStatus.choices, default=RelationshipStatus.ACTIVE)
    established_by = models.ForeignKey(
        "invitations.Invitation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("established by invitation"),
    )
    established_at = models.DateTimeField(_("since"), default=timezone.now)
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True)
    terminated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    termination_reason = models.TextField(_("termination reason"), blank=True)

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        ordering = ["-established_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "customer"],
                condition=Q(status=RelationshipStatus.ACTIVE),
                name="relationships_one_active_per_partner_customer",
                violation_error_message=_("This partner already has an active relationship with this customer."),
            ),
            models.CheckConstraint(
                condition=~Q(status=RelationshipStatus.TERMINATED) | Q(terminated_at__isnull=False),
                name="relationships_terminated_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "status", "customer"], name="relationship_partner_status"),
            # A partner's customers newest first (the API's default order, "since" on the Customers
            # page): the page's rows straight from the index instead of sorting every relationship.
            models.Index(fields=["partner", "status", "-established_at", "-id"], name="relationship_partner_since"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} ↔ {self.customer} ({self.status})"


class DelegatedAdminGrant(models.Model):
    """Time-bound admin roles a customer grants (or is asked to grant) to a partner.

    `approval_pending` until the customer's global admin approves; `active` between `starts_at`
    and `ends_at`; then `expired` (or extended when `auto_extend`), `terminated` by either side.
    The full lifecycle lives in relationships.services.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="grants")
    # Null only for a draft (`created`) made through the Graph surface without a customer (Graph allows
    # it until lockForApproval); consoles and /api/v1 list grants with a customer only.
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="grants", null=True, blank=True)
    # The customer's display name as the partner sent it (Graph keeps it); empty: the customer's company name.
    customer_display_name = models.CharField(_("customer display name"), max_length=256, blank=True, default="")
    display_name = models.CharField(_("display name"), max_length=100)
    roles = models.JSONField(_("roles"), default=list)
    duration_days = models.PositiveIntegerField(_("duration (days)"))
    auto_extend = models.BooleanField(_("auto-extend"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=GrantStatus.choices, default=GrantStatus.APPROVAL_PENDING)
    requested_by_invitation = models.ForeignKey(
        "invitations.Invitation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    request_expires_at = models.DateTimeField(_("request expires at"))
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True)
    terminated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    termination_reason = models.TextField(_("termination reason"), blank=True)
    # The Graph-compatible surface: the first half of the relationship id (the second is the
    # partner's tenant GUID), and when anything a client can see last changed.
    graph_guid = models.UUIDField(_("Graph id"), default=uuid.uuid4, unique=True, editable=False)
    modified_at = models.DateTimeField(_("last modified at"), default=timezone.now)

    class Meta:
        verbose_name = _("delegated admin grant")
        verbose_name_plural = _("delegated admin grants")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "display_name"], name="relationships_grant_display_name_per_partner"),
            models.CheckConstraint(condition=Q(duration_days__gte=1, duration_days__lte=730), name="relationships_grant_duration_range"),
            models.CheckConstraint(
                condition=~Q(status=GrantStatus.ACTIVE) | Q(starts_at__isnull=False, ends_at__isnull=False),
                name="relationships_grant_active_has_window",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "customer", "status"], name="grant_partner_customer_status"),
            # The funnel's "expiring in 30/60/90 days" and the renewal windows: the window's grants only,
            # whatever the partner's size, read from the index alone (customer included: issue 25).
            models.Index(fields=["partner", "status", "ends_at"], include=["customer"], name="grant_partner_status_ends_c"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.status})"

    @property
    def customer_required(self) -> Customer:
        """The customer of a grant past the draft stage (`grant_lock_for_approval` refuses a draft without one)."""
        customer = self.customer
        if customer is None:
            raise GrantError("no_customer", gettext("This relationship has no customer yet: name the customer first."))
        return customer

    @property
    def role_names(self) -> list[str]:
        return role_names(self.roles)

    @property
    def days_left(self) -> int | None:
        if self.status != GrantStatus.ACTIVE or self.ends_at is None:
            return None
        return max((self.ends_at - timezone.now()).days, 0)

    @property
    def expiring_soon(self) -> bool:
        left = self.days_left
        return left is not None and left <= 30


class AccessAssignment(models.Model):
    """Which of a grant's directory roles an access container receives.

    The access container is a partner security group (`security_group`, Graph's
    `accessContainer.accessContainerId` is its object id): its members receive the roles. A legacy
    assignment names a partner role instead (`partner_role`, `security_group` empty): every user
    holding that role receives them. Approval still assigns the defaults by partner role (admin
    agents get every granted role, helpdesk agents the helpdesk/support ones); migration
    0007_access_assignment_groups_secgroups moved the rows that existed before groups onto one
    "<Role> (migrated)" group per partner role, keeping `partner_role` as where they came from.
    """

    grant = models.ForeignKey(DelegatedAdminGrant, on_delete=models.CASCADE, related_name="access_assignments")
    partner_role = models.CharField(_("partner role"), max_length=24, blank=True, default="")
    security_group = models.ForeignKey(
        "partners.PartnerSecurityGroup", on_delete=models.CASCADE, null=True, blank=True, related_name="access_assignments",
        verbose_name=_("security group"),
    )
    roles = models.JSONField(_("directory roles"), default=list)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    graph_guid = models.UUIDField(_("Graph id"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("access assignment")
        verbose_name_plural = _("access assignments")
        ordering = ["grant", "partner_role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "partner_role"], condition=~Q(partner_role=""),
                                    name="relationships_assignment_one_per_role"),
            models.UniqueConstraint(fields=["grant", "security_group"], condition=Q(security_group__isnull=False),
                                    name="relationships_assignment_one_per_group"),
            models.CheckConstraint(condition=~Q(partner_role="") | Q(security_group__isnull=False),
                                   name="relationships_assignment_has_container"),
        ]

    def __str__(self) -> str:
        return f"{self.grant.display_name}: {self.security_group or self.partner_role}"

    @property
    def container_label(self) -> str:
        """The group's name, or the legacy partner role's label."""
        if self.security_group_id is not None and self.security_group is not None:
            return self.security_group.name
        return partner_role_label(self.partner_role) or self.partner_role

    @property
    def role_names(self) -> list[str]:
        return role_names(self.roles)


class GrantOperation(models.Model):
    """A long-running change to a grant, as Graph reports it (`delegatedAdminRelationshipOperation`).

    Written by the service that made the change (e.g. removing Global Administrator from an active
    grant), in the same transaction; `data` holds the JSON the client sent.
    """

    grant = models.ForeignKey(DelegatedAdminGrant, on_delete=models.CASCADE, related_name="operations")
    graph_guid = models.UUIDField(_("Graph id"), default=uuid.uuid4, unique=True, editable=False)
    operation_type = models.CharField(_("type"), max_length=40, choices=GrantOperationType.choices)
    status = models.CharField(_("status"), max_length=16, choices=GrantOperationStatus.choices, default=GrantOperationStatus.NOT_STARTED)
    data = models.JSONField(_("data"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    modified_at = models.DateTimeField(_("last modified at"), default=timezone.now)

    class Meta:
        verbose_name = _("grant operation")
        verbose_name_plural = _("grant operations")
        ordering = ["grant", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.operation_type} ({self.status})"


class GrantActionRequest(models.Model):
    """A partner asked for `lockForApproval` or `terminate` on a grant (Graph's relationship request).

    The action runs in the same transaction as the row is written; `status` records the outcome.
    """

    grant = models.ForeignKey(DelegatedAdminGrant, on_delete=models.CASCADE, related_name="action_requests")
    graph_guid = models.UUIDField(_("Graph id"), default=uuid.uuid4, unique=True, editable=False)
    action = models.CharField(_("action"), max_length=20, choices=GrantRequestAction.choices)
    status = models.CharField(_("status"), max_length=16, choices=GrantRequestStatus.choices, default=GrantRequestStatus.CREATED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    modified_at = models.DateTimeField(_("last modified at"), default=timezone.now)

    class Meta:
        verbose_name = _("grant action request")
        verbose_name_plural = _("grant action requests")
        ordering = ["grant", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} ({self.status})"


class CustomerTag(models.Model):
    """A partner's private label for its customers (issue 24, item 5): "VIP", "Renewal Q3", …

    Partner-scoped: the name is unique per partner ignoring case, created on the fly when a member
    tags a customer, renamed or deleted in Customers → Tags. `customers` are the partner's customers
    carrying it (tenants, so a tag survives a relationship ended and established again). Neither the
    customer nor any other partner ever sees it (relationships.customer_notes, tests/relationships).
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="customer_tags")
    name = models.CharField(_("name"), max_length=50)
    customers = models.ManyToManyField("customers.Customer", related_name="+", blank=True, verbose_name=_("customers"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer tag")
        verbose_name_plural = _("customer tags")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "partner", name="relationships_customertag_name_per_partner",
                                    violation_error_message=_("A tag with this name already exists.")),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerNote(models.Model):
    """A partner member's private note on one of the partner's customers (issue 24, item 5).

    Who wrote it (`author`, and `author_label` kept when the user goes) and when; `updated_at` moves
    when its author or an account admin edits it. Deleting removes the row; every version stays in
    the partner's audit log (before → after). Never shown to the customer or to other partners.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="customer_notes")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("author"))
    author_label = models.CharField(_("author"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    updated_at = models.DateTimeField(_("edited at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer note")
        verbose_name_plural = _("customer notes")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["partner", "customer", "-created_at"], name="relationships_note_customer"),
        ]

    def __str__(self) -> str:
        return self.customer.company_name  # the audit event's target label: the note's text stays in before/after

    @property
    def edited(self) -> bool:
        return self.updated_at > self.created_at
