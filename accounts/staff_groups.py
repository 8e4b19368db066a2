"""The two staff groups of the Django admin (the staff console) and what each may do.

- **auditor**: sees every model of the product in admin (view permissions only) and exports the
  audit log; runs no action.
- **operator**: what an auditor may do, plus `audit.run_support_actions`, which gates every admin
  action that changes state through a service (cancel or expire an invitation, disable a partner
  user, redeliver a failed email, terminate a relationship or a grant).

Superusers may do everything. Neither group may add, change or delete rows directly.

`staff_groups_sync()` is idempotent: the data migration `audit.0005_staff_groups` calls it with the
historical app registry, and `manage.py sync_staff_groups` calls it with the current one. When a
model is added later, add a migration that calls it again (tests/test_admin_pages.py fails until
the auditor can view every model registered in admin).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS

AUDITOR = "auditor"
OPERATOR = "operator"
SUPPORT_ACTIONS_PERMISSION = "audit.run_support_actions"

# Apps whose models staff may look at. Secrets stay out of every admin page (see each admin.py).
STAFF_VISIBLE_APPS = (
    "auth",
    "account",
    "mfa",
    "accounts",
    "partners",
    "customers",
    "audit",
    "notifications",
    "invitations",
    "relationships",
    "servicerequests",
    "subscriptions",  # issue 6: subscriptions and support contacts
    "directory",  # issue 6: directory users and license assignments
    "invitation_batches",  # issue 10: bulk invitation batches and their rows
)
OPERATOR_EXTRA_PERMISSIONS = (("audit", "run_support_actions"),)


def _ensure_permissions(apps: Any, using: str) -> None:
    """Create missing permission rows now (Django only does it after the whole `migrate`)."""
    for app_config in apps.get_app_configs():
        if app_config.label not in STAFF_VISIBLE_APPS:
            continue
        stub = getattr(app_config, "models_module", None) is None  # historical app registry (a migration)
        if stub:
            app_config.models_module = True
        try:
            create_permissions(app_config, verbosity=0, interactive=False, using=using, apps=apps)
        finally:
            if stub:
                app_config.models_module = None


def staff_groups_sync(*, apps: Any = global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create or update the auditor and operator groups so they hold exactly their permissions."""
    _ensure_permissions(apps, using)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    view = list(
        permission_model.objects.using(using).filter(
            content_type__app_label__in=STAFF_VISIBLE_APPS, codename__startswith="view_"
        )
    )
    extra = [
        permission_model.objects.using(using).get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in OPERATOR_EXTRA_PERMISSIONS
    ]
    auditor, _ = group_model.objects.using(using).get_or_create(name=AUDITOR)
    auditor.permissions.set(view)
    operator, _ = group_model.objects.using(using).get_or_create(name=OPERATOR)
    operator.permissions.set(view + extra)
