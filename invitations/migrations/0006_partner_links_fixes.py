"""Every partner has a reusable link (as in Partner Center): partners created before links were made
with the partner get an active one. A partner with a link row keeps it as it is (a revoked link
stays revoked). No audit event: the audit log records actions, and this is no one's action."""

from django.db import migrations

from invitations.tokens import derived_hash, new_nonce

SOVEREIGN_CLOUDS = ("us_gov", "germany")  # partners.choices.SOVEREIGN_CLOUDS when this was written


def give_every_partner_a_link(apps, schema_editor):  # type: ignore[no-untyped-def]
    Partner = apps.get_model("partners", "Partner")
    RelationshipLink = apps.get_model("invitations", "RelationshipLink")
    for partner in Partner.objects.filter(relationship_link__isnull=True).only("pk", "cloud").iterator():
        link = RelationshipLink.objects.create(partner=partner, token_nonce="-", token_hash=f"unissued-{new_nonce()}",
                                               include_delegated_admin=partner.cloud in SOVEREIGN_CLOUDS)
        link.token_nonce = new_nonce()
        link.token_hash = derived_hash(purpose="link", row_id=link.pk, nonce=link.token_nonce)
        link.save(update_fields=["token_nonce", "token_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("invitations", "0005_exports"),
        ("partners", "0006_partner_mfa_required"),
    ]

    operations = [
        migrations.RunPython(give_every_partner_a_link, migrations.RunPython.noop),
    ]
