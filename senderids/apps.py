from django.apps import AppConfig


class SenderidsConfig(AppConfig):
    name = "senderids"
