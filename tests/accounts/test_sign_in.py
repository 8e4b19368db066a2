"""Email sign-in through allauth: mandatory verification, emails through the outbox."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from accounts.models import User
from notifications.models import OutboxMessage
from tests.factories import PASSWORD, UserFactory


def test_user_model_uses_email_as_login_and_has_no_username():
    assert User.USERNAME_FIELD == "email"
    assert not hasattr(User, "username")


def test_verified_user_signs_in_with_email_and_password(client, partner_a):
    response = client.post(reverse("account_login"), {"login": "admin@contoso.example", "password": PASSWORD})
    assert response.status_code == 302
    follow = client.get(response.url, follow=True)
    assert partner_a.partner.name in follow.content.decode()


def test_wrong_password_shows_an_error_and_does_not_sign_in(client, partner_a):
    response = client.post(reverse("account_login"), {"login": "admin@contoso.example", "password": "wrong-password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_unverified_email_cannot_sign_in_and_gets_a_verification_email(client, db, django_capture_on_commit_callbacks):
    UserFactory(email="unverified@example.com", verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_login"), {"login": "unverified@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert OutboxMessage.objects.filter(recipient="unverified@example.com", template__contains="email_confirmation").exists()
    assert len(mail.outbox) == 1


def test_sign_up_sends_the_verification_email_through_the_outbox(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": "newcomer@example.com", "password1": "a-long-unique-passphrase", "password2": "a-long-unique-passphrase"},
        )
    assert response.status_code == 302
    message = OutboxMessage.objects.get(recipient="newcomer@example.com")
    assert message.status == "sent"
    assert mail.outbox[0].to == ["newcomer@example.com"]


def test_home_redirects_a_single_partner_user_to_the_console(client, partner_a):
    client.force_login(partner_a.sales.user)
    response = client.get(reverse("home"))
    assert response.url == reverse("partners:overview", kwargs={"partner_id": partner_a.partner.partner_id})


def test_home_lists_every_organisation_of_a_multi_partner_user(client, partner_a, partner_b):
    from tests.factories import PartnerMembershipFactory

    PartnerMembershipFactory(partner=partner_b.partner, user=partner_a.sales.user, roles=["helpdesk_agent"])
    client.force_login(partner_a.sales.user)
    body = client.get(reverse("home")).content.decode()
    assert partner_a.partner.name in body and partner_b.partner.name in body


def test_partner_switcher_lists_the_users_partners(client, partner_a, partner_b):
    from tests.factories import PartnerMembershipFactory

    PartnerMembershipFactory(partner=partner_b.partner, user=partner_a.sales.user, roles=["helpdesk_agent"])
    client.force_login(partner_a.sales.user)
    body = client.get(reverse("partners:overview", kwargs={"partner_id": partner_a.partner.partner_id})).content.decode()
    assert reverse("partners:overview", kwargs={"partner_id": partner_b.partner.partner_id}) in body


def test_language_switch_is_remembered_on_the_user(client, partner_a):
    client.force_login(partner_a.sales.user)
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    partner_a.sales.user.refresh_from_db()
    assert partner_a.sales.user.preferred_language == "ja"


def test_the_signed_in_message_is_in_the_language_of_the_pages_that_follow(client, partner_a):
    user = partner_a.admin.user
    user.preferred_language = "ja"
    user.save(update_fields=["preferred_language"])

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)

    body = response.content.decode()
    assert 'lang="ja"' in body
    assert "Successfully signed in" not in body
    assert [m.message for m in response.context["messages"]] == [f"ユーザー {user.email} としてログインしました。"]  # allauth's own Japanese


def test_a_language_the_browser_chose_keeps_the_signed_in_message_in_it(client, partner_a):
    user = partner_a.admin.user
    user.preferred_language = "ja"
    user.save(update_fields=["preferred_language"])
    client.cookies["django_language"] = "en"

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)

    assert [m.message for m in response.context["messages"]] == [f"Successfully signed in as {user.email}."]
