"""A partner's private tags and notes on its customers (issue 24, item 5).

Tags are partner-scoped names (unique ignoring case), created on the fly when a member tags a
customer, renamed and deleted by account admins and admin agents; notes are written by any member
of the partner, edited or deleted by their author or an account admin
(relationships.customer_note_permissions). Every action: one transaction, authorised through
partners.authz (another partner's tag, note or customer answers not found), and one audit event in
the partner's log only — the event names the customer in its data, never as its `customer`, so the
customer's activity in the admin center never shows a tag or a note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import actor_label_for, audit_record
from partnercenter.errors import DomainError
from partners.authz import Actor, Permission, authorize
from partners.security_group_services import partner_target
from relationships import customer_note_permissions  # noqa: F401 — registers the note authorship condition
from relationships.models import CustomerNote, CustomerTag, Relationship

if TYPE_CHECKING:
    from partners.models import Partner, PartnerMembership

MAX_TAG_NAME = 50
MAX_TAGS_PER_CUSTOMER = 20
MAX_NOTE = 5000


class CustomerNoteError(DomainError):
    pass


def _actor(actor: Actor | PartnerMembership) -> Actor:
    return actor if isinstance(actor, Actor) else Actor.for_membership(actor)


def _customer_data(relationship: Relationship) -> dict[str, Any]:
    customer = relationship.customer
    return {"customer": {"tenant_id": str(customer.tenant_id), "company_name": customer.company_name}}


def tag_name_clean(name: object) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned or len(cleaned) > MAX_TAG_NAME or "\x00" in cleaned:
        raise CustomerNoteError("invalid_tag", _("A tag name has 1 to 50 characters."), field="name")
    return cleaned


def _tag_by_name(partner: Partner, name: str) -> CustomerTag | None:
    return CustomerTag.objects.annotate(lower_name=Lower("name")).filter(partner=partner, lower_name=name.lower()).first()


def _tag_create(*, actor: Actor, partner: Partner, name: str) -> CustomerTag:
    try:
        with transaction.atomic():
            tag = CustomerTag.objects.create(partner=partner, name=name, created_by=actor.user if actor.user and actor.user.pk else None)
    except IntegrityError:  # created by a concurrent request meanwhile: that one is the tag
        existing = _tag_by_name(partner, name)
        if existing is None:
            raise
        return existing
    audit_record(action=AuditAction.CUSTOMER_TAG_CREATED, actor=actor.user, partner=partner, target=tag, after={"name": tag.name})
    return tag


@transaction.atomic
def customer_tag_create(*, actor: Actor | PartnerMembership, partner: Partner, name: str) -> CustomerTag:
    """A new tag of the partner (or the existing one of that name, ignoring case)."""
    resolved = _actor(actor)
    authorize(resolved, Permission.ANNOTATE_CUSTOMERS, partner_target(partner))
    cleaned = tag_name_clean(name)
    return _tag_by_name(partner, cleaned) or _tag_create(actor=resolved, partner=partner, name=cleaned)


def _locked_tag(tag: CustomerTag) -> CustomerTag:
    return CustomerTag.objects.select_for_update().get(pk=tag.pk)


@transaction.atomic
def customer_tag_rename(*, actor: Actor | PartnerMembership, tag: CustomerTag, name: str) -> CustomerTag:
    """Rename the tag for every customer carrying it. Another tag of that name (ignoring case): refused."""
    resolved = _actor(actor)
    authorize(resolved, Permission.MANAGE_CUSTOMER_TAGS, tag, message=_("Only account admins and admin agents can rename tags."))
    cleaned = tag_name_clean(name)
    locked = _locked_tag(tag)
    other = _tag_by_name(locked.partner, cleaned)
    if other is not None and other.pk != locked.pk:
        raise CustomerNoteError("tag_exists", _("A tag with this name already exists."), field="name")
    if cleaned == locked.name:
        return locked
    before = locked.name
    CustomerTag.objects.filter(pk=locked.pk).update(name=cleaned)
    locked.name = cleaned
    audit_record(action=AuditAction.CUSTOMER_TAG_RENAMED, actor=resolved.user, partner_id=locked.partner_id, target=locked,
                 before={"name": before}, after={"name": cleaned})
    return locked


@transaction.atomic
def customer_tag_delete(*, actor: Actor | PartnerMembership, tag: CustomerTag) -> None:
    """Delete the tag: it leaves every customer carrying it (how many is kept in the audit event)."""
    resolved = _actor(actor)
    authorize(resolved, Permission.MANAGE_CUSTOMER_TAGS, tag, message=_("Only account admins and admin agents can delete tags."))
    locked = _locked_tag(tag)
    count = locked.customers.count()
    audit_record(action=AuditAction.CUSTOMER_TAG_DELETED, actor=resolved.user, partner_id=locked.partner_id, target=locked,
                 before={"name": locked.name}, data={"customers": count})
    locked.delete()


@transaction.atomic
def customer_tags_set(*, actor: Actor | PartnerMembership, relationship: Relationship, names: list[str]) -> list[CustomerTag]:
    """The customer's tags become exactly `names` (tags not existing yet are created). Returns them by name.

    Pre: `relationship` is the partner's active relationship with the customer (callers resolve it
    with relationships.selectors.relationship_for_partner_customer: 404 otherwise).
    Post: one CUSTOMER_TAGS_CHANGED event (before → after names) when the set changed; none otherwise.
    """
    resolved = _actor(actor)
    authorize(resolved, Permission.ANNOTATE_CUSTOMERS, relationship)
    cleaned: dict[str, str] = {}
    for name in names:
        tag_name = tag_name_clean(name)
        cleaned.setdefault(tag_name.lower(), tag_name)
    if len(cleaned) > MAX_TAGS_PER_CUSTOMER:
        raise CustomerNoteError("too_many_tags", _("A customer may carry up to 20 tags."), field="tags")
    partner, customer = relationship.partner, relationship.customer
    # Lock the partner's tags of this customer in a fixed order: two members tagging at once serialise.
    current = list(CustomerTag.objects.filter(partner=partner, customers=customer).order_by("pk").select_for_update())
    existing = {tag.name.lower(): tag for tag in CustomerTag.objects.filter(partner=partner).annotate(lower_name=Lower("name"))
                .filter(lower_name__in=list(cleaned))}
    wanted = [existing.get(key) or _tag_create(actor=resolved, partner=partner, name=name) for key, name in cleaned.items()]
    before = sorted(tag.name for tag in current)
    after = sorted(tag.name for tag in wanted)
    removed = [tag for tag in current if tag.pk not in {t.pk for t in wanted}]
    added = [tag for tag in wanted if tag.pk not in {t.pk for t in current}]
    through = CustomerTag.customers.through
    if removed:
        through.objects.filter(customertag__in=removed, customer=customer).delete()
    if added:
        through.objects.bulk_create([through(customertag=tag, customer=customer) for tag in added], ignore_conflicts=True)
    if removed or added:
        audit_record(action=AuditAction.CUSTOMER_TAGS_CHANGED, actor=resolved.user, partner=partner, target=relationship,
                     before={"tags": before}, after={"tags": after}, data=_customer_data(relationship))
    return sorted(wanted, key=lambda tag: tag.name.lower())


@transaction.atomic
def customer_note_add(*, actor: Actor | PartnerMembership, relationship: Relationship, body: str) -> CustomerNote:
    """A new note on the customer, written by the actor now."""
    resolved = _actor(actor)
    authorize(resolved, Permission.ANNOTATE_CUSTOMERS, relationship)
    text = _note_text(body)
    now = timezone.now()
    user = resolved.user if resolved.user is not None and resolved.user.pk else None
    note = CustomerNote.objects.create(partner=relationship.partner, customer=relationship.customer, body=text, author=user,
                                       author_label=_author_label(resolved), created_at=now, updated_at=now)
    audit_record(action=AuditAction.CUSTOMER_NOTE_ADDED, actor=resolved.user, partner=relationship.partner, target=note,
                 after={"note": text}, data=_customer_data(relationship))
    return note


def _author_label(actor: Actor) -> str:
    return actor_label_for(actor.user)[:254]


def _note_text(body: object) -> str:
    text = str(body or "").strip()
    if not text or len(text) > MAX_NOTE or "\x00" in text:
        raise CustomerNoteError("invalid_note", _("Write a note of up to 5,000 characters."), field="body")
    return text


def _locked_note(note: CustomerNote) -> CustomerNote:
    return CustomerNote.objects.select_for_update().select_related("customer").get(pk=note.pk)


@transaction.atomic
def customer_note_edit(*, actor: Actor | PartnerMembership, note: CustomerNote, body: str) -> CustomerNote:
    """Change the note's text (its author or an account admin). The previous text stays in the audit log."""
    resolved = _actor(actor)
    authorize(resolved, Permission.EDIT_CUSTOMER_NOTE, note)
    text = _note_text(body)
    locked = _locked_note(note)
    if text == locked.body:
        return locked
    before = locked.body
    now = timezone.now()
    CustomerNote.objects.filter(pk=locked.pk).update(body=text, updated_at=now)
    locked.body, locked.updated_at = text, now
    audit_record(action=AuditAction.CUSTOMER_NOTE_EDITED, actor=resolved.user, partner_id=locked.partner_id, target=locked,
                 before={"note": before}, after={"note": text},
                 data={"customer": {"tenant_id": str(locked.customer.tenant_id), "company_name": locked.customer.company_name}})
    return locked


@transaction.atomic
def customer_note_delete(*, actor: Actor | PartnerMembership, note: CustomerNote) -> None:
    """Delete the note (its author or an account admin); its last text stays in the audit log."""
    resolved = _actor(actor)
    authorize(resolved, Permission.EDIT_CUSTOMER_NOTE, note)
    locked = _locked_note(note)
    audit_record(action=AuditAction.CUSTOMER_NOTE_DELETED, actor=resolved.user, partner_id=locked.partner_id, target=locked,
                 before={"note": locked.body, "author": locked.author_label},
                 data={"customer": {"tenant_id": str(locked.customer.tenant_id), "company_name": locked.customer.company_name}})
    locked.delete()
