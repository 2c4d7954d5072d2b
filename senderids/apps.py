from django.apps import AppConfig


class SenderidsConfig(AppConfig):
    name = "senderids"

    def ready(self) -> None:
        from . import notifications

        notifications.connect()
