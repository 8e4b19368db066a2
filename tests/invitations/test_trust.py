"""The landing page customers can trust: a verification code both sides see, the domain badge only
when proven, plain-language scope, and "this was not me" → declined and flagged for staff."""

from __future__ import annotations

import re

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from invitations.choices import InvitationStatus
from invitations.models import Invitation
from invitations.send_services import invitation_resend
from invitations.verification_codes import invitation_verification_code
from partners.domain_services import partner_domain_verify_by_staff
from tests.staff.users import OPERATOR, sign_in_to_admin, staff_user

REVIEW = "/r/"
CODE = re.compile(r"data-verification-code>([^<]+)<")


def codes_in(html: str) -> list[str]:
    return CODE.findall(html)


def test_verification_code_is_the_same_for_customer_and_partner(client, make_invitation, open_link, partner_a):
    invitation = make_invitation()
    customer_side = codes_in(open_link(invitation).content.decode())
    partner = Client()
    partner.force_login(partner_a.admin.user)
    listed = codes_in(partner.get(reverse("invitations:list", kwargs={"partner_id": partner_a.partner.partner_id})).content.decode())
    drafted = codes_in(partner.get(reverse("invitations:draft", kwargs={"partner_id": partner_a.partner.partner_id,
                                                                       "invitation_pk": invitation.pk})).content.decode())
    assert len(customer_side) == 1 and re.fullmatch(r"[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}", customer_side[0])
    assert customer_side == listed == drafted == [invitation_verification_code(invitation)]


def test_verification_code_reveals_nothing_of_the_link_and_changes_with_it(make_invitation, partner_a):
    from invitations.links import invitation_url

    invitation = make_invitation()
    code = invitation_verification_code(invitation)
    assert code.replace("-", "") not in invitation_url(invitation) and code.replace("-", "").lower() not in invitation.token_hash
    resent = invitation_resend(invitation=invitation, membership=partner_a.admin)
    assert invitation_verification_code(resent) != code
    assert invitation_verification_code(make_invitation()) != invitation_verification_code(resent)


def test_domain_shows_verified_only_once_proven(client, make_invitation, open_link, partner_a, django_user_model):
    invitation = make_invitation()
    body = open_link(invitation).content.decode()
    assert 'data-domain-state="unverified"' in body and "Verified domain" not in body
    assert "has not proven it controls it" in body
    staff = django_user_model.objects.create_superuser(email="ops@partnercenter.example", password="x")
    partner_domain_verify_by_staff(partner=partner_a.partner, staff_user=staff, reason="Contract checked")
    client.cookies.clear()
    body = open_link(invitation).content.decode()
    assert 'data-domain-state="verified"' in body and partner_a.partner.verified_domain in body


def test_scope_says_in_plain_language_what_the_partner_will_be_able_to_do(client, make_invitation, open_link):
    body = open_link(make_invitation()).content.decode()
    abilities = body.split("data-abilities>", 1)[1].split("</ul>", 1)[0]
    assert "will be able to:" in body
    assert "Order and manage subscriptions" in abilities
    assert "User Administrator: Can manage users and groups" in abilities
    assert "License Administrator: Can assign and remove licenses" in abilities
    client.cookies.clear()
    plain = open_link(make_invitation(include_delegated_admin=False)).content.decode()
    assert "Administrator:" not in plain.split("data-abilities>", 1)[1].split("</ul>", 1)[0]
    assert "no admin roles are requested" in plain


def test_first_open_is_recorded_once_and_changes_nothing_visible(client, make_invitation, open_link):
    invitation = make_invitation()
    assert invitation.first_opened_at is None
    first = open_link(invitation)
    invitation.refresh_from_db()
    opened = invitation.first_opened_at
    assert opened is not None and invitation.status == InvitationStatus.PENDING
    client.cookies.clear()
    second = open_link(invitation)
    invitation.refresh_from_db()
    assert invitation.first_opened_at == opened
    assert first.content == second.content or codes_in(first.content.decode()) == codes_in(second.content.decode())
    assert not AuditEvent.objects.filter(target_id=str(invitation.pk)).exclude(action="invitation.created").exists()


