"""Public country catalogue page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def country_list(request: HttpRequest) -> HttpResponse:
    return render(request, "countries/country_list.html", {"countries": []})
