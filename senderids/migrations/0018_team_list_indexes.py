"""PostgreSQL indexes for the home page's two short lists of a team's requests (issue 17).

* "What needs your action" (senderids.selectors.sender_id_requests_needing_action): the team's
  requests in a few statuses, oldest change first: (team, status_changed_at) reads them in order and
  stops at the list's length, instead of sorting every such request of the team;
* "Registrations to complete" (sender_id_requests_registering_later): the team's "register later"
  requests, newest first: a partial index on (team, created_at) of those rows only.

As in 0016, not in the models' Meta (the model state stays the same on SQLite, the demo, where the
queries are the same and these tables are small).
"""

from django.db import migrations

TABLE = "senderids_senderidrequest"
INDEXES = {
    "senderids_req_team_changed": f"{TABLE} (team_id, status_changed_at)",
    "senderids_req_team_later": f"{TABLE} (team_id, created_at) WHERE registration_choice = 'later'",
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
    dependencies = [("senderids", "0017_aws_write_marker")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
