"""The world the sweep aims at: the demo data (two partners, customers, grants, subscriptions,
directory users, a pending invitation) plus one object of every other kind, and the value of every
URL kwarg the URL configuration names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from customers.models import AgreementVersion
from invitation_batches.gdap_services import delegated_admin_batch_create
from partnercenter.directory_roles import BUNDLES
from partners.models import PartnerSecurityGroup
from tests.malformed.routes import Route


@dataclass
class SweepWorld:
    partner_admin: Any  # Contoso's account admin (User)
    partner_agent: Any  # Contoso's admin agent, with the grant's roles assigned
    customer_admin: Any  # Northwind's global admin (User)
    staff: Any  # superuser with TOTP
    api_token: str  # Contoso, every scope
    kwargs: dict[str, str]
    pks: dict[str, str]  # route name -> the pk its `pk` kwarg takes
    invitation_path: str  # /r/<token> of a pending invitation
    join_path: str  # /join/<token> of a pending partner-user invitation
    admin_objects: dict[str, str] = field(default_factory=dict)  # "app_model" -> an object id


def build_world() -> SweepWorld:
    from django.utils import timezone

    from demo.data import build_demo_world
    from invitation_batches.services import invitation_batch_upload, json_lines
    from invitations.create_services import invitation_create
    from invitations.links import invitation_url
    from invitations.relationship_links import relationship_link_rotate
    from notifications.models import MailboxMessage, Notification, WebhookDelivery
    from partners.api_key_services import api_key_create
    from partners.models import PartnerMembership
    from partners.permissions import ApiScope
    from partners.services import partner_user_invite
    from partners.webhook_services import webhook_subscription_create
    from relationships.graph_ids import grant_graph_id
    from relationships.models import DelegatedAdminGrant, GrantActionRequest, GrantOperation, Relationship
    from servicerequests.services import service_request_create
    from tests.staff.users import staff_user

    demo = build_demo_world()
    contoso, _fabrikam = demo.partners
    northwind = demo.customers[0]
    admin = PartnerMembership.objects.select_related("user").get(partner=contoso, user__email=f"admin@{contoso.verified_domain}")
    agent = PartnerMembership.objects.select_related("user").get(partner=contoso, user__email=f"agent@{contoso.verified_domain}")
    sales = PartnerMembership.objects.get(partner=contoso, user__email=f"sales@{contoso.verified_domain}")
    customer_admin = northwind.memberships.select_related("user").get(user__email=f"it@{northwind.primary_domain}").user

    sweep_key = api_key_create(membership=admin, name="Sweep", scopes=[s.value for s in ApiScope])
    token = sweep_key.token
    spare_key = api_key_create(membership=admin, name="Sweep spare", scopes=["invitations:read"]).api_key
    subscription = webhook_subscription_create(membership=admin, url="https://hooks.example/sweep",
                                               event_types=["invitation.created"]).subscription
    invitation = invitation_create(membership=admin, include_delegated_admin=True)  # not pinned: any signed-in user may answer
    relationship_link_rotate(membership=admin)  # a delivery for the subscription, and a live reusable link
    delivery = WebhookDelivery.objects.filter(partner=contoso).order_by("pk").first()
    service_request = service_request_create(membership=agent, customer=northwind, title="Sweep", description="Filed by the sweep.")
    batch = invitation_batch_upload(membership=admin, lines=json_lines([{
        "company": "Batch Co", "recipient_email": "it@batch-co.example", "domain": "batch-co.example", "country": "JP"}]))
    joining = partner_user_invite(partner=contoso, email="joiner@contoso-cloud.example", roles=["sales_agent"], invited_by=admin)
    message = MailboxMessage.objects.create(to="it@northwind.example", from_email="noreply@partnercenter.example",
                                            subject="Sweep", text_body="Hello", html_body="<p>Hello</p>", sent_at=timezone.now())
    grant = DelegatedAdminGrant.objects.filter(partner=contoso, customer=northwind).order_by("pk").first()
    assert grant is not None, "the demo world has Northwind's grant"
    relationship = Relationship.objects.get(partner=contoso, customer=northwind)
    staff = staff_user(superuser=True, email="sweep-staff@partnercenter.example")
    operation = GrantOperation.objects.filter(grant=grant).first()
    action_request = GrantActionRequest.objects.filter(grant=grant).first()
    assignment = grant.access_assignments.first() if hasattr(grant, "access_assignments") else None
    group = PartnerSecurityGroup.objects.filter(partner=contoso).order_by("pk").first()
    assert group is not None, "the demo world has Contoso's security group"
    gdap_batch = delegated_admin_batch_create(membership=admin, identifiers=[str(northwind.tenant_id)],
                                              roles=list(BUNDLES["helpdesk"][1]), duration_days=90)
    agreement_version = AgreementVersion.objects.order_by("-effective_at").values_list("version", flat=True).first()
    from relationships.customer_notes import customer_note_add  # issue 24, item 5: a note to aim at

    note = customer_note_add(actor=admin, relationship=Relationship.objects.get(partner=contoso, customer=northwind), body="Sweep note")

    # issue 24, item 3: a saved view of the sweep's key (a key's views are its technical user's).
    from partners.api_key_services import api_key_actor
    from partners.saved_view_services import saved_view_save

    api_view = saved_view_save(membership=api_key_actor(api_key=sweep_key.api_key), list_name="customers", name="Sweep",
                               query_string="dap=none")

    kwargs = {
        "partner_id": contoso.partner_id, "tenant_id": str(northwind.tenant_id), "membership_pk": str(sales.pk),
        "invitation_pk": str(invitation.pk), "grant_pk": str(grant.pk), "batch_pk": str(batch.pk),
        "api_key_pk": str(spare_key.pk), "delivery_pk": str(delivery.pk if delivery else 0),
        "relationship_id": grant_graph_id(grant), "request_id": str(action_request.graph_guid if action_request else "x"),
        "operation_id": str(operation.graph_guid if operation else "x"),
        "assignment_id": str(assignment.graph_guid if assignment else "x"),
        "app_label": "customers", "key": "x", "uidb36": "1", "url": "no-such-page/",
        "northwind_pk": str(northwind.pk), "id": str(staff.pk), "content_type_id": str(ContentType.objects.get_for_model(northwind).pk),
        "object_id": str(group.object_id), "member_id": str(sales.pk), "version": str(agreement_version or "2026-01"),
        # The partner admin's own notification (the admin center's route answers 404 for it: not the customer's).
        "notification_pk": str(Notification.objects.filter(user=admin.user).order_by("pk").values_list("pk", flat=True).first()
                               or 0),
        "note_pk": str(note.pk), "note_id": str(note.pk),
    }
    pks = {
        "service_requests:detail": str(service_request.pk), "notifications:mailbox_message": str(message.pk),
        "notifications:mailbox_message_html": str(message.pk), "customer_service_requests:detail": str(service_request.pk),
        # allauth's security-key pages: a key id of nobody's (the user has none) answers 404.
        "mfa_remove_webauthn": "1", "mfa_edit_webauthn": "1",
    }
    api_pks = {"invitation": invitation.pk, "relationship": relationship.pk, "grant": grant.pk,
               "webhook-subscription": subscription.pk, "webhook-delivery": delivery.pk if delivery else 0,
               "service-request": service_request.pk, "invitation-batch": batch.pk,
               "delegated-admin-batch": gdap_batch.pk, "saved-view": api_view.pk}
    for prefix, pk in api_pks.items():
        for suffix in ("detail", "cancel", "resend", "access-assignments", "terminate", "rotate-secret", "redeliver",
                       "notes", "confirm", "rows"):
            pks[f"{prefix}-{suffix}"] = str(pk)
    admin_objects = {}
    for model in apps.get_models():
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            admin_objects[f"{model._meta.app_label}_{model._meta.model_name}"] = str(first)
    return SweepWorld(partner_admin=admin.user, partner_agent=agent.user, customer_admin=customer_admin, staff=staff,
                      api_token=token, kwargs=kwargs, pks=pks, admin_objects=admin_objects,
                      invitation_path="/" + invitation_url(invitation).split("://", 1)[1].split("/", 1)[1],
                      join_path=joining.path)


def values_for(world: SweepWorld, route: Route) -> dict[str, str]:
    """Every kwarg of the route, filled from the world (KeyError when it has none)."""
    values = dict(world.kwargs)
    bare_name = route.name.rsplit(":", 1)[-1]
    if route.name in world.pks or bare_name in world.pks:
        values["pk"] = world.pks.get(route.name) or world.pks[bare_name]
    if route.name in {"invitation_open", "partner_user_invitation_open"}:
        values["token"] = (world.invitation_path if route.name == "invitation_open" else world.join_path).rsplit("/", 1)[-1]
    if route.surface == "staff admin":
        model = route.name.removeprefix("admin:").rsplit("_", 1)[0]
        values["object_id"] = world.admin_objects.get(model, "1")
        if route.name == "admin:view_on_site":
            values["object_id"] = world.kwargs["northwind_pk"]
        if route.name == "admin:":  # the object_id redirect: its model from the pattern
            parts = route.pattern.split("/")
            if len(parts) > 3:
                values["object_id"] = world.admin_objects.get(f"{parts[1]}_{parts[2]}", "1")
    return values


def admin_index() -> str:
    return reverse("admin:index")
