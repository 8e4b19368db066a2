"""Create the staff groups "auditor" (view only) and "operator" (view + support actions).

Depends on the latest migration of every app whose models the groups see, so their view
permissions exist when this runs (see accounts.staff_groups).
"""

from django.db import migrations


def forward(apps, schema_editor):
    from accounts.staff_groups import staff_groups_sync

    staff_groups_sync(apps=apps, using=schema_editor.connection.alias)


def backward(apps, schema_editor):
    from accounts.staff_groups import AUDITOR, OPERATOR

    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name__in=[AUDITOR, OPERATOR]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("accounts", "0001_initial"),
        ("partners", "0003_api_keys"),
        ("customers", "0001_initial"),
        ("audit", "0004_support_actions_permission"),
        ("notifications", "0003_webhooks"),
        ("invitations", "0002_sent_to"),
        ("relationships", "0002_access_assignment"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
