from django.db import models
from django.utils.translation import gettext_lazy as _


class DirectoryUserStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISABLED = "disabled", _("Disabled")
