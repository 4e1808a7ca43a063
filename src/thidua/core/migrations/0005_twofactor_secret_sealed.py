"""Two-factor secrets encrypted at rest (core.secretbox): the column widens for the sealed
form, and every secret stored in clear until now is sealed in place."""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from thidua.core import secretbox

    TwoFactor = apps.get_model("core", "TwoFactor")
    for device in TwoFactor.objects.all():
        if not secretbox.is_sealed(device.secret):
            device.secret = secretbox.seal(device.secret)
            device.save(update_fields=["secret"])


def unseal_existing(apps, schema_editor):
    from thidua.core import secretbox

    TwoFactor = apps.get_model("core", "TwoFactor")
    for device in TwoFactor.objects.all():
        plain = secretbox.unseal(device.secret)
        if plain is not None:
            device.secret = plain
            device.save(update_fields=["secret"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_ratecounter"),
    ]

    operations = [
        migrations.AlterField(
            model_name="twofactor",
            name="secret",
            field=models.CharField(max_length=200),
        ),
        migrations.RunPython(seal_existing, unseal_existing),
    ]
