from django.apps import AppConfig
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        # Imported here: these modules import models, which cannot load before the app registry is ready.
        from countries.models import SenderIdProcess  # noqa: PLC0415
        from senderids import registry  # noqa: PLC0415

        from . import selectors  # noqa: PLC0415
        from .admin import RegistrationInline  # noqa: PLC0415
        from .lifecycle import AwsRegistrationStatus  # noqa: PLC0415
        from .models import Registration  # noqa: PLC0415
        from .services.aws import registration_start  # noqa: PLC0415
        from .services.draft import registration_create_for_request  # noqa: PLC0415
        from .services.withdrawal import registration_after_release  # noqa: PLC0415

        registry.register(
            registry.Process(
                name=SenderIdProcess.REGISTRATION,
                start=lambda request: registration_start(request=request),
                on_create=lambda request: registration_create_for_request(request=request),
                detail_url=lambda request: reverse("registrations:detail", kwargs={"pk": request.pk}),
                admin_inlines=(RegistrationInline,),
                sender_id_labels=selectors.registration_sender_id_labels,
                exclude_done=selectors.registration_exclude_done,
                after_release=registration_after_release,
                # Tracking: an AWS registration id or ARN finds its request; filter by AWS's raw status
                # (the statuses the portal knows, and whatever else AWS has reported since).
                tracking=registry.Tracking(
                    # A subquery over registrations alone (not a join from every request).
                    search_q=lambda term: Q(
                        pk__in=Registration.objects.filter(
                            Q(aws_registration_id__iexact=term) | Q(aws_registration_arn__iexact=term)
                        ).values("request_id")
                    ),
                    aws_status_label=_("Registration"),
                    aws_statuses=lambda: [
                        *AwsRegistrationStatus.KNOWN,
                        *Registration.objects.exclude(aws_status="")
                        .order_by()
                        .values_list("aws_status", flat=True)
                        .distinct(),
                    ],
                    aws_status_q=lambda status: Q(registration__aws_status=status),
                ),
            )
        )
