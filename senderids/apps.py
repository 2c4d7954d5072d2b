from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SenderidsConfig(AppConfig):
    name = "senderids"
    verbose_name = _("Sender IDs")

    def ready(self) -> None:
        from . import notifications

        notifications.connect()
