"""The notification pages of the partner console and the customer admin center (issue 24 item 6):
each person sees only their own list (another person's notification answers 404), marking read is
POST only, preferences are saved for the person and, by account admins only, for the partner."""

from __future__ import annotations

import pytest
from django.db import transaction

from audit.actions import AuditAction
from audit.models import AuditEvent
from notifications.choices import NotificationAudience, NotificationDelivery, NotificationKind
from notifications.inbox import notify_user
from notifications.models import Notification, NotificationPreference, PartnerNotificationDefault

pytestmark = pytest.mark.django_db
ACCEPTED = NotificationKind.INVITATION_ACCEPTED


def partner_notice(tenant, user=None, n=1):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return notify_user(user=user or tenant.sales.user, kind=ACCEPTED, audience=NotificationAudience.PARTNER,
                           partner_id=tenant.partner.pk, params={"customer": "Northwind", "invitation": n},
                           url=f"/p/{tenant.partner.partner_id}/invitations/")


def customer_notice(membership):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return notify_user(user=membership.user, kind=NotificationKind.GRANT_REQUESTED, audience=NotificationAudience.CUSTOMER,
                           customer_id=membership.customer_id, params={"partner": "Contoso", "display_name": "Helpdesk"})


def base(tenant) -> str:  # type: ignore[no-untyped-def]
    return f"/p/{tenant.partner.partner_id}/notifications/"


def test_the_list_shows_the_persons_own_notifications_worded_and_counts_unread(client, partner_a):
    partner_notice(partner_a)
    partner_notice(partner_a, user=partner_a.admin.user, n=2)  # someone else's
    client.force_login(partner_a.sales.user)
    page = client.get(base(partner_a)).content.decode()
    assert "Northwind accepted invitation #1" in page and "invitation #2" not in page
    assert client.get(base(partner_a) + "unread.json").json() == {"unread": 1, "label": "1 unread notification"}


def test_the_list_is_japanese_for_a_japanese_reader(client, partner_a):
    partner_notice(partner_a)
    client.force_login(partner_a.sales.user)
    client.cookies["django_language"] = "ja"
    page = client.get(base(partner_a), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "通知" in page and "Northwind" in page and "accepted invitation" not in page


def test_mark_read_and_mark_all_read_are_post_only(client, partner_a):
    notices = [partner_notice(partner_a, n=n) for n in (1, 2, 3)]
    client.force_login(partner_a.sales.user)
    assert client.get(base(partner_a) + f"{notices[0].pk}/read/").status_code == 405
    assert client.get(base(partner_a) + "read-all/").status_code == 405
    assert client.post(base(partner_a) + f"{notices[0].pk}/read/").status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert client.post(base(partner_a) + "read-all/").status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_another_persons_or_another_partners_notification_answers_404(client, partner_a, partner_b):
    mine = partner_notice(partner_a)
    theirs = partner_notice(partner_b)
    client.force_login(partner_a.admin.user)  # same partner, another person
    assert client.post(base(partner_a) + f"{mine.pk}/read/").status_code == 404
    client.force_login(partner_a.sales.user)
    assert client.post(base(partner_a) + f"{theirs.pk}/read/").status_code == 404
    assert client.get(base(partner_b)).status_code == 404  # not a member of the other partner
    assert client.get(base(partner_b) + "unread.json").status_code == 404
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, partner_a):
    assert client.get(base(partner_a)).status_code == 302
    assert client.get(base(partner_a) + "preferences/").status_code == 302


def test_a_user_saves_their_own_choices_and_only_account_admins_see_and_save_the_defaults(client, partner_a):
    client.force_login(partner_a.sales.user)
    page = client.get(base(partner_a) + "preferences/").content.decode()
    assert "Defaults for everyone" not in page
    response = client.post(base(partner_a) + "preferences/", {"scope": "mine", f"kind-{ACCEPTED}": "digest"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=partner_a.sales.user).delivery == NotificationDelivery.DIGEST
    refused = client.post(base(partner_a) + "preferences/", {"scope": "partner", f"kind-{ACCEPTED}": "off"})
    assert refused.status_code == 400 and not PartnerNotificationDefault.objects.exists()
    client.force_login(partner_a.admin.user)
    assert "Defaults for everyone" in client.get(base(partner_a) + "preferences/").content.decode()
    assert client.post(base(partner_a) + "preferences/", {"scope": "partner", f"kind-{ACCEPTED}": "off"}).status_code == 302
    assert PartnerNotificationDefault.objects.get(partner=partner_a.partner).delivery == NotificationDelivery.OFF
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_DEFAULTS_CHANGED).count() == 1


def test_bad_choices_answer_400_with_a_message_never_500(client, partner_a):
    client.force_login(partner_a.sales.user)
    for data in ({f"kind-{ACCEPTED}": "weekly"}, {f"kind-{ACCEPTED}": "\x00"}, {"kind-unknown": "off"}, {"scope": "???"}):
        assert client.post(base(partner_a) + "preferences/", data).status_code in {302, 400}
    assert not NotificationPreference.objects.exists()


def test_the_customer_admin_center_has_the_same_list_and_preferences_per_person(client, customer_a, customer_b):
    mine, theirs = customer_notice(customer_a), customer_notice(customer_b)
    client.force_login(customer_a.user)
    root = f"/c/{customer_a.customer.tenant_id}/notifications/"
    page = client.get(root).content.decode()
    assert "Contoso asks for admin roles" in page
    assert client.get(root + "unread.json").json()["unread"] == 1
    assert client.post(root + f"{theirs.pk}/read/").status_code == 404
    assert client.get(f"/c/{customer_b.customer.tenant_id}/notifications/").status_code == 404
    assert client.post(root + f"{mine.pk}/read/").status_code == 302
    assert client.post(root + "preferences/", {f"kind-{NotificationKind.GRANT_REQUESTED}": "digest"}).status_code == 302
    assert NotificationPreference.objects.get(user=customer_a.user).customer_id == customer_a.customer_id
    assert client.post(root + "preferences/", {f"kind-{ACCEPTED}": "off"}).status_code == 302  # not a customer kind: ignored
    assert client.post(root + "preferences/", {f"kind-{NotificationKind.GRANT_REQUESTED}": "weekly"}).status_code == 400


def test_the_header_bell_links_to_the_list_on_console_and_admin_center_pages(client, partner_a, customer_a):
    client.force_login(partner_a.sales.user)
    page = client.get(f"/p/{partner_a.partner.partner_id}/").content.decode()
    assert f'href="{base(partner_a)}"' in page and 'data-unread-url="' in page
    client.force_login(customer_a.user)
    page = client.get(f"/c/{customer_a.customer.tenant_id}/").content.decode()
    assert f'href="/c/{customer_a.customer.tenant_id}/notifications/"' in page
