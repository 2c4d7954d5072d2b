"""PostgreSQL-only indexes for the pages over many requests (issue 17).

* tracking's search: pg_trgm GIN indexes on UPPER(sender_id) and UPPER(aws_sender_id_arn), what
  Django's ``icontains`` compares on PostgreSQL (``UPPER(col::text) LIKE UPPER('%term%')``), and a
  btree on UPPER(aws_region) for ``iexact``;
* the home page's lists of a team's requests by status (needing action, registering later) and the
  wizard's "countries where my team has sender IDs": (team, status, ...).

SQLite (the demo, `make run`) has no pg_trgm: there the migration does nothing; the queries are the
same, only unindexed. The indexes are not in the models' Meta so that the model state stays the same
on both databases.
"""

from django.db import DatabaseError, migrations, transaction

TABLE = "senderids_senderidrequest"
INDEXES = {
    "senderids_req_sender_id_trgm": f"{TABLE} USING gin (UPPER(sender_id) gin_trgm_ops)",
    "senderids_req_arn_trgm": f"{TABLE} USING gin (UPPER(aws_sender_id_arn) gin_trgm_ops)",
    "senderids_req_region_upper": f"{TABLE} (UPPER(aws_region))",
    "senderids_req_team_status_chg": f"{TABLE} (team_id, status, status_changed_at)",
    "senderids_req_team_status_ctry": f"{TABLE} (team_id, status, country_id)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic():  # a savepoint: a refused statement must not abort the migration
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        trigram = True
    except DatabaseError:
        # A database role that may not create extensions (managed PostgreSQL without rights): the
        # search still works, unindexed; a DBA can run CREATE EXTENSION pg_trgm and migrate again.
        trigram = False
    for name, definition in INDEXES.items():
        if trigram or "gin_trgm_ops" not in definition:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("senderids", "0015_staff_notes_and_reason_codes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
