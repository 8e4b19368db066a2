from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partnercenter.directory_roles import BUNDLES, DEFAULT_BUNDLE
from partners.choices import (
    Cloud,
    DomainProofMethod,
    PartnerRole,
    PartnerType,
    PartnerUserInvitationStatus,
    SavedViewList,
)
from partners.markets import region_label


def new_public_partner_id() -> str:
    """A 7-digit public Partner ID, like Partner Center's (uniqueness is enforced by the column)."""
    return str(secrets.randbelow(9_000_000) + 1_000_000)


def default_grant_roles() -> list[str]:
    return list(BUNDLES[DEFAULT_BUNDLE][1])


class Partner(models.Model):
    """A cloud reseller organisation: the tenant of the partner console.

    `market_region` is derived from `country` by the market table when the partner is created
    or its country changes (partners.services), and stored so lists can filter on it.
    """

    name = models.CharField(_("name"), max_length=200)
    partner_id = models.CharField(_("Partner ID"), max_length=16, unique=True, default=new_public_partner_id)
    country = CountryField(_("country"))
    market_region = models.CharField(_("market region"), max_length=32, blank=True)
    cloud = models.CharField(_("cloud"), max_length=16, choices=Cloud.choices, default=Cloud.PUBLIC)
    partner_type = models.CharField(_("partner type"), max_length=24, choices=PartnerType.choices)
    verified_domain = models.CharField(_("verified domain"), max_length=253)
    default_grant_roles = models.JSONField(
        _("default delegated admin roles"), default=default_grant_roles, blank=True,
        help_text=_("Requested when 'Include delegated admin privileges' is ticked."),
    )
    default_grant_duration_days = models.PositiveIntegerField(_("default delegated admin duration (days)"), default=730)
    # Partner self-service defaults (issue 24, item 7), edited by account admins in Partner settings →
    # Defaults (partners.defaults_services): new delegated admin requests' forms start from them, and
    # invitation emails carry the reply-to address and end with the signature.
    default_grant_auto_extend = models.BooleanField(_("auto-extend new delegated admin requests"), default=False)
    invitation_reply_to = models.EmailField(_("reply-to address of invitation emails"), blank=True, default="")
    invitation_signature = models.TextField(_("signature of invitation emails"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Proof of `verified_domain` (partners.domain_services): a DNS TXT record the partner published,
    # or platform staff's check recorded in audit. `domain_proven_name` is the domain that was
    # proven, so the badge never carries over to another domain.
    domain_proven_at = models.DateTimeField(_("domain proven at"), null=True, blank=True)
    domain_proven_name = models.CharField(_("domain proven"), max_length=253, blank=True)
    domain_proof_method = models.CharField(_("domain proven by"), max_length=8, choices=DomainProofMethod.choices, blank=True)
    # Every user must sign in with a second factor to act in this partner (issue 18, item 11):
    # console.mixins sends members without one to set it up. New partners take
    # PARTNER_MFA_REQUIRED_DEFAULT; account admins change it (partners.sign_in_security_services).
    mfa_required = models.BooleanField(
        _("require two-step verification"), default=False,
        help_text=_("Every user of the partner must use a second factor (authenticator app or security key)."),
    )

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner_id})"

    @property
    def market_region_label(self) -> str:
        return region_label(self.market_region)

    @property
    def domain_is_verified(self) -> bool:
        """True only when the partner proved it controls `verified_domain` (DNS or staff)."""
        return self.domain_proven_at is not None and self.domain_proven_name == self.verified_domain.lower()


