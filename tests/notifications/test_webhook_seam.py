"""The seam between audit and notifications: audit_record sends audit.signals.event_recorded in the
caller's transaction; notifications writes the deliveries there and reads a partner's active
subscriptions once per transaction (a cache that dies with a commit, a rollback or a rolled-back
savepoint, and with any save or delete of a subscription)."""

from __future__ import annotations

import ast
import contextlib
from pathlib import Path

import pytest
from django.db import transaction

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import audit_record
from audit.signals import event_recorded
from notifications.models import WebhookDelivery, WebhookSubscription
from partners.webhook_services import webhook_subscription_create

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True


def _cancel_event(partner):  # type: ignore[no-untyped-def]
    return audit_record(action=AuditAction.INVITATION_CANCELLED, actor=None, partner=partner)


def test_two_events_of_one_transaction_read_the_subscriptions_once(partner_a, django_assert_num_queries):  # type: ignore[no-untyped-def]
    webhook_subscription_create(membership=partner_a.admin, url="http://127.0.0.1:9/x", event_types=["invitation.cancelled"])
    with transaction.atomic():
        with django_assert_num_queries(1 + 1 + 1):  # event insert, the subscriptions read, delivery insert
            _cancel_event(partner_a.partner)
        with django_assert_num_queries(1 + 1):  # event insert, delivery insert
            _cancel_event(partner_a.partner)
    assert WebhookDelivery.objects.count() == 2


@pytest.mark.parametrize("ending", ["rollback", "commit"])
def test_the_next_transaction_reads_the_subscriptions_again(transactional_db, partner_a, ending):  # type: ignore[no-untyped-def]
    subscription = webhook_subscription_create(
        membership=partner_a.admin, url="http://127.0.0.1:9/x", event_types=["invitation.cancelled"]).subscription
    # The outermost block: no savepoint, so the same (empty) savepoint stack as the next transaction.
    with pytest.raises(RuntimeError) if ending == "rollback" else contextlib.nullcontext(), transaction.atomic():
        _cancel_event(partner_a.partner)
        if ending == "rollback":
            raise RuntimeError("roll back")
    before = WebhookDelivery.objects.count()
    # No signal for a queryset update: only the end of the transaction tells the cache it is stale.
    WebhookSubscription.objects.filter(pk=subscription.pk).update(active=False)
    with transaction.atomic():
        _cancel_event(partner_a.partner)
    assert WebhookDelivery.objects.count() == before == (1 if ending == "commit" else 0)


def test_a_rolled_back_savepoint_forgets_what_it_read(partner_a):  # type: ignore[no-untyped-def]
    subscription = webhook_subscription_create(
        membership=partner_a.admin, url="http://127.0.0.1:9/x", event_types=["invitation.cancelled"]).subscription
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            _cancel_event(partner_a.partner)
            raise RuntimeError("roll back")
        WebhookSubscription.objects.filter(pk=subscription.pk).update(active=False)
        _cancel_event(partner_a.partner)
    assert not WebhookDelivery.objects.exists()


def test_a_saved_subscription_is_seen_by_the_next_event_of_the_same_transaction(partner_a):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        _cancel_event(partner_a.partner)  # no subscription yet (read and remembered)
        webhook_subscription_create(membership=partner_a.admin, url="http://127.0.0.1:9/x", event_types=["invitation.cancelled"])
        _cancel_event(partner_a.partner)
    assert WebhookDelivery.objects.count() == 1


def test_a_failing_listener_rolls_the_event_back_with_the_change(partner_a):  # type: ignore[no-untyped-def]
    def refuse(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("listener failed")

    event_recorded.connect(refuse, dispatch_uid="test.refuse")
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            _cancel_event(partner_a.partner)
    finally:
        event_recorded.disconnect(dispatch_uid="test.refuse")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("app", "above"), [
    ("audit", {"notifications", "partners", "customers", "relationships", "invitations"}),
    ("notifications", {"partners", "customers", "relationships", "invitations"}),
    ("accounts", {"audit", "notifications", "partners", "customers", "relationships", "invitations"}),
])
def test_the_lower_layers_domain_files_import_nothing_above_them(app, above):  # type: ignore[no-untyped-def]
    interfaces = {"views.py", "urls.py", "admin.py", "admin_site.py", "admin_tools.py", "forms.py", "adapter.py",
                  "middleware.py", "exports.py", "webhook_views.py", "webhook_urls.py", "webhook_forms.py", "customer_urls.py"}
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT / app)
        if relative.parts[0] in {"migrations", "api", "templatetags", "management"} or relative.name in interfaces:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else [])
            found += [f"{app}/{relative}: {name}" for name in names if name.split(".")[0] in above]
    assert found == []
