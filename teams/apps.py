"""The teams app: the customer companies / business units, their members and roles, the AWS accounts
each team may use, and the global roles (Django groups) the portal's staff have."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Teams")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # After every app's migrations (so after Django created their permissions): complete groups.
        post_migrate.connect(_groups, dispatch_uid="teams-portal-groups")


def _groups(sender, **kwargs) -> None:  # type: ignore[no-untyped-def]
    if sender.name != "smsvoice":  # once per migrate, after the last portal app's permissions exist
        return
    from teams.services import portal_groups_ensure  # noqa: PLC0415 (apps.py: models load after ready)

    portal_groups_ensure()
