"""The audit app's wiring: the receivers that copy human actions into the audit log."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The receivers import other apps' models: connected here, once the registry is ready.
        from . import receivers  # noqa: F401, PLC0415
