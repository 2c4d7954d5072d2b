"""Every registration-process request gets its Registration row.

Requests now get theirs when they are created (the process's on_create); before, the form page made
it on first visit, so older requests may have none. A page no longer creates rows.
"""

from django.db import migrations


def create_missing_registrations(apps, schema_editor):
    SenderIdRequest = apps.get_model("senderids", "SenderIdRequest")
    Registration = apps.get_model("registrations", "Registration")
    db = schema_editor.connection.alias
    missing = (
        SenderIdRequest.objects.using(db)
        .filter(process="registration", registration__isnull=True)
        .exclude(country__registration_type="")
        .select_related("country")
        .order_by("pk")
    )
    batch = []
    for request in missing.iterator(chunk_size=500):
        batch.append(
            Registration(
                request=request,
                registration_type=request.country.registration_type,
                form_name=request.registration_form_name,
            )
        )
        if len(batch) >= 500:
            Registration.objects.using(db).bulk_create(batch)
            batch = []
    Registration.objects.using(db).bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0002_supportcase_moved_to_supportcases"),
        ("senderids", "0002_requests"),
        ("countries", "0001_initial"),
    ]

    operations = [
        # Reversing keeps the rows: they are valid at the previous version too.
        migrations.RunPython(create_missing_registrations, migrations.RunPython.noop),
    ]
