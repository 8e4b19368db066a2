"""The staff groups: created by a migration, kept in sync by one idempotent function (and a command)."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from accounts.staff_groups import AUDITOR, OPERATOR, SUPPORT_ACTIONS_PERMISSION, staff_groups_sync
from tests.staff.users import staff_user


def test_auditor_views_operator_also_runs_support_actions(db):
    auditor, operator = staff_user(group=AUDITOR), staff_user(group=OPERATOR)
    assert auditor.has_perm("audit.view_auditevent") and operator.has_perm("audit.view_auditevent")
    assert not auditor.has_perm(SUPPORT_ACTIONS_PERMISSION)
    assert operator.has_perm(SUPPORT_ACTIONS_PERMISSION)
    assert staff_user(superuser=True).has_perm(SUPPORT_ACTIONS_PERMISSION)


def test_sync_is_idempotent_and_repairs_drift(db):
    staff_groups_sync()
    auditor = Group.objects.get(name=AUDITOR)
    expected = set(auditor.permissions.all())
    auditor.permissions.add(Permission.objects.get(codename="change_invitation"))
    auditor.permissions.remove(Permission.objects.get(codename="view_invitation"))
    out = StringIO()
    call_command("sync_staff_groups", stdout=out)
    assert set(auditor.permissions.all()) == expected
    assert "auditor" in out.getvalue()
    staff_groups_sync()
    assert Group.objects.filter(name__in=[AUDITOR, OPERATOR]).count() == 2
