from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.actions import AuditAction


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One thing that happened, recorded by the service that did it, in the same transaction.

    Rows are never updated or deleted: the ORM refuses, and on PostgreSQL a trigger refuses
    UPDATE and DELETE below the ORM. Foreign keys carry no database constraint and no cascade,
    so an event outlives the user, partner or customer it names; the labels keep it readable.
    """

    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # nothing reads events by actor id; lists filter on actor_label
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor label"), max_length=254)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # served by the composite indexes below, which start with partner
        null=True,
        blank=True,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # served by the composite indexes below, which start with customer
        null=True,
        blank=True,
        related_name="+",
    )
    # Codes come from audit.actions.AuditAction; no `choices` here, so adding a code needs no migration.
    action = models.CharField(_("action"), max_length=64)  # indexed with the time: audit_action_time
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=254, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    request_id = models.CharField(_("request id"), max_length=128, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        # Staff permission (Django admin): run the support actions that change state through the
        # services (cancel an invitation, terminate a grant, ...). Granted to the "operator" group.
        permissions = [("run_support_actions", _("Can run support actions in the staff console"))]
        # What the activity logs (audit.selectors) and the admin filters read; each list is
        # ordered by (occurred_at, id), which the trailing columns give without a sort. On
        # PostgreSQL the table is partitioned by month (migration 0006, audit.partitions) and
        # every index below exists on each partition.
        # The (tenant, actor_label) and (tenant, other tenant) indexes also give the filters' choice
        # lists by skip scan (audit.selectors.distinct_values), without reading the tenant's history.
        indexes = [
            models.Index(fields=["partner", "occurred_at", "id"], name="audit_partner_time"),
            models.Index(fields=["partner", "action", "occurred_at", "id"], name="audit_partner_action_time"),
            models.Index(fields=["partner", "actor_label", "occurred_at", "id"], name="audit_partner_actor_time"),
            models.Index(fields=["partner", "customer", "occurred_at", "id"], name="audit_partner_customer_time"),
            models.Index(fields=["customer", "occurred_at", "id"], name="audit_customer_time"),
            models.Index(fields=["customer", "action", "occurred_at", "id"], name="audit_customer_action_time"),
            models.Index(fields=["customer", "actor_label", "occurred_at", "id"], name="audit_customer_actor_time"),
            models.Index(fields=["customer", "partner", "occurred_at", "id"], name="audit_customer_partner_time"),
            models.Index(fields=["action", "occurred_at"], name="audit_action_time"),  # admin: action filter
            models.Index(Upper("actor_label"), "occurred_at", name="audit_actor_time"),  # admin: actor iexact
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only.")

    @property
    def action_label(self) -> str:
        try:
            return str(AuditAction(self.action).label)
        except ValueError:
            return self.action
