"""The record of every outbound AWS call, so support staff can see what AWS said and when."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AwsCall(models.Model):
    """One AWS API call made through the gateway (written by ``smsvoice.services.aws_call_record``).

    Deliberately flat and foreign-key free: one cheap INSERT per call, never a join. ``resource_id`` is
    the sender ID, registration or case the call was about, so a request's calls can be found by it.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    service = models.CharField(_("service"), max_length=32)
    operation = models.CharField(_("operation"), max_length=64, db_index=True)
    resource_id = models.CharField(_("resource"), max_length=256, blank=True, db_index=True)
    ok = models.BooleanField(_("succeeded"))
    error_code = models.CharField(_("error code"), max_length=128, blank=True)
    error_message = models.TextField(_("error message"), blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"))
    request_id = models.CharField(_("AWS request ID"), max_length=128, blank=True)
    # The portal's sender-ID request the call served (set by gateway.serving()); an integer, not a
    # foreign key: smsvoice depends on no app, and the log outlives nothing it points at.
    portal_request_id = models.PositiveBigIntegerField(
        _("portal request"), null=True, blank=True, db_index=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("AWS call")
        verbose_name_plural = _("AWS calls")

    def __str__(self) -> str:
        outcome = "ok" if self.ok else self.error_code
        return f"{self.operation} {self.resource_id} → {outcome}"
