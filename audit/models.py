"""AuditEntry: one row per human action, append-only.

Nothing here points at another table with a foreign key: deleting a user or a request (which the
portal never does, but a database administrator might) must not cascade into, or null out, the record
of what they did. Rows are refused updates and deletes by the model, its queryset and — on PostgreSQL
— a trigger (migration 0002), so not even a superuser's shell rewrites history.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    """An update or delete of an audit entry: refused."""


class Source(models.TextChoices):
    PORTAL = "portal", _("Portal")
    ADMIN = "admin", _("Admin")


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries are never updated")

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries are never deleted")


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("user"), max_length=150)
    source = models.CharField(_("where"), max_length=10, choices=Source.choices)
    # A stable id: the lifecycle event's kind ("approved", "release_requested"…) or admin_<flag>.
    action = models.CharField(_("action"), max_length=60, db_index=True)
    # "app_label.model" (stable across languages and renames of verbose names).
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("audit entries are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries are never deleted")
