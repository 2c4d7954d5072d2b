"""The notification settings page (/notifications/) and the team's webhooks page (/team/webhooks/).

Any logged-in user sets their own email preference and language. Every member of a team reads its
webhooks and their delivery log; team admins add them (the secret is shown once, in the answer to the
POST that made it), enable or disable, rotate the secret, delete, and resend a delivery. Another team's
webhook or delivery answers 404, a member's write 403. Writes go through senderids.webhooks and
senderids.notifications; a GET writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from teams.models import Team
from teams.selectors import is_team_admin, team_for_user

from . import notifications, selectors, webhooks
from .integrations_forms import NotificationPreferenceForm, WebhookForm
from .models import Webhook, WebhookDelivery


# --- /notifications/ ----------------------------------------------------------------------------------
@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    preference = selectors.preference_of(request.user)
    initial = {"email": preference.email, "language": selectors.language_of(preference)}
    form = NotificationPreferenceForm(initial=initial)
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            notifications.notification_preference_save(
                user=request.user, email=form.cleaned_data["email"], language=form.cleaned_data["language"]
            )
            messages.success(request, _("Your notification settings were saved."))
            return redirect("senderids:notifications")
    return render(
        request,
        "senderids/notifications.html",
        {"form": form, "team": team_for_user(request.user)},
        status=400 if form.errors else 200,
    )


# --- /team/webhooks/ ----------------------------------------------------------------------------------
def _my_team_or_404(request: HttpRequest) -> Team:
    team = team_for_user(request.user)
    if team is None:
        raise Http404
    return team


def _webhooks_page(
    request: HttpRequest, team: Team, *, form: WebhookForm | None = None, **extra: Any
) -> HttpResponse:
    form = form or WebhookForm()
    context = {
        "team": team,
        "is_admin": is_team_admin(request.user, team.pk),
        "webhooks": list(webhooks.webhooks_of_team(team)),
        "deliveries": webhooks.deliveries_of_team(team),
        "form": form,
        "log_size": webhooks.DELIVERY_LOG_SIZE,
        "signature_header": webhooks.SIGNATURE_HEADER,
        "event_id_header": webhooks.EVENT_ID_HEADER,
        **extra,
    }
    return render(request, "senderids/webhooks.html", context, status=400 if form.errors else 200)


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    team = _my_team_or_404(request)
    if request.method != "POST":
        return _webhooks_page(request, team)
    if not is_team_admin(request.user, team.pk):
        raise PermissionDenied(_("Only team admins add webhooks."))
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            webhook = webhooks.webhook_create(team=team, actor=request.user, url=form.cleaned_data["url"])
        except webhooks.UnsafeWebhookUrl as exc:
            form.add_error("url", str(exc))
        except webhooks.WebhookRuleBroken as exc:
            form.add_error(None, str(exc))
        else:
            # The only time the secret is shown, besides a rotation: in this answer, never stored elsewhere.
            return _webhooks_page(request, team, new_secret=webhook.secret, secret_for=webhook)
    return _webhooks_page(request, team, form=form)


def _webhook_or_404(request: HttpRequest, pk: int) -> Webhook:
    team = _my_team_or_404(request)
    webhook = Webhook.objects.filter(pk=pk, team=team).first()
    if webhook is None:
        raise Http404
    return webhook


@login_required
@require_POST
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = _webhook_or_404(request, pk)
    enabled = not webhook.enabled
    webhooks.webhook_set_enabled(webhook=webhook, actor=request.user, enabled=enabled)
    if enabled:
        messages.success(request, _("The webhook is enabled again."))
    else:
        messages.success(request, _("The webhook is disabled: nothing is sent to it until you enable it."))
    return redirect("senderids:webhooks")


@login_required
@require_POST
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = _webhook_or_404(request, pk)
    secret = webhooks.webhook_rotate_secret(webhook=webhook, actor=request.user)
    return _webhooks_page(request, webhook.team, new_secret=secret, secret_for=webhook, rotated=True)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = _webhook_or_404(request, pk)
    url = webhook.url
    webhooks.webhook_delete(webhook=webhook, actor=request.user)
    messages.success(request, _("The webhook %(url)s was deleted.") % {"url": url})
    return redirect("senderids:webhooks")


@login_required
@require_POST
def webhook_delivery_resend(request: HttpRequest, pk: int) -> HttpResponse:
    team = _my_team_or_404(request)
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=pk, webhook__team=team).first()
    if delivery is None:
        raise Http404
    try:
        webhooks.webhook_delivery_resend(delivery=delivery, actor=request.user)
    except webhooks.WebhookRuleBroken as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The event is being sent again."))
    return redirect("senderids:webhooks")
