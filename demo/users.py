"""The demo's own accounts (shared by the demo world and the funnel demo; they import this, not each other)."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from accounts.models import User

DEMO_PASSWORD = "partnercenter-demo"  # noqa: S105 — printed on purpose for local demo users


class DemoError(Exception):
    pass


def demo_user(email: str, *, staff: bool = False, language: str = "en", full_name: str = "") -> User:
    """The demo's own account for an invented address, marked verified: the demo owns these mailboxes.

    An account someone else created for the address (signed up, never verified) is not adopted: the
    demo would otherwise give a stranger's account its roles, as if owning the address were proven.
    """
    user = User.objects.filter(email=email).first()
    if user is None:
        if staff:
            user = User.objects.create_superuser(email=email, password=DEMO_PASSWORD, full_name=full_name)
        else:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, full_name=full_name, preferred_language=language
            )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    elif not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
        raise DemoError(f"{email} belongs to an account the demo did not create and whose address is not verified; "
                        "delete that account or use a fresh database.")
    return user

