"""The profiles app: each team's company profile (what every registration form asks about the company)
and its document vault (letters of authorization, certificates, licences), reused by the forms."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("Company profiles")
    default_auto_field = "django.db.models.BigAutoField"
