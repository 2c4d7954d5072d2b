"""`python manage.py load_countries [--force] [--sync]`: thin; the logic is countries.services."""

from django.core.management.base import BaseCommand, CommandError

from countries import services


class Command(BaseCommand):
    help = (
        "Load the country catalogue from countries/data/countries.csv (idempotent). "
        "--sync also asks AWS which sender-ID registration types the configured Region offers. "
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
            help="Set registration types from AWS DescribeRegistrationTypeDefinitions for AWS_REGION; "
            "countries needing registration without a type there fall back to support_case.",
        )

    def handle(self, *args, force: bool, sync: bool, **options):
        types, region = None, ""
        if sync:
            try:
                region, types = services.region_registration_types()
            except Exception as exc:
                # AWS (or the simulator) could not be asked: nothing is written.
                raise CommandError(f"Could not read registration types from AWS: {exc}") from exc
        try:
            report = services.countries_load(force=force, registration_types=types, region=region)
        except services.CatalogueFileError as exc:
            raise CommandError(f"Country data file is invalid: {exc}") from exc

        verbosity = options["verbosity"]
        if sync:
            self.stdout.write(f"Registration types from AWS Region {report.region}.")
        for change in report.changes:
            if change.created and verbosity < 2:
                continue
            self.stdout.write(f"  {change.describe()}")
        for notice in report.notices:
            self.stdout.write(self.style.WARNING(f"  {notice}"))
        style = self.style.SUCCESS if report.changed else self.style.NOTICE
        self.stdout.write(style(f"Countries: {report.summary()}."))
