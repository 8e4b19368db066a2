"""Bulk invitation representations (out) and JSON create requests (in)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from invitation_batches.choices import BatchSource, BatchStatus, RowStatus
from invitation_batches.models import InvitationBatch, InvitationBatchRow


class BatchRowInSerializer(serializers.Serializer):
    """One customer to invite. Values are checked like a CSV line (errors come back per row)."""

    company = serializers.CharField(allow_blank=True, required=False, default="", max_length=1000)
    recipient_email = serializers.CharField(allow_blank=True, required=False, default="", max_length=1000)
    domain = serializers.CharField(allow_blank=True, required=False, default="", max_length=1000)
    country = serializers.CharField(allow_blank=True, required=False, default="", max_length=1000,
                                    help_text=_("Two-letter country code of the customer's tenant."))
    include_delegated_admin = serializers.BooleanField(required=False, default=True)
    role_bundle = serializers.CharField(allow_blank=True, required=False, default="", max_length=1000)
    language = serializers.CharField(allow_blank=True, required=False, default="en", max_length=1000)


class BatchCreateSerializer(serializers.Serializer):
    rows = serializers.ListField(child=BatchRowInSerializer(), min_length=1, max_length=settings.INVITATION_BATCH_MAX_ROWS)


class BatchQuerySerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(required=False, default=False,
                                       help_text=_("Only check the rows: the batch stays in `preview` until confirmed."))


class BatchRowErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class BatchRowSerializer(serializers.ModelSerializer):
    # An API field named like Serializer.errors: DRF's metaclass moves declared fields out of the class body.
    errors = BatchRowErrorSerializer(  # type: ignore[assignment]
        many=True, read_only=True, help_text=_("Problems found by the check (the batch cannot be confirmed).")
    )
    notices = serializers.ListField(child=serializers.DictField(), read_only=True, help_text=_("Information only (e.g. other partners)."))
    status = serializers.ChoiceField(choices=RowStatus.choices, read_only=True)
    invitation_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = InvitationBatchRow
        fields = ["line", "company", "recipient_email", "domain", "country", "include_delegated_admin", "role_bundle", "language",
                  "status", "errors", "notices", "invitation_id", "error_code", "error_message", "processed_at"]
        read_only_fields = fields


class BatchSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=BatchStatus.choices, read_only=True)
    # An API field named like Field.source: DRF's metaclass moves declared fields out of the class body.
    source = serializers.ChoiceField(choices=BatchSource.choices, read_only=True)  # type: ignore[assignment]
    rows_to_send = serializers.IntegerField(source="to_process", read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text=_("Progress of the job, 0 to 100."))

    class Meta:
        model = InvitationBatch
        fields = ["id", "status", "source", "filename", "total_rows", "invalid_rows", "rows_to_send", "done_rows", "created_rows",
                  "failed_rows", "percent", "created_at", "confirmed_at", "started_at", "finished_at"]
        read_only_fields = fields
