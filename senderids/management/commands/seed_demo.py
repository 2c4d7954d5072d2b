"""`manage.py seed_demo`: the demo users printed by `make run` (idempotent)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

DEMO_USERS = (
    # username, password, is_staff, is_superuser, role
    ("demo", "demo", False, False, "business user"),
    ("admin", "admin", True, True, "administrator"),
    ("support", "support", True, False, "support staff"),
)

SUPPORT_GROUP = "Support staff"


def ensure_support_group() -> Group:
    group, _ = Group.objects.get_or_create(name=SUPPORT_GROUP)
    perms = Permission.objects.filter(
        content_type__app_label__in=("countries", "senderids", "registrations", "supportcases", "smsvoice"),
        # Support staff read everything in admin but change nothing.
        codename__startswith="view_",
    )
    group.permissions.add(*perms)
    return group


class Command(BaseCommand):
    help = "Create the demo users (demo/demo, admin/admin, support/support). Safe to re-run."

    def handle(self, *args: object, **options: object) -> None:
        User = get_user_model()
        group = ensure_support_group()
        for username, password, is_staff, is_superuser, role in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            user.is_staff, user.is_superuser = is_staff, is_superuser
            user.email = user.email or f"{username}@example.com"
            user.set_password(password)
            user.save()
            if username == "support":
                user.groups.add(group)
            verb = "created" if created else "reset"
            self.stdout.write(f"  {role:15} {username} / {password}  ({verb})")
