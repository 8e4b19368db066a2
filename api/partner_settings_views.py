"""/api/v1/partner-settings (issue 24, item 7): the partner's defaults for new delegated admin requests
and its invitation emails' reply-to and signature. `settings:manage` (acts as an account admin), as
Partner settings → Defaults in the console; every change goes through partners.defaults_services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import PartnerApiMixin
from partnercenter.directory_roles import MAX_DURATION_DAYS, MIN_DURATION_DAYS
from partners.defaults_services import MAX_SIGNATURE, PartnerDefaults, partner_defaults, partner_defaults_update
from partners.models import Partner
from partners.permissions import ApiScope


class PartnerSettingsSerializer(serializers.Serializer):
    default_roles = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=200,
                                          help_text=_("Directory role ids new delegated admin requests ask for."))
    default_duration_days = serializers.IntegerField(min_value=MIN_DURATION_DAYS, max_value=MAX_DURATION_DAYS)
    default_auto_extend = serializers.BooleanField(help_text=_("Not allowed with Global Administrator among the roles."))
    invitation_reply_to = serializers.EmailField(allow_blank=True, max_length=254,
                                                 help_text=_("Reply-To of invitation emails; empty for none."))
    invitation_signature = serializers.CharField(allow_blank=True, max_length=MAX_SIGNATURE, trim_whitespace=False,
                                                 help_text=_("Ends each new invitation draft; empty for the default closing."))


def represent(partner: Partner) -> dict[str, object]:
    defaults = partner_defaults(partner)
    return {"default_roles": defaults.roles, "default_duration_days": defaults.duration_days,
            "default_auto_extend": defaults.auto_extend, "invitation_reply_to": defaults.reply_to,
            "invitation_signature": defaults.signature}


class PartnerSettingsView(PartnerApiMixin, APIView):
    required_scopes = {"get": ApiScope.SETTINGS_MANAGE, "patch": ApiScope.SETTINGS_MANAGE}

    @extend_schema(operation_id="partner_settings_retrieve", responses=PartnerSettingsSerializer)
    def get(self, request: Request) -> Response:
        """The partner's defaults."""
        return self.represent(represent(self.partner))

    @extend_schema(operation_id="partner_settings_partial_update", request=PartnerSettingsSerializer, responses=PartnerSettingsSerializer)
    def patch(self, request: Request) -> Response:
        """Change some of the defaults (the others stay); audited before → after."""
        body = PartnerSettingsSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        current = partner_defaults(self.partner)
        partner_defaults_update(actor=self.membership, partner=self.partner, defaults=PartnerDefaults(
            roles=data.get("default_roles", current.roles), duration_days=data.get("default_duration_days", current.duration_days),
            auto_extend=data.get("default_auto_extend", current.auto_extend),
            reply_to=data.get("invitation_reply_to", current.reply_to), signature=data.get("invitation_signature", current.signature)))
        return self.represent(represent(self.partner))
