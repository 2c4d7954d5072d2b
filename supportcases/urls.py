"""URLs of support cases, mounted at /support-cases/ (DESIGN.md "URLs")."""

from django.urls import path

from . import views

app_name = "supportcases"
urlpatterns = [
    path("<int:pk>/", views.support_case_detail, name="detail"),
    path("<int:pk>/confirm/", views.support_case_confirm, name="confirm"),
]
