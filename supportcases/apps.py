from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SupportcasesConfig(AppConfig):
    name = "supportcases"
    verbose_name = _("Support cases")

    def ready(self) -> None:
        # Imported here: these modules import models, which cannot load before the app registry is ready.
        from countries.models import SenderIdProcess  # noqa: PLC0415
        from senderids import registry  # noqa: PLC0415

        from . import selectors  # noqa: PLC0415
        from .admin import SupportCaseInline  # noqa: PLC0415
        from .services import support_case_open  # noqa: PLC0415

        registry.register(
            registry.Process(
                name=SenderIdProcess.SUPPORT_CASE,
                start=lambda request: support_case_open(request=request),
                detail_url=lambda request: reverse("supportcases:detail", kwargs={"pk": request.pk}),
                admin_inlines=(SupportCaseInline,),
                sender_id_labels=selectors.support_case_sender_id_labels,
            )
        )
