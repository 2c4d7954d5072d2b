from django.urls import path

from . import views

app_name = "senderids"
urlpatterns = [path("", views.home, name="home")]
