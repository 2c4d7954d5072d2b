from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SenderidsConfig(AppConfig):
    name = "senderids"
    verbose_name = _("Sender IDs")

    def ready(self) -> None:
        # Imported here, not at module level: models (and so everything below) load only once the app
        # registry is ready.
        from countries.models import SenderIdProcess  # noqa: PLC0415

        from . import lifecycle, notifications, registry  # noqa: PLC0415
        from .services.submission import supported_labels, supported_resume, supported_start  # noqa: PLC0415

        lifecycle.on_transition(notifications.enqueue_status_email)
        registry.register(
            registry.Process(
                name=SenderIdProcess.SUPPORTED,
                start=supported_start,
                resume=supported_resume,
                sender_id_labels=supported_labels,
                retryable=True,
            )
        )
