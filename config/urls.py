"""URL map: one include per app; see DESIGN.md's URL table."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import health, two_factor

admin.site.site_header = _("Sender ID portal")
admin.site.site_title = _("Sender ID portal admin")

# A database or broker that does not answer: a 503 page with Retry-After, not a bare 500 (config/errors.py).
handler500 = "config.errors.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on every page, the admin's included (which links none).
    path("favicon.ico", health.favicon, name="favicon"),
    # ADMIN_URL (default "admin/"); links to the admin are reversed, never written out.
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/two-factor/", two_factor.two_factor_setup, name=two_factor.SETUP),
    path("accounts/two-factor/verify/", two_factor.two_factor_verify, name=two_factor.VERIFY),
    path("accounts/two-factor/disable/", two_factor.two_factor_disable, name=two_factor.DISABLE),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("countries/", include("countries.urls")),
    path("registrations/", include("registrations.urls")),
    path("support-cases/", include("supportcases.urls")),
    path("team/", include("teams.urls")),
    path("profile/", include("profiles.urls")),
    path("", include("senderids.urls")),
]
