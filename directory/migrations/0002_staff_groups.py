"""Re-sync the staff groups so auditors can view subscriptions, support contacts, directory users and licenses."""

from django.db import migrations


def forward(apps, schema_editor):
    from accounts.staff_groups import staff_groups_sync

    staff_groups_sync(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("subscriptions", "0001_initial"),
        ("audit", "0005_staff_groups"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
