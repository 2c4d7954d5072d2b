"""URLs of the business user's pages and of tracking (DESIGN.md "URLs"). Mounted at the site root."""

from django.urls import path

from . import import_views, integrations_views, views
from .wizard.view import request_wizard

app_name = "senderids"
urlpatterns = [
    path("", views.home, name="home"),
    path("sender-ids/request/", request_wizard, name="request"),
    path("sender-ids/request/<str:step>/", request_wizard, name="request_step"),
    path("sender-ids/import/", import_views.import_upload, name="import"),
    path("sender-ids/import/confirm/", import_views.import_confirm, name="import_confirm"),
    path("sender-ids/batches/<int:pk>/", views.batch_detail, name="batch"),
    path("sender-ids/batches/<int:pk>/approve/", views.batch_approve, name="batch_approve"),
    path("sender-ids/<int:pk>/", views.request_detail, name="detail"),
    path("sender-ids/<int:pk>/status/", views.request_status, name="status"),
    path("sender-ids/<int:pk>/notes/", views.staff_note_add, name="staff_note_add"),
    path("sender-ids/mine/", views.my_sender_ids, name="mine"),
    path("sender-ids/<int:pk>/release/", views.release_sender_id, name="release"),
    path(
        "sender-ids/<int:pk>/release/deletion-protection/",
        views.release_deletion_protection,
        name="release_protection",
    ),
    path("tracking/", views.tracking, name="tracking"),
    # Notification settings and the team's webhooks (senderids.integrations_views).
    path("notifications/", integrations_views.notification_settings, name="notifications"),
    path("team/webhooks/", integrations_views.webhook_list, name="webhooks"),
    path("team/webhooks/<int:pk>/toggle/", integrations_views.webhook_toggle, name="webhook_toggle"),
    path("team/webhooks/<int:pk>/rotate/", integrations_views.webhook_rotate, name="webhook_rotate"),
    path("team/webhooks/<int:pk>/delete/", integrations_views.webhook_delete, name="webhook_delete"),
    path(
        "team/webhooks/deliveries/<int:pk>/resend/",
        integrations_views.webhook_delivery_resend,
        name="webhook_resend",
    ),
]
