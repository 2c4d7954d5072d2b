"""`/tracking/`: every request for support staff and admins — filter, search, CSV export."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from countries.models import Country

from .models import SenderIdRequest, Status

PAGE_SIZE = 50
CSV_COLUMNS = (
    "id", "sender_id", "country", "process", "status", "aws_status", "owner", "message_type",
    "created_at", "status_changed_at", "aws_error_code", "aws_error_message", "aws_sender_id_arn",
)  # fmt: skip


class TrackingFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices]
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        required=False,
        queryset=Country.objects.order_by("name"),
        empty_label=_("Any country"),
    )
    date_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("“Created from” must not be after “Created to”."))
        return data


def tracked_requests(
    *,
    q: str = "",
    status: str = "",
    country: Country | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[SenderIdRequest]:
    qs = SenderIdRequest.objects.select_related("owner", "country")
    if q:
        filters = Q(sender_id__icontains=q) | Q(owner__username__icontains=q) | Q(owner__email__icontains=q)
        filters |= Q(aws_sender_id_arn__icontains=q)
        if q.isdigit():
            filters |= Q(pk=int(q))
        qs = qs.filter(filters)
    if status:
        qs = qs.filter(status=status)
    if country:
        qs = qs.filter(country=country)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(
            created_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    return qs.order_by("-created_at", "-pk")


def _csv_safe(value: object) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ is prefixed with a quote.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(requests: Iterable[SenderIdRequest]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for r in requests:
        yield writer.writerow(
            _csv_safe(v)
            for v in (
                r.pk,
                r.sender_id,
                r.country_id,
                r.process,
                r.status,
                r.aws_status,
                r.owner.get_username(),
                r.message_type,
                r.created_at.isoformat(),
                r.status_changed_at.isoformat(),
                r.aws_error_code,
                r.aws_error_message,
                r.aws_sender_id_arn,
            )
        )


@login_required
@permission_required("senderids.view_senderidrequest", raise_exception=True)
def tracking(request: HttpRequest) -> HttpResponse:
    form = TrackingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = tracked_requests(**filters)
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(_csv_rows(qs.iterator(chunk_size=500)), content_type="text/csv")
        response["Content-Disposition"] = (
            f'attachment; filename="sender-id-requests-{timezone.localdate()}.csv"'
        )
        return response
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "senderids/tracking.html",
        {"form": form, "page": page, "query": query.urlencode(), "status_choices": Status.choices},
    )
