"""SupportCase moves to the supportcases app, with its rows.

This side only forgets the model (state); the table stays. supportcases 0001 adopts the same table in
its state, and supportcases 0002 renames it and moves the content type (so permissions follow).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SupportCase")],
            database_operations=[],
        ),
    ]
