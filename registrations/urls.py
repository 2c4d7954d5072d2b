"""URLs of registrations, mounted at /registrations/ (DESIGN.md "URLs")."""

from django.urls import path

from . import views

app_name = "registrations"
urlpatterns = [
    path("<int:pk>/", views.registration_detail, name="detail"),
    path("<int:pk>/status/", views.registration_status, name="status"),
    path("<int:pk>/discard/", views.registration_discard, name="discard"),
]
