"""Service-request notices (issue 24 item 6): the customer's global admins hear of a filed request
through their preference; the partner now hears when the customer answers in the thread."""

from __future__ import annotations

import pytest

from notifications.choices import NotificationDelivery, NotificationKind
from notifications.models import Notification, OutboxMessage
from servicerequests.services import service_request_note_add_by_customer
from tests.factories import PartnerMembershipFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db


def test_the_partner_who_filed_hears_when_the_customer_adds_a_note(partner_a, customer_a, django_capture_on_commit_callbacks):
    from relationships.models import Relationship

    Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)
    request = ServiceRequestFactory(partner=partner_a.partner, customer=customer_a.customer, created_by=partner_a.sales.user)
    with django_capture_on_commit_callbacks(execute=True):
        service_request_note_add_by_customer(service_request=request, user=customer_a.user, body="It works again, thanks.")
    notice = Notification.objects.get(kind=NotificationKind.SERVICE_REQUEST_UPDATED)
    assert (notice.user, notice.partner_id, notice.delivery) == (partner_a.sales.user, partner_a.partner.pk,
                                                                 NotificationDelivery.IMMEDIATE)
    assert notice.url == f"/p/{partner_a.partner.partner_id}/service-requests/{request.pk}/"
    email = OutboxMessage.objects.get(template="servicerequests/email/partner_note")
    assert email.recipient == partner_a.sales.user.email


def test_when_the_filer_left_the_partner_its_admin_agents_and_account_admins_hear_instead(partner_a, customer_a):
    from partners.choices import PartnerRole
    from relationships.models import Relationship

    Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)
    agent = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.ADMIN_AGENT])
    request = ServiceRequestFactory(partner=partner_a.partner, customer=customer_a.customer, created_by=None)
    service_request_note_add_by_customer(service_request=request, user=customer_a.user, body="Any news?")
    told = set(Notification.objects.filter(kind=NotificationKind.SERVICE_REQUEST_UPDATED).values_list("user__email", flat=True))
    assert told == {agent.user.email, partner_a.admin.user.email}
