"""The portal's global roles as Django groups: Business users, Support staff, Approvers.

Permissions are created here first (Django creates them only after all migrations); the apps migrated
later get their view permissions into the groups from post_migrate (teams.services.portal_groups_ensure).
"""

from django.db import migrations

APP_LABELS = ("countries", "teams", "senderids", "registrations", "supportcases", "smsvoice")
GROUPS = {
    # Business users act through the portal's pages and their team role, not model permissions.
    "Business users": (),
    # Support staff read everything in admin and change nothing.
    "Support staff": ("view_*",),
    # Approvers read everything and approve or reject requests (some may be limited to some teams).
    "Approvers": ("view_*", "senderids.approve_senderidrequest"),
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions  # noqa: PLC0415

    for app_config in apps.get_app_configs():
        app_config.models_module = True  # create_permissions skips configs without models
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, patterns in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for pattern in patterns:
            if pattern == "view_*":
                perms = Permission.objects.filter(
                    content_type__app_label__in=APP_LABELS, codename__startswith="view_"
                )
            else:
                app_label, codename = pattern.split(".")
                perms = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("countries", "0002_catalogue"),
        ("senderids", "0008_claimed_by"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
