from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address.

    The same person may belong to several partners and several customers (memberships live in
    those apps). Email addresses are stored lower-cased; allauth's EmailAddress rows carry the
    verification state.
    """

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        # Duplicate detection finds the tenants a recipient belongs to by case-insensitive email.
        indexes = [models.Index(Lower("email"), name="user_email_lower")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name()


class SignInFailure(models.TextChoices):
    """Why a sign-in attempt failed (empty when it succeeded)."""

    PASSWORD = "password", _("Wrong email or password")
    MFA = "mfa", _("Wrong second-factor code")


MFA_TYPE_LABELS = {
    "totp": _("Authenticator app"),
    "webauthn": _("Security key or passkey"),
    "recovery_codes": _("Recovery code"),
}


class SignInEvent(models.Model):
    """One sign-in attempt on the site: who (or which address was tried), when, from where, and
    whether it succeeded and with a second factor.

    Written by accounts.sign_in_log from allauth's and Django's signals, never by request code.
    `user` is null when the address tried matches no account (such rows appear in no tenant's log).
    `mfa_used` is true when this sign-in (or the failed step) involved a second factor (TOTP,
    security key or a recovery code: `mfa_type`). Rows older than SIGN_IN_EVENT_RETENTION_DAYS are
    deleted by beat (accounts.purge_sign_in_events).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="sign_in_events",
        verbose_name=_("user"),
    )
    email = models.CharField(_("email tried"), max_length=254, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    succeeded = models.BooleanField(_("succeeded"))
    failure = models.CharField(_("failure"), max_length=16, choices=SignInFailure.choices, blank=True)
    mfa_used = models.BooleanField(_("MFA used"), default=False)
    mfa_type = models.CharField(_("second factor"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-at"], name="accounts_signin_user_at"),
            models.Index(fields=["at"], name="accounts_signin_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(succeeded=True) & Q(failure="")) | (Q(succeeded=False) & ~Q(failure="")),
                name="accounts_signinevent_failure_iff_not_succeeded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email or self.user_id} {'ok' if self.succeeded else self.failure} {self.at:%Y-%m-%d %H:%M}"

    @property
    def mfa_label(self) -> str:
        """The second factor in words ("" when none was used)."""
        if not self.mfa_used:
            return ""
        return str(MFA_TYPE_LABELS.get(self.mfa_type, _("Second factor")))
