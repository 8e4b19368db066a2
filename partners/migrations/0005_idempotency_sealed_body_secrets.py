"""Idempotency-Key responses sealed at rest (issue 18): a stored body could hold a live link."""

from django.db import migrations, models


def seal_stored_bodies(apps, schema_editor):  # type: ignore[no-untyped-def]
    from partnercenter.sealing import seal

    ApiIdempotencyKey = apps.get_model("partners", "ApiIdempotencyKey")
    for record in ApiIdempotencyKey.objects.all().iterator():
        record.response_sealed = seal({"body": record.response_body})
        record.save(update_fields=["response_sealed"])


def unseal_stored_bodies(apps, schema_editor):  # type: ignore[no-untyped-def]
    from partnercenter.sealing import unseal

    ApiIdempotencyKey = apps.get_model("partners", "ApiIdempotencyKey")
    for record in ApiIdempotencyKey.objects.exclude(response_sealed="").iterator():
        record.response_body = unseal(record.response_sealed)["body"]
        record.save(update_fields=["response_body"])


class Migration(migrations.Migration):
    dependencies = [("partners", "0004_partner_domain_proof")]

    operations = [
        migrations.AddField(
            model_name="apiidempotencykey",
            name="response_sealed",
            field=models.TextField(blank=True, default="", verbose_name="response body (sealed)"),
        ),
        migrations.RunPython(seal_stored_bodies, unseal_stored_bodies),
        migrations.RemoveField(model_name="apiidempotencykey", name="response_body"),
    ]
