from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("smsvoice", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="awscall",
            name="portal_request_id",
            field=models.PositiveBigIntegerField(
                blank=True, db_index=True, null=True, verbose_name="portal request"
            ),
        ),
    ]
