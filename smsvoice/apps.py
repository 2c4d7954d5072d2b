"""The smsvoice app: the one AWS gateway, the shared rate budget, the AWS call log and the simulator."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsvoiceConfig(AppConfig):
    name = "smsvoice"
    verbose_name = _("AWS SMS gateway")
    default_auto_field = "django.db.models.BigAutoField"
