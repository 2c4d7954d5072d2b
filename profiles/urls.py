"""URLs of the company profile, mounted at /profile/ (DESIGN.md "URLs")."""

from django.urls import path

from . import views

app_name = "profiles"
urlpatterns = [
    path("", views.profile_page, name="profile"),
    path("documents/", views.document_add, name="document_add"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
]
