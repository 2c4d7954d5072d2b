"""The AWS Support case opened for a sender-ID request whose country needs one (process "support_case").

The table was created by the registrations app and moved here with its rows (migrations 0001/0002).
AWS's case status is stored raw; what it means for the request is supportcases/lifecycle.py's.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SupportCase(models.Model):
    """The AWS Support case opened for a sender-ID request whose country needs one."""

    request = models.OneToOneField(
        "senderids.SenderIdRequest", on_delete=models.CASCADE, related_name="support_case"
    )
    # Written before CreateCase and quoted in the subject: a redelivery finds the case it already
    # opened (DescribeCases) instead of opening a second one. AWS Support has no ClientToken.
    marker = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    create_attempted_at = models.DateTimeField(_("create attempted"), null=True, blank=True)
    case_id = models.CharField(_("case ID"), max_length=200, blank=True, db_index=True)
    display_id = models.CharField(_("display ID"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    status = models.CharField(_("AWS status"), max_length=60, blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    next_poll_due = models.DateTimeField(_("next poll due"), null=True, blank=True, db_index=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("support case")
        verbose_name_plural = _("support cases")

    def __str__(self) -> str:
        return self.case_id or f"(pending) {self.marker}"
