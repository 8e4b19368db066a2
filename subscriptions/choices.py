from django.db import models
from django.utils.translation import gettext_lazy as _


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


# Provisioning creates an active subscription; suspend and reactivate move it back and forth.
SUBSCRIPTION_TRANSITIONS = {
    SubscriptionStatus.ACTIVE: {SubscriptionStatus.SUSPENDED},
    SubscriptionStatus.SUSPENDED: {SubscriptionStatus.ACTIVE},
}
