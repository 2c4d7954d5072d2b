from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("senderids", "0003_release_and_drift")]

    operations = [
        migrations.AddField(
            model_name="statusevent",
            name="kind",
            field=models.CharField(blank=True, db_index=True, max_length=40, verbose_name="kind"),
        ),
    ]
