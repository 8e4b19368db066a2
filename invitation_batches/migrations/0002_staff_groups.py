"""Staff may view invitation batches and their rows in the staff console (accounts.staff_groups)."""

from django.db import migrations


def sync_staff_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    from accounts.staff_groups import staff_groups_sync

    staff_groups_sync(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("invitation_batches", "0001_initial"),
        ("audit", "0005_staff_groups"),
    ]

    operations = [migrations.RunPython(sync_staff_groups, migrations.RunPython.noop)]
