"""The moved SupportCase table takes this app's name, and its content type follows it.

Moving the ContentType row (registrations.supportcase → supportcases.supportcase, same pk) keeps every
permission granted on support cases and the admin log pointing at the right model. On a fresh
database there is no row yet: post_migrate creates it under the new app.
"""

from django.db import migrations

MODEL = "supportcase"


def _move_content_type(apps, schema_editor, *, from_app: str, to_app: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    old = ContentType.objects.using(db).filter(app_label=from_app, model=MODEL).first()
    if old is None:
        return
    new = ContentType.objects.using(db).filter(app_label=to_app, model=MODEL).first()
    if new is None:
        ContentType.objects.using(db).filter(pk=old.pk).update(app_label=to_app)
        return
    # Both exist (post_migrate ran between the two steps): merge the old one into the new one.
    for permission in Permission.objects.using(db).filter(content_type=old):
        twin = Permission.objects.using(db).filter(content_type=new, codename=permission.codename).first()
        if twin is None:
            Permission.objects.using(db).filter(pk=permission.pk).update(content_type=new)
            continue
        for group in permission.group_set.all():
            group.permissions.add(twin)
        for user in permission.user_set.all():
            user.user_permissions.add(twin)
        permission.delete()
    try:
        LogEntry = apps.get_model("admin", "LogEntry")
    except LookupError:
        LogEntry = None
    if LogEntry is not None:
        LogEntry.objects.using(db).filter(content_type=old).update(content_type=new)
    old.delete()


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, from_app="registrations", to_app="supportcases")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, from_app="supportcases", to_app="registrations")


class Migration(migrations.Migration):
    dependencies = [
        ("supportcases", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        # registrations_supportcase → supportcases_supportcase (the model's default table).
        migrations.AlterModelTable(name="supportcase", table=None),
        migrations.RunPython(forwards, backwards),
    ]
