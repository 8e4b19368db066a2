from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from invitation_batches.choices import BatchSource, BatchStatus, GdapRowStatus, RowStatus


class InvitationBatch(models.Model):
    """One bulk upload of reseller invitations by a partner: a CSV file or an API request.

    Its rows live in InvitationBatchRow (the upload is never kept as a file or in memory). A batch
    is checked on upload (`preview`); once confirmed it is `queued`, one Celery job takes it
    (`running`) and creates the invitations row by row, then `completed`. The counters are what
    the progress bar shows; `done_rows = created_rows + failed_rows` while it runs.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="invitation_batches")
    membership = models.ForeignKey(
        "partners.PartnerMembership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text=_("The partner user (or API key actor) the invitations are created as."),
    )
    api_key = models.ForeignKey(
        "partners.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text=_("For batches sent through the API: the key they act as (a revoked key stops the job's rows)."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    source = models.CharField(_("source"), max_length=16, choices=BatchSource.choices, default=BatchSource.UPLOAD)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.PREVIEW)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    invalid_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    done_rows = models.PositiveIntegerField(_("rows done"), default=0)
    created_rows = models.PositiveIntegerField(_("invitations created"), default=0)
    failed_rows = models.PositiveIntegerField(_("rows failed"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation batch")
        verbose_name_plural = _("invitation batches")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "created_at"], name="invitation_batch_partner")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[BatchStatus.PREVIEW, BatchStatus.DISCARDED]) | Q(confirmed_at__isnull=False),
                name="invitation_batches_confirmed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=BatchStatus.COMPLETED) | Q(finished_at__isnull=False),
                name="invitation_batches_completed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(done_rows__lte=models.F("total_rows")),
                name="invitation_batches_done_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename or self.get_source_display()} ({self.status})"

    @property
    def valid_rows(self) -> int:
        return self.total_rows - self.invalid_rows

    @property
    def to_process(self) -> int:
        """Rows the job creates invitations for (the valid ones)."""
        return self.valid_rows

    @property
    def percent(self) -> int:
        if self.status == BatchStatus.COMPLETED:
            return 100
        if not self.to_process:
            return 0
        return min(100, self.done_rows * 100 // self.to_process)


class InvitationBatchRow(models.Model):
    """One line of a batch: the values as given, what the check found, and what the job did.

    `errors` (a list of {field, code, params, message}) block the batch until fixed by re-uploading;
    each is put into words in the reader's language from its code and params (older rows: their
    message as stored); `notices` are information only (the tenant already has other partners). `email_key` and
    `domain_key` are the normalised forms used to find duplicates within the file in SQL.
    """

    batch = models.ForeignKey(InvitationBatch, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    company = models.CharField(_("company"), max_length=200, blank=True)
    recipient_email = models.CharField(_("recipient email"), max_length=254, blank=True)
    domain = models.CharField(_("domain"), max_length=253, blank=True)
    country = models.CharField(_("country"), max_length=8, blank=True)
    include_delegated_admin = models.BooleanField(_("include delegated admin"), null=True)
    role_bundle = models.CharField(_("role bundle"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    email_key = models.CharField(max_length=254, blank=True)
    domain_key = models.CharField(max_length=253, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    notices = models.JSONField(_("notices"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RowStatus.choices, default=RowStatus.VALID)
    invitation = models.ForeignKey("invitations.Invitation", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("invitation"))
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    # The job's failure as its code's parameters, worded for the reader (invitation_batches.wording);
    # None where only the text is known (a service's refusal, or a row from before params were kept).
    error_params = models.JSONField(_("error parameters"), null=True, blank=True, default=None)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation batch row")
        verbose_name_plural = _("invitation batch rows")
        ordering = ["batch", "line"]
        indexes = [
            models.Index(fields=["batch", "status", "line"], name="invitation_batch_row_status"),
            models.Index(fields=["batch", "email_key"], name="invitation_batch_row_email"),
            models.Index(fields=["batch", "domain_key"], name="invitation_batch_row_domain"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="invitation_batches_one_row_per_line"),
            models.CheckConstraint(
                condition=~Q(status=RowStatus.CREATED) | Q(invitation__isnull=False, processed_at__isnull=False),
                name="invitation_batches_created_row_has_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line} {self.recipient_email}"


class DelegatedAdminBatch(models.Model):
    """Bulk delegated admin (issue 24): the same admin roles requested from many existing customers.

    Created `queued` with one row per customer given (tenant id or domain, as typed); one Celery
    job walks the rows and makes each customer's request through the single-request service (a
    `delegated_admin` invitation the customer approves), each row in its own transaction. The
    counters are recounted from the rows' statuses, as for bulk invitations.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="delegated_admin_batches")
    membership = models.ForeignKey("partners.PartnerMembership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    api_key = models.ForeignKey("partners.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    source = models.CharField(_("source"), max_length=16, choices=BatchSource.choices, default=BatchSource.UPLOAD)
    status = models.CharField(_("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    roles = models.JSONField(_("roles"), default=list)
    duration_days = models.PositiveIntegerField(_("duration (days)"))
    auto_extend = models.BooleanField(_("auto-extend"), default=False)
    language = models.CharField(_("language"), max_length=8, default="en")
    total_rows = models.PositiveIntegerField(_("customers"), default=0)
    done_rows = models.PositiveIntegerField(_("customers done"), default=0)
    created_rows = models.PositiveIntegerField(_("requests created"), default=0)
    covered_rows = models.PositiveIntegerField(_("already covered"), default=0)
    refused_rows = models.PositiveIntegerField(_("not allowed"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk delegated admin request")
        verbose_name_plural = _("bulk delegated admin requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "created_at"], name="gdap_batch_partner")]
        constraints = [
            models.CheckConstraint(condition=~Q(status=BatchStatus.COMPLETED) | Q(finished_at__isnull=False),
                                   name="invitation_batches_gdap_completed_has_time"),
            models.CheckConstraint(condition=Q(done_rows__lte=models.F("total_rows")), name="invitation_batches_gdap_done_within_total"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} delegated admin ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == BatchStatus.COMPLETED:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.done_rows * 100 // self.total_rows)


class DelegatedAdminBatchRow(models.Model):
    """One customer of a bulk delegated admin request: as given, as resolved, and what the job did."""

    batch = models.ForeignKey(DelegatedAdminBatch, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    given = models.CharField(_("tenant id or domain"), max_length=253)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=GdapRowStatus.choices, default=GdapRowStatus.PENDING)
    invitation = models.ForeignKey("invitations.Invitation", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    error_code = models.CharField(_("reason code"), max_length=64, blank=True)
    error_message = models.TextField(_("reason"), blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    # A renewal row (issue 24 item 2): the grant it renews, and that grant's own request (its roles,
    # and the duration and auto-extend chosen, by default the grant's). Empty on an ordinary row,
    # which requests the batch's roles, duration and auto-extend.
    renews_grant = models.ForeignKey("relationships.DelegatedAdminGrant", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="renewal_rows", verbose_name=_("renews grant"))
    roles = models.JSONField(_("roles"), null=True, blank=True, default=None)
    duration_days = models.PositiveIntegerField(_("duration (days)"), null=True, blank=True)
    auto_extend = models.BooleanField(_("auto-extend"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk delegated admin row")
        verbose_name_plural = _("bulk delegated admin rows")
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "status", "line"], name="gdap_batch_row_status")]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="invitation_batches_gdap_one_row_per_line"),
            models.CheckConstraint(condition=~Q(status=GdapRowStatus.CREATED) | Q(invitation__isnull=False),
                                   name="invitation_batches_gdap_created_row_has_invitation"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line} {self.given}"
