"""Existing requests are attached to the default AWS account, its default Region, and a team per owner
(named after the owner, who becomes its team admin): nothing changes for a single-account install.
"""

from django.db import migrations


def attach(apps, schema_editor):
    from django.conf import settings  # noqa: PLC0415

    Request = apps.get_model("senderids", "SenderIdRequest")
    AwsAccount = apps.get_model("smsvoice", "AwsAccount")
    Team = apps.get_model("teams", "Team")
    Membership = apps.get_model("teams", "Membership")
    if not Request.objects.exists():
        return
    account = AwsAccount.objects.order_by("-is_default", "pk").first()
    if account is None:
        region = settings.AWS_REGION
        account = AwsAccount.objects.create(
            name="Default", regions=[region], default_region=region, is_default=True
        )
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    for owner_id in Request.objects.values_list("owner_id", flat=True).distinct():
        user = User.objects.get(pk=owner_id)
        membership = Membership.objects.filter(user=user).order_by("created_at", "pk").first()
        if membership is not None:
            team = membership.team
        else:
            name = user.username
            if Team.objects.filter(name=name).exists():
                name = f"{user.username} ({user.pk})"
            team = Team.objects.create(name=name)
            Membership.objects.create(team=team, user=user, role="admin")
        Request.objects.filter(owner_id=owner_id).update(
            team=team, aws_account=account, aws_region=account.default_region
        )


class Migration(migrations.Migration):
    dependencies = [("senderids", "0009_team_account_region")]

    operations = [migrations.RunPython(attach, migrations.RunPython.noop)]
