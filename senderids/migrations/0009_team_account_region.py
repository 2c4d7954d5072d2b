"""Requests belong to a team and live in one AWS account and Region: the columns (0010 fills them).

Schema and data are separate migrations: the index Django defers to the end of a migration cannot be
built on PostgreSQL after the same transaction updated the rows (pending deferred FK checks).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("countries", "0002_catalogue"),
        ("senderids", "0008_claimed_by"),
        ("smsvoice", "0003_aws_accounts_and_region_routes"),
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="senderidrequest",
            name="aws_account",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="smsvoice.awsaccount",
                verbose_name="AWS account",
            ),
        ),
        migrations.AddField(
            model_name="senderidrequest",
            name="aws_region",
            field=models.CharField(default="", max_length=30, verbose_name="AWS Region"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="senderidrequest",
            name="team",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sender_id_requests",
                to="teams.team",
                verbose_name="team",
            ),
        ),
        migrations.AddIndex(
            model_name="senderidrequest",
            index=models.Index(fields=["team", "-created_at"], name="senderids_s_team_id_f61a3f_idx"),
        ),
    ]