class PartnerMembership(models.Model):
    """A user's place in a partner organisation, with the partner roles they hold there.

    `roles` is a list of PartnerRole values (validated by partners.services); a user holds at
    most one membership per partner and may hold memberships in several partners.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_memberships")
    roles = models.JSONField(_("roles"), default=list)
    created_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("partner membership")
        verbose_name_plural = _("partner memberships")
        ordering = ["partner", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "user"], name="partners_membership_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner.name}"

    @property
    def role_labels(self) -> list[str]:
        return [str(PartnerRole(role).label) for role in PartnerRole.values if role in self.roles]


class PartnerUserInvitation(models.Model):
    """An account admin's invitation for someone to join the partner with the given roles.

    No User row is created for the invitee: the membership is created when a signed-in user with
    the invited (verified) email accepts. The link token is stored only as a keyed hash.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="user_invitations")
    email = models.EmailField(_("email"))
    roles = models.JSONField(_("roles"), default=list)
    language = models.CharField(_("email language"), max_length=8, choices=settings.LANGUAGES, default="en")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PartnerUserInvitationStatus.choices,
        default=PartnerUserInvitationStatus.PENDING,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner user invitation")
        verbose_name_plural = _("partner user invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "email"],
                condition=Q(status=PartnerUserInvitationStatus.PENDING),
                name="partners_userinvitation_one_pending_per_email",
                violation_error_message=_("A pending invitation for this email already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(status=PartnerUserInvitationStatus.ACCEPTED) | Q(accepted_at__isnull=False),
                name="partners_userinvitation_accepted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=PartnerUserInvitationStatus.CANCELLED) | Q(cancelled_at__isnull=False),
                name="partners_userinvitation_cancelled_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=PartnerUserInvitationStatus.EXPIRED) | Q(expired_at__isnull=False),
                name="partners_userinvitation_expired_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.partner.name}"

    @property
    def role_labels(self) -> list[str]:
        return [str(PartnerRole(role).label) for role in PartnerRole.values if role in self.roles]

    @property
    def is_usable(self) -> bool:
        return self.status == PartnerUserInvitationStatus.PENDING and self.expires_at > timezone.now()


class ApiKey(models.Model):
    """A partner's credential for the REST API, with the scopes it may use.

    The secret is shown once, at creation; the row keeps a display prefix and its keyed hash
    (partnercenter.tokens.token_hash). `user` is the key's own technical account (no password,
    inactive for sign-in): the actor that services and audit events name when the key acts. A
    revoked or expired key stops authenticating at once; the row stays as history.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="api_key",
        editable=False, verbose_name=_("technical user"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("revoked by")
    )

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "name"],
                condition=Q(revoked_at__isnull=True),
                name="partners_apikey_one_active_name",
                violation_error_message=_("An API key with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def actor_label(self) -> str:
        return f"API key {self.name}"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"

    @property
    def is_usable(self) -> bool:
        return self.status == "active"


class ApiIdempotencyKey(models.Model):
    """The first successful response to a create request sent with an `Idempotency-Key` header.

    A retry with the same key (same partner, same operation and body) gets this response again
    instead of creating a second object. Keys live for API_IDEMPOTENCY_TTL_HOURS; a failed
    request stores nothing, so it may be retried with the same key. The body is sealed
    (partnercenter.sealing, a key not in the database): a created invitation's `link`, a webhook
    `secret` are in it, and neither a database copy nor staff in admin may read them.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=300)
    request_hash = models.CharField(_("request hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"))
    response_sealed = models.TextField(_("response body (sealed)"), blank=True, default="")
    response_headers = models.JSONField(_("response headers"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("API idempotency key")
        verbose_name_plural = _("API idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="partners_idempotency_key_per_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.method} {self.path}"


class SavedView(models.Model):
    """A user's named filter set for one console list of one partner (issue 24, item 3).

    Personal: only its user sees it, and only in the partner it was saved in. At most one default
    per user, partner and list (a partial unique constraint); the list opens with it when opened
    without filters. `query_string` holds only the list's own parameters
    (partners.choices.SAVED_VIEW_PARAMETERS), url-encoded.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="saved_views")
    list_name = models.CharField(_("list"), max_length=24, choices=SavedViewList.choices)
    name = models.CharField(_("name"), max_length=80)
    query_string = models.CharField(_("filters"), max_length=1000, blank=True)
    is_default = models.BooleanField(_("default view"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["user", "partner", "list_name"], name="partners_savedview_owner"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "partner", "list_name", "name"], name="partners_savedview_unique_name",
                                    violation_error_message=_("You already have a view with this name.")),
            models.UniqueConstraint(fields=["user", "partner", "list_name"], condition=Q(is_default=True),
                                    name="partners_savedview_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.list_name})"


class PartnerSecurityGroup(models.Model):
    """A partner's security group: the access container of delegated admin access assignments (issue 23).

    As in Partner Center, where GDAP assigns a customer's roles to the partner's Entra security groups:
    `object_id` is the group's GUID (what Graph's `accessContainer.accessContainerId` names), and the
    members are the partner's users. Managed by account admins (partners.security_group_services);
    relationships.AccessAssignment points at it, and a member receives the roles assigned to it.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="security_groups")
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True, default="")
    object_id = models.UUIDField(_("object ID"), default=uuid.uuid4, unique=True, editable=False)
    members = models.ManyToManyField(PartnerMembership, related_name="security_groups", blank=True, verbose_name=_("members"))
    # Set only on a "<Role> (migrated)" group (partners migration 0011): its members are kept equal to
    # the holders of this partner role, in the transaction of every role change, until an account admin
    # edits its members by hand; then it is cleared for good and the group is an ordinary one.
    follows_partner_role = models.CharField(
        _("follows partner role"), max_length=24, blank=True, default="", db_default="", choices=PartnerRole.choices,
        help_text=_("Members follow this partner role until an account admin edits them by hand."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("security group")
        verbose_name_plural = _("security groups")
        ordering = ["partner", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "name"], name="partners_security_group_name_per_partner",
                violation_error_message=_("A security group with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
