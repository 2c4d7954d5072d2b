"""Support cases as AWS really offers them: assisted or API cases, a state a person understands (debounced),
AWS's messages and the team's answers, documents, and what check_aws confirmed.

Existing rows were opened through the API (mode "api"); their state is read from what they hold:
AWS's raw status, or the request having got past the resolved case.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


RESOLVED_REQUEST_STATUSES = ("support_case_resolved", "active", "releasing", "released")


def state_of_existing_cases(apps, schema_editor):
    SupportCase = apps.get_model("supportcases", "SupportCase")
    db = schema_editor.connection.alias
    for case in SupportCase.objects.using(db).select_related("request"):
        status = (case.status or "").strip().lower()
        if status == "resolved" or case.request.status in RESOLVED_REQUEST_STATUSES:
            state = "resolved"
        elif status == "pending-customer-action":
            state = "customer_action"
        else:
            state = "open"
        SupportCase.objects.using(db).filter(pk=case.pk).update(
            mode="api",
            state=state,
            state_changed_at=case.updated_at,
            opened_at=case.created_at if case.case_id else None,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("senderids", "0002_requests"),
        ("supportcases", "0002_rename_table_and_content_type"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SupportApiCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("account_id", models.CharField(max_length=20, verbose_name="AWS account")),
                ("arn", models.CharField(blank=True, max_length=300, verbose_name="identity")),
                ("region", models.CharField(blank=True, max_length=30, verbose_name="Region")),
                ("checked_at", models.DateTimeField(verbose_name="checked")),
                ("available", models.BooleanField(default=False, verbose_name="Support API available")),
                ("error_code", models.CharField(blank=True, max_length=100, verbose_name="AWS error code")),
                ("error_message", models.TextField(blank=True, verbose_name="AWS error message")),
                ("service_code", models.CharField(blank=True, max_length=100, verbose_name="service code")),
                ("service_name", models.CharField(blank=True, max_length=200, verbose_name="service name")),
                ("category_code", models.CharField(blank=True, max_length=100, verbose_name="category code")),
                ("category_name", models.CharField(blank=True, max_length=200, verbose_name="category name")),
                ("severity_code", models.CharField(blank=True, max_length=50, verbose_name="severity code")),
                (
                    "severity_levels",
                    models.JSONField(blank=True, default=list, verbose_name="severity levels"),
                ),
                ("services", models.JSONField(blank=True, default=list, verbose_name="relevant services")),
                ("confirmed", models.BooleanField(default=False, verbose_name="codes confirmed")),
            ],
            options={
                "verbose_name": "Support API check",
                "verbose_name_plural": "Support API checks",
                "ordering": ["-checked_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("account_id", "service_code", "category_code", "severity_code"),
                        name="supportcases_one_check_per_codes",
                    )
                ],
            },
        ),
        migrations.AlterModelOptions(
            name="supportcase",
            options={
                "permissions": [
                    (
                        "confirm_supportcase",
                        "Can confirm that a resolved support case delivered the sender ID",
                    ),
                    (
                        "manage_supportcase",
                        "Can record AWS case IDs, set support case states and mark answers as pasted",
                    ),
                ],
                "verbose_name": "support case",
                "verbose_name_plural": "support cases",
            },
        ),
        migrations.AddField(
            model_name="supportcase",
            name="language",
            field=models.CharField(blank=True, max_length=5, verbose_name="case language"),
        ),
        migrations.AddField(
            model_name="supportcase",
            name="mode",
            field=models.CharField(
                choices=[
                    ("assisted", "Opened by staff in the Support Center"),
                    ("api", "Opened through the Support API"),
                ],
                default="api",
                max_length=10,
                verbose_name="mode",
            ),
        ),
        migrations.AddField(
            model_name="supportcase",
            name="opened_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="opened"),
        ),
        migrations.AddField(
            model_name="supportcase",
            name="opened_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="supportcase",
            name="pending_since",
            field=models.DateTimeField(blank=True, null=True, verbose_name="pending since"),
        ),
        migrations.AddField(
            model_name="supportcase",
            name="pending_state",
            field=models.CharField(
                blank=True,
                choices=[
                    ("awaiting_staff", "Waiting for staff to open it"),
                    ("open", "Open"),
                    ("customer_action", "AWS is waiting for your reply"),
                    ("resolved", "Resolved"),
                    ("refused", "Refused"),
                ],
                max_length=20,
                verbose_name="pending state",
            ),
        ),
        migrations.AddField(
            model_name="supportcase",
            name="previous_case_ids",
            field=models.JSONField(blank=True, default=list, verbose_name="previous case IDs"),
        ),
        migrations.AddField(
            model_name="supportcase",
            name="state",
            field=models.CharField(
                choices=[
                    ("awaiting_staff", "Waiting for staff to open it"),
                    ("open", "Open"),
                    ("customer_action", "AWS is waiting for your reply"),
                    ("resolved", "Resolved"),
                    ("refused", "Refused"),
                ],
                db_index=True,
                default="open",
                max_length=20,
                verbose_name="state",
            ),
        ),
        migrations.AddField(
            model_name="supportcase",
            name="state_changed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="state changed"),
        ),
        migrations.CreateModel(
            name="SupportCaseDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("file_name", models.CharField(max_length=255, verbose_name="file name")),
                ("content_type", models.CharField(max_length=100, verbose_name="content type")),
                ("size", models.PositiveIntegerField(verbose_name="size")),
                ("body", models.BinaryField(verbose_name="content")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded")),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="support_case_documents",
                        to="senderids.senderidrequest",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "support case document",
                "verbose_name_plural": "support case documents",
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="SupportCaseCommunication",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "direction",
                    models.CharField(
                        choices=[("from_aws", "AWS Support"), ("to_aws", "Your team")],
                        max_length=10,
                        verbose_name="from",
                    ),
                ),
                ("body", models.TextField(verbose_name="message")),
                ("submitted_by", models.CharField(blank=True, max_length=300, verbose_name="submitted by")),
                ("time_created", models.DateTimeField(db_index=True, verbose_name="time")),
                ("aws_key", models.CharField(blank=True, max_length=64)),
                (
                    "delivery",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "In the AWS case"),
                            ("queued", "Waiting to be sent"),
                            ("sending", "Being sent"),
                            ("sent", "Sent to AWS Support"),
                            ("pasted", "Pasted into the case by staff"),
                            ("failed", "Could not be sent"),
                        ],
                        max_length=10,
                        verbose_name="delivery",
                    ),
                ),
                ("delivered_at", models.DateTimeField(blank=True, null=True, verbose_name="delivered")),
                ("error", models.TextField(blank=True, verbose_name="AWS error")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="communications",
                        to="supportcases.supportcase",
                    ),
                ),
                (
                    "delivered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "support case message",
                "verbose_name_plural": "support case messages",
                "ordering": ["-time_created", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("aws_key", ""), _negated=True),
                        fields=("case", "aws_key"),
                        name="supportcases_one_aws_message",
                    )
                ],
            },
        ),
        migrations.RunPython(state_of_existing_cases, migrations.RunPython.noop),
    ]
