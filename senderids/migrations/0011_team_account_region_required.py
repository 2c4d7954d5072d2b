"""Every request now has its team, account and Region (0010 filled them): make them required."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("senderids", "0010_attach_requests")]

    operations = [
        migrations.AlterField(
            model_name="senderidrequest",
            name="aws_account",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="smsvoice.awsaccount",
                verbose_name="AWS account",
            ),
        ),
        migrations.AlterField(
            model_name="senderidrequest",
            name="team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sender_id_requests",
                to="teams.team",
                verbose_name="team",
            ),
        ),
    ]