def test_report_without_signing_in_declines_and_flags_for_staff(client, make_invitation, open_link, partner_a, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    invitation = make_invitation()
    open_link(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REVIEW, {"action": "report", "reason": "I have never heard of this company."})
    assert response.status_code == 200 and "declined and reported" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED and invitation.declined_at is not None
    assert invitation.reported_at is not None and invitation.report_reason == "I have never heard of this company."
    actions = set(AuditEvent.objects.filter(target_id=str(invitation.pk)).values_list("action", flat=True))
    assert {"invitation.declined", "invitation.reported"} <= actions
    assert AuditEvent.objects.get(action="invitation.reported").actor_label == "invitation recipient (not signed in)"
    # The link is dead, like any declined invitation.
    client.cookies.clear()
    assert open_link(invitation).status_code == 404
    # The partner hears it was declined, not what the recipient wrote to staff.
    assert all("never heard" not in str(m.body) for m in mailoutbox)


def test_report_while_signed_in_records_the_user(client, make_invitation, open_link, partner_a):
    from tests.factories import UserFactory

    invitation = make_invitation()
    user = UserFactory(email="someone@northwind.example")
    client.force_login(user)
    open_link(invitation)
    client.post(REVIEW, {"action": "report"})
    invitation.refresh_from_db()
    assert invitation.reported_at is not None and invitation.declined_by_id == user.pk


def test_reported_invitation_shows_in_admin_and_staff_mark_it_reviewed(client, make_invitation, open_link, partner_a):
    reported, untouched = make_invitation(), make_invitation()
    open_link(reported)
    client.post(REVIEW, {"action": "report", "reason": "phishing?"})
    staff_client = Client()
    operator = staff_user(group=OPERATOR, email="operator@partnercenter.example")
    sign_in_to_admin(staff_client, operator)
    url = reverse("admin:invitations_invitation_changelist")
    queue = staff_client.get(url, {"report": "to_review"})
    assert queue.status_code == 200
    listed = [row.pk for row in queue.context["cl"].result_list]
    assert listed == [reported.pk] and untouched.pk not in listed
    pks = [str(reported.pk)]
    confirmation = staff_client.post(url, {"action": "review_reports", "index": 0, ACTION_CHECKBOX_NAME: pks})
    assert confirmation.status_code == 200
    staff_client.post(url, {"action": "review_reports", "post": "yes", "reason": "Partner contacted; genuine mistake.",
                            ACTION_CHECKBOX_NAME: pks}, follow=True)
    reported.refresh_from_db()
    assert reported.report_reviewed_at is not None and reported.report_reviewed_by_id == operator.pk
    assert [row.pk for row in staff_client.get(url, {"report": "to_review"}).context["cl"].result_list] == []
    assert [row.pk for row in staff_client.get(url, {"report": "reviewed"}).context["cl"].result_list] == [reported.pk]
    event = AuditEvent.objects.get(action="invitation.report_reviewed")
    assert event.actor_id == operator.pk and event.data["reason"] == "Partner contacted; genuine mistake."
    detail = staff_client.get(reverse("admin:invitations_invitation_change", args=[reported.pk])).content.decode()
    assert "phishing?" in detail


def test_report_of_a_used_link_changes_nothing(client, make_invitation, open_link, partner_a):
    from invitations.closing import invitation_cancel

    invitation = make_invitation()
    open_link(invitation)
    invitation_cancel(invitation=invitation, membership=partner_a.admin)
    response = client.post(REVIEW, {"action": "report"})
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.CANCELLED and invitation.reported_at is None
    assert not Invitation.objects.filter(reported_at__isnull=False).exists()

