from django.apps import AppConfig


class SmsvoiceConfig(AppConfig):
    name = "smsvoice"
