"""`manage.py seed_demo`: the demo data `make run` prints (idempotent).

Users demo/demo and demo2/demo2 (one team, "Acme": demo is its team admin, demo2 a member),
admin/admin (superuser), support/support (Support staff), approver/approver (Approvers); two simulated
AWS accounts: "Production" (eu-west-1 + ap-south-1, the environment's credentials) and "Staging"
(us-east-1, an assumed role through moto's STS), both used by Acme. India routes to ap-south-1.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from smsvoice.models import AwsAccount, CredentialSource
from smsvoice.services import region_routes_ensure_defaults
from teams.models import Role, Team
from teams.services import APPROVERS, SUPPORT_STAFF, membership_set, portal_groups_ensure

DEMO_USERS = (
    # username, password, is_staff, is_superuser, group, what
    ("demo", "demo", False, False, "", "business user, team admin of Acme"),
    ("demo2", "demo2", False, False, "", "business user, member of Acme"),
    ("admin", "admin", True, True, "", "administrator"),
    ("support", "support", True, False, SUPPORT_STAFF, "support staff"),
    ("approver", "approver", True, False, APPROVERS, "approver"),
)
DEMO_TEAM = "Acme"
# A 12-digit account id moto's STS hands the assumed role's credentials to; the simulator asks STS
# which account a key belongs to, so Staging's sender IDs never mix with Production's.
STAGING_ROLE = "arn:aws:iam::210987654321:role/SenderIdPortal"


def _accounts() -> list[AwsAccount]:
    production = AwsAccount.objects.filter(is_default=True).first() or AwsAccount(is_default=True)
    production.name = "Production"
    production.credential_source = CredentialSource.DEFAULT_CHAIN
    production.regions = ["eu-west-1", "ap-south-1"]
    production.default_region = "eu-west-1"
    production.save()
    staging, _ = AwsAccount.objects.update_or_create(
        name="Staging",
        defaults={
            "credential_source": CredentialSource.ASSUME_ROLE,
            "role_arn": STAGING_ROLE,
            "external_id": "senderid-portal-demo",
            "regions": ["us-east-1"],
            "default_region": "us-east-1",
        },
    )
    return [production, staging]


class Command(BaseCommand):
    help = "Create the demo users, team and AWS accounts (see the module docstring). Safe to re-run."

    def handle(self, *args: object, **options: object) -> None:
        portal_groups_ensure()
        region_routes_ensure_defaults()
        accounts = _accounts()
        team, _ = Team.objects.get_or_create(name=DEMO_TEAM)
        team.aws_accounts.set(accounts)
        User = get_user_model()
        for username, password, is_staff, is_superuser, group, role in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            user.is_staff, user.is_superuser = is_staff, is_superuser
            user.email = user.email or f"{username}@example.com"
            user.set_password(password)
            user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
            if username in ("demo", "demo2"):
                membership_set(team=team, user=user, role=Role.ADMIN if username == "demo" else Role.MEMBER)
            verb = "created" if created else "reset"
            self.stdout.write(f"  {role:36} {username} / {password}  ({verb})")
        for account in accounts:
            self.stdout.write(f"  AWS account {account.name}: {', '.join(account.enabled_regions)}")
        self.stdout.write(f"  India routes to ap-south-1 (AWS_REGION of this run: {settings.AWS_REGION})")
