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
        # The filters' choice lists are not read from here but from AuditFilterChoice (below).
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


class AuditFilterChoice(models.Model):
    """One value the activity log's filters offer for one tenant: an actor label, or another tenant,
    that appears in at least one of that tenant's events.

    Derived from the audit log, never written by the application: on PostgreSQL an AFTER INSERT
    statement trigger on `audit_auditevent` (migration 0009, `audit_filter_choices_add`) adds the
    choices of every inserted event, whoever inserts it (services, raw SQL, migrations' backfills,
    the partition function moving strays), in the same transaction; on SQLite a row trigger does the
    same. Migration 0009 backfilled the events that existed before. Since the log is append-only,
    the set only grows, and it holds exactly the distinct values of the log's rows (until an
    operator TRUNCATEs the log). Each filter list is then one index read whatever the log's size
    and partitions (issue 25; before: a skip scan probing every monthly partition).

    `scope` is "partner" or "customer" (the tenant whose activity log lists the choice, `scope_id`
    its pk); `kind` is "actor" (`label`: the actor label as recorded), "customer" or "partner"
    (`ref_id`: the other tenant's pk). The unused column holds 0 or "".
    """

    scope = models.CharField(max_length=16)
    scope_id = models.BigIntegerField()
    kind = models.CharField(max_length=16)
    ref_id = models.BigIntegerField(default=0)
    label = models.CharField(max_length=254, default="", blank=True)

    class Meta:
        verbose_name = _("audit filter choice")
        verbose_name_plural = _("audit filter choices")
        constraints = [
            # Also the index every list reads: (scope, scope_id, kind) then the value, in order.
            models.UniqueConstraint(fields=["scope", "scope_id", "kind", "ref_id", "label"], name="audit_filter_choice_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.scope_id} {self.kind} {self.label or self.ref_id}"
