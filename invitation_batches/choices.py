from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    PREVIEW = "preview", _("Checked, waiting for confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    DISCARDED = "discarded", _("Replaced by a new upload")


# Allowed transitions; each is a conditional UPDATE on the expected status (see services).
BATCH_TRANSITIONS = {
    BatchStatus.PREVIEW: {BatchStatus.QUEUED, BatchStatus.DISCARDED},
    BatchStatus.QUEUED: {BatchStatus.RUNNING},
    BatchStatus.RUNNING: {BatchStatus.COMPLETED},
}


class BatchSource(models.TextChoices):
    UPLOAD = "upload", _("CSV upload")
    API = "api", _("API")
    # Renewal of delegated admin grants (issue 24 item 2): the rows come from the selected grants.
    RENEWAL = "renewal", _("Renewal of grants")


class RowStatus(models.TextChoices):
    VALID = "valid", _("Ready")
    INVALID = "invalid", _("Has errors")
    CREATED = "created", _("Invitation sent")
    FAILED = "failed", _("Failed")


class GdapRowStatus(models.TextChoices):
    """Bulk delegated admin (issue 24): what became of one customer of the batch."""

    PENDING = "pending", _("Waiting")
    CREATED = "created", _("Request created")
    COVERED = "covered", _("Already covered")
    NOT_ALLOWED = "not_allowed", _("Not allowed")
