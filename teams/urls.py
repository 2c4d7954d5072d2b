from django.urls import path

from . import views

app_name = "teams"
urlpatterns = [
    path("", views.team_page, name="team"),
    path("members/<int:pk>/role/", views.member_role, name="member_role"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
]
