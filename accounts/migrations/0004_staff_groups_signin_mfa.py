"""Re-sync the staff groups so auditors can view the sign-in log (issue 18, item 11)."""

from django.db import migrations


def forward(apps, schema_editor):
    from accounts.staff_groups import staff_groups_sync

    staff_groups_sync(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_signin_log_mfa"),
        ("audit", "0005_staff_groups"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
