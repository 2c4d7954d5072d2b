"""Teams, memberships and approver scopes.

A team owns requests, sender IDs, registrations and support cases; every member sees them, and acts on
them as their role allows (``teams.roles``). The role checks themselves live in one module,
``senderids.permissions``, which every view and admin action asks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("Member")  # requests sender IDs, edits drafts and registrations
    ADMIN = "admin", _("Team admin")  # also releases sender IDs and manages members


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    aws_accounts = models.ManyToManyField(
        "smsvoice.AwsAccount",
        verbose_name=_("AWS accounts"),
        blank=True,
        related_name="teams",
        help_text=_("The accounts this team may use; none: the portal's default account."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"


class ApproverScope(models.Model):
    """Limits an approver to some teams. An approver without a scope approves for every team."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="approver_scope"
    )
    teams = models.ManyToManyField(Team, verbose_name=_("teams"), related_name="+")

    class Meta:
        verbose_name = _("approver scope")
        verbose_name_plural = _("approver scopes")

    def __str__(self) -> str:
        return str(self.user)
