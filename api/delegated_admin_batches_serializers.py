"""Bulk delegated admin (issue 24): the create request (in) and the batch and its rows (out)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from invitation_batches.choices import BatchSource, BatchStatus, GdapRowStatus
from invitation_batches.models import DelegatedAdminBatch, DelegatedAdminBatchRow
from invitation_batches.renewals import MAX_GRANT_ID
from partnercenter.directory_roles import BUNDLES, CATALOG, MAX_DURATION_DAYS, MIN_DURATION_DAYS

ROLE_IDS = [role.id for role in CATALOG]


class DelegatedAdminBatchCreateSerializer(serializers.Serializer):
    customers = serializers.ListField(
        child=serializers.CharField(max_length=253), min_length=1, max_length=settings.INVITATION_BATCH_MAX_ROWS,
        help_text=_("Your customers, each by tenant id or primary domain. One that is not your customer is answered on its row as not found."),
    )
    role_bundle = serializers.ChoiceField(choices=list(BUNDLES), required=False, allow_blank=True, default="",
                                          help_text=_("A role bundle; or give `roles`."))
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ROLE_IDS), required=False, default=list)
    duration_days = serializers.IntegerField(min_value=MIN_DURATION_DAYS, max_value=MAX_DURATION_DAYS, default=MAX_DURATION_DAYS)
    auto_extend = serializers.BooleanField(default=False)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="en", help_text=_("Language of the emails to the customers."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("role_bundle"):
            attrs["roles"] = list(BUNDLES[attrs["role_bundle"]][1])
        if not attrs.get("roles"):
            raise serializers.ValidationError({"roles": _("Give a role_bundle or at least one role.")}, code="required")
        return attrs


class DelegatedAdminRenewalCreateSerializer(serializers.Serializer):
    """Renew delegated admin grants (issue 24): one new request per grant, for its customer and its roles."""

    grant_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_GRANT_ID), min_length=1, max_length=settings.INVITATION_BATCH_MAX_ROWS,
        help_text=_("Your grants to renew (active or expired). An id that is not one of your grants is answered on its row as not found."),
    )
    duration_days = serializers.IntegerField(min_value=MIN_DURATION_DAYS, max_value=MAX_DURATION_DAYS, required=False, allow_null=True,
                                             default=None, help_text=_("Null or absent: each grant's own duration."))
    auto_extend = serializers.BooleanField(required=False, allow_null=True, default=None,
                                           help_text=_("Null or absent: each grant's own setting."))
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="en", help_text=_("Language of the emails to the customers."))


class DelegatedAdminBatchSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=BatchStatus.choices, read_only=True)
    # An API field named like Field.source: DRF's metaclass moves declared fields out of the class body.
    source = serializers.ChoiceField(choices=BatchSource.choices, read_only=True)  # type: ignore[assignment]
    not_allowed_rows = serializers.IntegerField(source="refused_rows", read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text=_("Progress of the job, 0 to 100."))

    class Meta:
        model = DelegatedAdminBatch
        fields = ["id", "status", "source", "roles", "duration_days", "auto_extend", "language", "total_rows", "done_rows",
                  "created_rows", "covered_rows", "not_allowed_rows", "percent", "created_at", "started_at", "finished_at"]
        read_only_fields = fields


class DelegatedAdminBatchRowSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=GdapRowStatus.choices, read_only=True)
    customer_tenant_id = serializers.UUIDField(source="customer.tenant_id", read_only=True, allow_null=True, default=None)
    customer_name = serializers.CharField(source="customer.company_name", read_only=True, allow_null=True, default=None)
    invitation_id = serializers.IntegerField(read_only=True, allow_null=True)
    renews_grant_id = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("The grant this row renews (renewal batches)."))
    reason_code = serializers.CharField(source="error_code", read_only=True)
    reason = serializers.CharField(source="error_message", read_only=True,
                                   help_text=_("Why the row is `covered` or `not_allowed` (the service's own message)."))

    class Meta:
        model = DelegatedAdminBatchRow
        fields = ["line", "given", "customer_tenant_id", "customer_name", "status", "invitation_id", "reason_code", "reason", "processed_at",
                  "renews_grant_id"]
        read_only_fields = fields
