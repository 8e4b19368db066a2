from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from invitations.choices import InvitationKind, InvitationSource, InvitationStatus, LinkStatus
from partnercenter.directory_roles import role_names


class Invitation(models.Model):
    """One request from a partner to a customer: evidence of what was asked and who answered.

    The link token is never stored: it is derived from `token_nonce` with a server key (see
    invitations.tokens) and looked up by its keyed hash, so the draft page and reminders can
    show the same link while a database copy alone cannot. Resend draws a new nonce (the old
    link stops working). Rows are never deleted; the status records what happened.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="invitations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=InvitationKind.choices, default=InvitationKind.RESELLER)
    source = models.CharField(_("source"), max_length=16, choices=InvitationSource.choices, default=InvitationSource.REQUEST)
    include_delegated_admin = models.BooleanField(_("includes delegated admin"), default=False)
    requested_roles = models.JSONField(_("requested admin roles"), default=list, blank=True)
    grant_duration_days = models.PositiveIntegerField(_("admin duration (days)"), null=True, blank=True)
    grant_auto_extend = models.BooleanField(_("auto-extend"), default=False)
    indirect_provider = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("indirect provider")
    )
    recipient_email = models.EmailField(_("recipient email"), blank=True, help_text=_("Pins the invitation to this account."))
    sent_to = models.EmailField(_("sent to"), blank=True, help_text=_("Where the portal emailed the invitation."))
    target_domain = models.CharField(_("target domain"), max_length=253, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    message_subject = models.CharField(_("subject"), max_length=300, blank=True)
    message_body = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    token_nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    link_issued_at = models.DateTimeField(_("link issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent from the portal at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The partner has yet to be told of the acceptance: set by the accepting UPDATE, cleared by the
    # notice's own transaction after commit (invitations.partner_notices; a sweep repairs a lost task).
    partner_notice_due = models.BooleanField(default=False, editable=False)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    declined_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decline_reason = models.TextField(_("decline reason"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="invitations", verbose_name=_("customer")
    )
    # Telemetry for the onboarding funnel: the first GET of the acceptance link (set once, by a
    # conditional UPDATE ... WHERE first_opened_at IS NULL; link scanners count as an open too).
    first_opened_at = models.DateTimeField(_("link first opened at"), null=True, blank=True)
    # "This was not me": the recipient declined and asked platform staff to look at the invitation.
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    report_reason = models.TextField(_("report"), blank=True)
    report_reviewed_at = models.DateTimeField(_("report reviewed at"), null=True, blank=True)
    report_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("report reviewed by")
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "status", "created_at"], name="invitation_partner_status"),
            models.Index(fields=["status", "expires_at"], name="invitation_status_expiry"),
            # A partner's invitations by creation time (the daily cap read it until issue 18; it is a counter now).
            models.Index(fields=["partner", "created_at"], name="invitation_partner_created"),
            # Duplicate detection looks up the partner's pending invitations by address and by domain,
            # once per invitation created: without these it reads every pending invitation of the partner.
            models.Index(fields=["partner", "recipient_email"], condition=Q(status="pending"), name="invitation_pending_recipient"),
            models.Index(fields=["partner", "sent_to"], condition=Q(status="pending"), name="invitation_pending_sent_to"),
            models.Index(fields=["partner", "target_domain"], condition=Q(status="pending"), name="invitation_pending_domain"),
            models.Index(fields=["reported_at"], condition=Q(reported_at__isnull=False, report_reviewed_at__isnull=True),
                         name="invitation_report_to_review"),
            models.Index(fields=["accepted_at"], condition=Q(partner_notice_due=True), name="invitation_partner_notice_due"),
            # The funnel's "about to expire": the partner's pending invitations by expiry, whatever other partners hold.
            models.Index(fields=["partner", "expires_at"], condition=Q(status="pending"), name="invitation_pending_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=InvitationStatus.ACCEPTED) | Q(accepted_at__isnull=False, customer__isnull=False),
                name="invitations_accepted_has_time_and_customer",
            ),
            models.CheckConstraint(
                condition=~Q(status=InvitationStatus.DECLINED) | Q(declined_at__isnull=False),
                name="invitations_declined_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=InvitationStatus.CANCELLED) | Q(cancelled_at__isnull=False),
                name="invitations_cancelled_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=InvitationStatus.EXPIRED) | Q(expired_at__isnull=False),
                name="invitations_expired_has_time",
            ),
            models.CheckConstraint(
                condition=Q(reported_at__isnull=True) | Q(status=InvitationStatus.DECLINED),
                name="invitations_reported_is_declined",
            ),
            models.CheckConstraint(
                condition=Q(report_reviewed_at__isnull=True) | Q(reported_at__isnull=False),
                name="invitations_review_needs_report",
            ),
        ]

    def __str__(self) -> str:
        target = self.recipient_email or self.target_domain or _("any customer")
        return f"#{self.pk} {self.partner.name} → {target} ({self.status})"

    @property
    def requested_role_names(self) -> list[str]:
        return role_names(self.requested_roles)

    @property
    def is_usable(self) -> bool:
        return self.status == InvitationStatus.PENDING and self.expires_at > timezone.now()


class RelationshipLink(models.Model):
    """A partner's reusable relationship link: any customer tenant may accept it, each once.

    One row per partner; rotating draws a new nonce (the old link dies), revoking stops it.
    Each acceptance records an Invitation row (source `reusable_link`) as evidence.
    """

    partner = models.OneToOneField("partners.Partner", on_delete=models.CASCADE, related_name="relationship_link")
    status = models.CharField(_("status"), max_length=16, choices=LinkStatus.choices, default=LinkStatus.ACTIVE)
    include_delegated_admin = models.BooleanField(_("includes delegated admin"), default=False)
    token_nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    rotated_at = models.DateTimeField(_("rotated at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reusable relationship link")
        verbose_name_plural = _("reusable relationship links")

    def __str__(self) -> str:
        return f"{self.partner.name} link ({self.status})"


class FunnelDay(models.Model):
    """The onboarding funnel's counters of one partner's invitations created from a request on one UTC
    day, kept by database triggers (invitations/funnel_rollup.py; PostgreSQL only)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent = models.IntegerField(default=0)
    opened = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    admin_active = models.IntegerField(default=0)
    under_1h = models.IntegerField(default=0)
    under_1d = models.IntegerField(default=0)
    under_3d = models.IntegerField(default=0)
    under_7d = models.IntegerField(default=0)
    under_14d = models.IntegerField(default=0)
    over_14d = models.IntegerField(default=0)
    waited_us = models.BigIntegerField(default=0)  # accepted_at - created_at of the accepted ones, summed, in microseconds

    class Meta:
        verbose_name = _("onboarding funnel day")
        verbose_name_plural = _("onboarding funnel days")
        constraints = [models.UniqueConstraint(fields=["partner", "day"], name="invitation_funnel_day_unique")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.day.isoformat()}: {self.sent} sent"
