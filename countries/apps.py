import sys

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def load_catalogue_after_migrate(sender, app_config, using=DEFAULT_DB_ALIAS, apps=None, **kwargs):
    """The first `migrate` of a fresh database loads the catalogue (so do test-database flushes).

    post_migrate rather than a data migration: TransactionTestCase flushes tables after each test
    and emits post_migrate again, so transactional tests never leave later tests without countries.
    """
    if using != DEFAULT_DB_ALIAS:
        return
    from .services import countries_load_if_empty  # noqa: PLC0415 — services import models: after ready()

    try:
        model = (apps or app_config.apps).get_model("countries", "Country")
    except LookupError:  # migrated back to zero
        return
    if model._meta.db_table not in connections[using].introspection.table_names():
        return
    report = countries_load_if_empty(model=model)
    if report and kwargs.get("verbosity", 1) >= 1:
        stdout = kwargs.get("stdout") or sys.stdout
        stdout.write(f"  Loaded the country catalogue: {report.summary()}\n")


class CountriesConfig(AppConfig):
    name = "countries"
    verbose_name = _("Countries")

    def ready(self) -> None:
        post_migrate.connect(load_catalogue_after_migrate, sender=self, dispatch_uid="countries_load")
