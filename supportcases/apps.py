from django.apps import AppConfig
from django.core import checks
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The system check's tag: `manage.py check --tag supportcases` runs it alone.
CHECK_TAG = "supportcases"


class SupportcasesConfig(AppConfig):
    name = "supportcases"
    verbose_name = _("Support cases")

    def ready(self) -> None:
        # Imported here: these modules import models, which cannot load before the app registry is ready.
        from countries.models import SenderIdProcess  # noqa: PLC0415
        from senderids import registry  # noqa: PLC0415
        from smsvoice.aws_check import aws_checked  # noqa: PLC0415

        from . import selectors  # noqa: PLC0415
        from .admin import SupportCaseInline  # noqa: PLC0415
        from .checks import support_case_mode_check  # noqa: PLC0415
        from .models import SupportCase  # noqa: PLC0415
        from .services import support_api_check_record, support_case_open  # noqa: PLC0415

        registry.register(
            registry.Process(
                name=SenderIdProcess.SUPPORT_CASE,
                start=lambda request: support_case_open(request=request),
                detail_url=lambda request: reverse("supportcases:detail", kwargs={"pk": request.pk}),
                admin_inlines=(SupportCaseInline,),
                sender_id_labels=selectors.support_case_sender_id_labels,
                # A refused or unopened case leaves nothing at AWS a new one would duplicate.
                retryable=True,
                # Tracking: the AWS case id (or the number the Support Center shows) finds its request.
                tracking=registry.Tracking(
                    # A subquery over support cases alone (not a join from every request).
                    search_q=lambda term: Q(
                        pk__in=SupportCase.objects.filter(
                            Q(case_id__iexact=term) | Q(display_id__iexact=term)
                        ).values("request_id")
                    ),
                ),
            )
        )
        checks.register(support_case_mode_check, CHECK_TAG)

        # check_aws (smsvoice, which imports no app) announces its report; the Support half is stored here.
        def record_support_api_check(sender, report, **kwargs):
            return support_api_check_record(report=report)

        aws_checked.connect(
            record_support_api_check, weak=False, dispatch_uid="supportcases.support_api_check"
        )
