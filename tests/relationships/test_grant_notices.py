"""Grant notices through the person's preference (issue 24 item 6): a reminder kept for the digest
is still told once, and a new request reaches the customer's list."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from notifications.choices import NotificationAudience, NotificationDelivery, NotificationKind
from notifications.models import Notification, OutboxMessage
from notifications.preferences import notification_preferences_set
from relationships.grant_lifecycle import grant_reminders_send
from relationships.services import grant_approve


def test_a_reminder_kept_for_the_digest_is_told_once_and_not_again_the_next_hour(pending_grant, customer_a, agent):
    notification_preferences_set(user=agent.user, audience=NotificationAudience.PARTNER, partner_id=agent.partner_id,
                                 choices={NotificationKind.GRANT_EXPIRING: NotificationDelivery.DIGEST})
    notification_preferences_set(user=customer_a.user, audience=NotificationAudience.CUSTOMER, customer_id=customer_a.customer_id,
                                 choices={NotificationKind.GRANT_EXPIRING: NotificationDelivery.OFF})
    grant = grant_approve(grant=pending_grant(duration_days=60), user=customer_a.user)
    for hours in (0, 1, 2):
        with time_machine.travel(grant.ends_at - timedelta(days=29, hours=-hours)):
            grant_reminders_send()
    reminders = Notification.objects.filter(kind=NotificationKind.GRANT_EXPIRING)
    account_admin = agent.partner.memberships.get(roles__contains=["account_admin"]).user
    assert {(n.user, n.delivery) for n in reminders} == {(agent.user, "digest"), (customer_a.user, "off"),
                                                         (account_admin, "immediate")}
    assert reminders.count() == 3  # once each, not once per hour
    assert list(OutboxMessage.objects.filter(idempotency_key__contains=":reminder:").values_list("recipient", flat=True)) == [
        account_admin.email]  # only the one who wants it right away is emailed
    partner_side = reminders.get(user=agent.user)
    assert partner_side.partner_id == agent.partner_id and partner_side.params["days"] == 29


def test_a_new_admin_roles_request_reaches_the_customer_global_admins_list(related, customer_a, agent,
                                                                           django_capture_on_commit_callbacks):
    from partnercenter.directory_roles import BUNDLES
    from relationships.grant_drafts import grant_draft_create, grant_lock_for_approval

    draft = grant_draft_create(membership=agent, customer=customer_a.customer, display_name="Helpdesk",
                               roles=list(BUNDLES["helpdesk"][1]), duration_days=30, auto_extend=False)
    with django_capture_on_commit_callbacks(execute=True):
        grant_lock_for_approval(grant=draft, membership=agent)
    notice = Notification.objects.get(kind=NotificationKind.GRANT_REQUESTED)
    assert (notice.user, notice.customer_id, notice.partner_id) == (customer_a.user, customer_a.customer_id, None)
    assert notice.params["display_name"] == "Helpdesk" and notice.params["partner"] == agent.partner.name
    assert notice.url == f"/c/{customer_a.customer.tenant_id}/partners/"
    assert OutboxMessage.objects.filter(template="relationships/email/grant_approval_request").count() == 1  # right away
