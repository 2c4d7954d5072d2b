"""The smsvoice app: the one AWS gateway, AWS accounts and Region routes, the shared rate budget, the
AWS call log and the simulator."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_defaults(sender, **kwargs) -> None:  # type: ignore[no-untyped-def]
    # A fresh database (and every test flush) gets the environment's account and the default routes.
    from smsvoice.services import aws_account_ensure_default, region_routes_ensure_defaults  # noqa: PLC0415 (apps.py: models load after ready)

    aws_account_ensure_default()
    region_routes_ensure_defaults()


class SmsvoiceConfig(AppConfig):
    name = "smsvoice"
    verbose_name = _("AWS SMS gateway")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_ensure_defaults, sender=self, dispatch_uid="smsvoice-defaults")
