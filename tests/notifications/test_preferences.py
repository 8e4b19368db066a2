"""Who gets which email: the person's choice, else the partner's default, else the kind's default;
every change audited (issue 24 item 6)."""

from __future__ import annotations

import pytest
from django.db import transaction

from audit.actions import AuditAction
from audit.models import AuditEvent
from notifications.choices import NotificationAudience, NotificationDelivery, NotificationKind
from notifications.models import NotificationPreference
from notifications.preferences import (
    NotificationPreferenceError,
    notification_delivery_for,
    notification_preferences,
    notification_preferences_set,
)
from partnercenter.errors import PermissionDeniedError
from partners.notification_defaults import partner_notification_defaults_set

pytestmark = pytest.mark.django_db
P = NotificationAudience.PARTNER
ACCEPTED = NotificationKind.INVITATION_ACCEPTED


def delivery(tenant, kind=ACCEPTED):  # type: ignore[no-untyped-def]
    return notification_delivery_for(user=tenant.sales.user, kind=kind, audience=P, partner_id=tenant.partner.pk)


def test_without_any_choice_every_kind_is_emailed_right_away(partner_a):
    assert delivery(partner_a) == NotificationDelivery.IMMEDIATE


def test_the_partner_default_applies_until_the_user_chooses_and_the_users_choice_wins(partner_a):
    partner_notification_defaults_set(membership=partner_a.admin, choices={ACCEPTED: NotificationDelivery.DIGEST})
    assert delivery(partner_a) == NotificationDelivery.DIGEST
    notification_preferences_set(user=partner_a.sales.user, audience=P, partner_id=partner_a.partner.pk,
                                 choices={ACCEPTED: NotificationDelivery.OFF})
    assert delivery(partner_a) == NotificationDelivery.OFF
    notification_preferences_set(user=partner_a.sales.user, audience=P, partner_id=partner_a.partner.pk, choices={ACCEPTED: ""})
    assert delivery(partner_a) == NotificationDelivery.DIGEST  # back to following the default


def test_deciding_takes_one_query(partner_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        delivery(partner_a)


def test_a_choice_in_one_partner_does_not_change_another_partner_nor_another_user(partner_a, partner_b):
    notification_preferences_set(user=partner_a.sales.user, audience=P, partner_id=partner_a.partner.pk,
                                 choices={ACCEPTED: NotificationDelivery.OFF})
    partner_notification_defaults_set(membership=partner_a.admin, choices={ACCEPTED: NotificationDelivery.DIGEST})
    assert delivery(partner_b) == NotificationDelivery.IMMEDIATE
    assert notification_delivery_for(user=partner_a.admin.user, kind=ACCEPTED, audience=P,
                                     partner_id=partner_a.partner.pk) == NotificationDelivery.DIGEST


def test_only_account_admins_set_the_partner_defaults(partner_a):
    with pytest.raises(PermissionDeniedError):
        partner_notification_defaults_set(membership=partner_a.sales, choices={ACCEPTED: NotificationDelivery.OFF})
    assert delivery(partner_a) == NotificationDelivery.IMMEDIATE


def test_changes_are_audited_with_before_and_after_and_a_no_change_is_not(partner_a):
    with transaction.atomic():
        notification_preferences_set(user=partner_a.sales.user, audience=P, partner_id=partner_a.partner.pk,
                                     choices={ACCEPTED: NotificationDelivery.DIGEST})
    notification_preferences_set(user=partner_a.sales.user, audience=P, partner_id=partner_a.partner.pk,
                                 choices={ACCEPTED: NotificationDelivery.DIGEST})
    partner_notification_defaults_set(membership=partner_a.admin, choices={ACCEPTED: NotificationDelivery.OFF})
    own = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_PREFERENCES_CHANGED)
    assert (own.actor_id, own.partner_id) == (partner_a.sales.user.pk, partner_a.partner.pk)
    assert own.data["before"] == {ACCEPTED: ""} and own.data["after"] == {ACCEPTED: "digest"}
    defaults = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_DEFAULTS_CHANGED)
    assert defaults.actor_id == partner_a.admin.user.pk and defaults.data["after"] == {ACCEPTED: "off"}


def test_unknown_kinds_and_deliveries_are_refused_and_nothing_is_written(partner_a, customer_a):
    for choices in ({"nope": "off"}, {ACCEPTED: "weekly"}, {NotificationKind.GRANT_REQUESTED: "off"}):
        with pytest.raises(NotificationPreferenceError):
            notification_preferences_set(user=partner_a.sales.user, audience=P, partner_id=partner_a.partner.pk, choices=choices)
    assert not NotificationPreference.objects.exists()
    assert not AuditEvent.objects.exists()


def test_customer_global_admins_choose_their_own_kinds_per_customer(customer_a):
    user, customer = customer_a.user, customer_a.customer
    rows = notification_preferences(user=user, audience=NotificationAudience.CUSTOMER, customer_id=customer.pk)
    assert [row.spec.kind for row in rows] == [NotificationKind.GRANT_REQUESTED, NotificationKind.GRANT_EXPIRING,
                                               NotificationKind.SERVICE_REQUEST_UPDATED]
    notification_preferences_set(user=user, audience=NotificationAudience.CUSTOMER, customer_id=customer.pk,
                                 choices={NotificationKind.GRANT_REQUESTED: NotificationDelivery.DIGEST})
    assert notification_delivery_for(user=user, kind=NotificationKind.GRANT_REQUESTED, audience=NotificationAudience.CUSTOMER,
                                     customer_id=customer.pk) == NotificationDelivery.DIGEST
    event = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_PREFERENCES_CHANGED)
    assert event.customer_id == customer.pk
