"""`python manage.py load_countries [--force] [--sync]`: thin; the logic is countries.services."""

from django.core.management.base import BaseCommand, CommandError

from countries import services
from smsvoice.gateway import gateway_for, get_gateway
from smsvoice.selectors import aws_accounts_enabled


class Command(BaseCommand):
    help = (
        "Load the country catalogue from countries/data/countries.csv (idempotent). "
        "--sync also asks AWS which sender-ID registration types each enabled Region of each account offers. "
        "Without --sync, registration types are the data file's defaults: run --sync against a real Region."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Also reset countries whose process an admin set by hand (clears the override).",
        )
        parser.add_argument(
            "--sync",
            action="store_true",
            help="Set registration types from AWS DescribeRegistrationTypeDefinitions in every enabled "
            "Region of every AWS account; "
            "countries needing registration without a type there fall back to support_case.",
        )

    def handle(self, *args, force: bool, sync: bool, **options):
        types, region, type_regions, lines = None, "", None, []
        if sync:
            # Every enabled Region of every enabled AWS account: the catalogue is per (country, Region).
            placements = [
                (f"{account.name} {region_}", gateway_for(account, region_))
                for account in aws_accounts_enabled()
                for region_ in account.enabled_regions
            ] or [("default", get_gateway())]
            try:
                region, types, type_regions, lines = services.placements_registration_types(placements)
            except Exception as exc:
                # AWS (or the simulator) could not be asked anywhere: nothing is written.
                raise CommandError(f"Could not read registration types from AWS: {exc}") from exc
        try:
            report = services.countries_load(
                force=force, registration_types=types, region=region, type_regions=type_regions
            )
        except services.CatalogueFileError as exc:
            raise CommandError(f"Country data file is invalid: {exc}") from exc

        verbosity = options["verbosity"]
        if sync:
            self.stdout.write(f"Registration types from AWS: {report.region}.")
            for line in lines:
                self.stdout.write(f"  {line}")
        for change in report.changes:
            if change.created and verbosity < 2:
                continue
            self.stdout.write(f"  {change.describe()}")
        for notice in report.notices:
            self.stdout.write(self.style.WARNING(f"  {notice}"))
        style = self.style.SUCCESS if report.changed else self.style.NOTICE
        self.stdout.write(style(f"Countries: {report.summary()}."))
