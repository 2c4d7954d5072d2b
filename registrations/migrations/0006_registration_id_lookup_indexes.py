"""PostgreSQL-only indexes for tracking's search by AWS registration id or ARN (``iexact`` compares
``UPPER(col) = UPPER(term)`` on PostgreSQL). Not in the model's Meta, so the model state is the same
on SQLite, where the migration does nothing."""

from django.db import migrations

TABLE = "registrations_registration"
INDEXES = {
    "registrations_reg_id_upper": f"{TABLE} (UPPER(aws_registration_id))",
    "registrations_reg_arn_upper": f"{TABLE} (UPPER(aws_registration_arn))",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registrations", "0005_aws_events")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
