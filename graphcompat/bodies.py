"""Graph request bodies → our service arguments. Read-only properties that clients round-trip
(`id`, `status`, `*DateTime`, `@odata.*`, navigation collections) are ignored; anything else
unknown or malformed is a 400 `invalidRequest`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from graphcompat.durations import parse_days
from graphcompat.errors import GraphError
from graphcompat.selectors import active_customer_for_partner
from partnercenter.directory_roles import BY_ID
from partnercenter.entra_roles import refused_roles
from partners.choices import PartnerRole
from partners.security_group_selectors import security_group_by_object_id

if TYPE_CHECKING:
    from partners.models import Partner

READ_ONLY = {"id", "status", "createdDateTime", "lastModifiedDateTime", "activatedDateTime", "endDateTime",
             "accessAssignments", "operations", "requests"}
AUTO_EXTEND_DAYS = 180


def invalid(message: str) -> GraphError:
    return GraphError(400, "invalidRequest", message)


def _writable(body: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    fields = {key: value for key, value in body.items() if not key.startswith("@odata.") and key not in READ_ONLY}
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise invalid(_("Unknown or read-only properties: %(names)s.") % {"names": ", ".join(unknown)})
    return fields


def _roles(value: Any) -> list[str]:
    roles = value.get("unifiedRoles") if isinstance(value, dict) else None
    if not isinstance(roles, list) or not roles:
        raise invalid(_("accessDetails.unifiedRoles must list at least one role."))
    ids = []
    for role in roles:
        role_id = role.get("roleDefinitionId") if isinstance(role, dict) else None
        if isinstance(role_id, str) and role_id in refused_roles():
            raise invalid(_("GDAP does not grant %(name)s (%(id)s): %(reason)s")
                          % {"name": refused_roles()[role_id].name, "id": role_id, "reason": refused_roles()[role_id].refused_reason})
        if not isinstance(role_id, str) or role_id not in BY_ID:
            raise invalid(_("Unknown roleDefinitionId: %(id)s.") % {"id": role_id})
        if role_id not in ids:
            ids.append(role_id)
    return ids


def _duration(value: Any) -> int:
    days = parse_days(value)
    if days is None or not 1 <= days <= 730:
        raise invalid(_("duration must be an ISO-8601 duration from P1D to P730D (P2Y)."))
    return days


def _auto_extend(value: Any) -> bool:
    days = parse_days(value)
    if days not in (0, AUTO_EXTEND_DAYS):
        raise invalid(_("autoExtendDuration must be PT0S or P180D."))
    return days == AUTO_EXTEND_DAYS


def relationship_fields(body: dict[str, Any], *, partner: Partner, required: bool) -> dict[str, Any]:
    """Service keyword values (display_name, duration_days, auto_extend, roles, customer, customer_display_name)
    present in the body. `customer` is optional, as in Graph, until lockForApproval; its `displayName` is kept."""
    fields = _writable(body, {"displayName", "duration", "autoExtendDuration", "customer", "accessDetails"})
    if required:
        missing = [name for name in ("displayName", "duration", "accessDetails") if name not in fields]
        if missing:
            raise invalid(_("Required properties are missing: %(names)s.") % {"names": ", ".join(missing)})
    values: dict[str, Any] = {}
    if "displayName" in fields:
        if not isinstance(fields["displayName"], str):
            raise invalid(_("displayName must be a string."))
        values["display_name"] = fields["displayName"]
    if "duration" in fields:
        values["duration_days"] = _duration(fields["duration"])
    if "autoExtendDuration" in fields:
        values["auto_extend"] = _auto_extend(fields["autoExtendDuration"])
    if "accessDetails" in fields:
        values["roles"] = _roles(fields["accessDetails"])
    if fields.get("customer") is not None:
        participant = fields["customer"]
        if not isinstance(participant, dict) or set(participant) - {"tenantId", "displayName", "@odata.type"}:
            raise invalid(_("customer has tenantId and displayName."))
        tenant_id = participant.get("tenantId")
        customer = active_customer_for_partner(partner=partner, tenant_id=str(tenant_id)) if tenant_id else None
        if customer is None:
            raise invalid(_("customer.tenantId must be one of your customers."))
        name = participant.get("displayName")
        if name is not None and (not isinstance(name, str) or len(name) > 256 or "\x00" in name):
            raise invalid(_("customer.displayName must be a string of at most 256 characters."))
        values["customer"] = customer
        if name is not None:
            values["customer_display_name"] = "" if name.strip() == customer.company_name else name.strip()
    return values


def assignment_fields(body: dict[str, Any], *, required: bool, partner: Partner) -> dict[str, Any]:
    """The access container and roles present in the body.

    accessContainer.accessContainerId names one of the partner's security groups by object id
    (`security_group`), or, for assignments made before groups, a partner role (`partner_role`)."""
    fields = _writable(body, {"accessContainer", "accessDetails"})
    if required and ("accessContainer" not in fields or "accessDetails" not in fields):
        raise invalid(_("accessContainer and accessDetails are required."))
    values: dict[str, Any] = {}
    if "accessContainer" in fields:
        container = fields["accessContainer"] if isinstance(fields["accessContainer"], dict) else {}
        container_id = container.get("accessContainerId")
        if container.get("accessContainerType", "securityGroup") != "securityGroup":
            raise invalid(_("accessContainer.accessContainerType must be securityGroup."))
        if isinstance(container_id, str) and container_id in PartnerRole.values:
            values["partner_role"] = container_id
        else:
            group = security_group_by_object_id(partner=partner, object_id=container_id) if isinstance(container_id, str) else None
            if group is None:
                raise invalid(_("accessContainer.accessContainerId must be the object id of one of your security groups "
                                "(Partner settings → Security groups)."))
            values["security_group"] = group
    if "accessDetails" in fields:
        values["roles"] = _roles(fields["accessDetails"])
    return values
