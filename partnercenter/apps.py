from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """Replaces the default admin site with the MFA-guarded staff console."""

    default_site = "staff.admin_site.StaffAdminSite"
