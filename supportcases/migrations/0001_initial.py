"""SupportCase, moved here from registrations with its rows.

State only: the table `registrations_supportcase` (created by registrations 0001) is adopted as it is,
so a fresh database and an upgraded one end up the same. 0002 renames it.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("registrations", "0002_supportcase_moved_to_supportcases"),
        ("senderids", "0002_requests"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SupportCase",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("marker", models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="reference")),
                        ("create_attempted_at", models.DateTimeField(blank=True, null=True, verbose_name="create attempted")),
                        ("case_id", models.CharField(blank=True, db_index=True, max_length=200, verbose_name="case ID")),
                        ("display_id", models.CharField(blank=True, max_length=100, verbose_name="display ID")),
                        ("subject", models.CharField(blank=True, max_length=300, verbose_name="subject")),
                        ("body", models.TextField(blank=True, verbose_name="body")),
                        ("status", models.CharField(blank=True, max_length=60, verbose_name="AWS status")),
                        ("last_polled_at", models.DateTimeField(blank=True, null=True, verbose_name="last polled")),
                        ("next_poll_due", models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="next poll due")),
                        ("resolved_at", models.DateTimeField(blank=True, null=True, verbose_name="resolved")),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="confirmed")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        ("confirmed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("request", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="support_case", to="senderids.senderidrequest")),
                    ],
                    options={
                        "verbose_name": "support case",
                        "verbose_name_plural": "support cases",
                        "db_table": "registrations_supportcase",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
