"""Let the staff groups view service requests (accounts.staff_groups)."""

from django.db import migrations


def forward(apps, schema_editor):
    from accounts.staff_groups import staff_groups_sync

    staff_groups_sync(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("servicerequests", "0001_initial"),
        ("audit", "0005_staff_groups"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
