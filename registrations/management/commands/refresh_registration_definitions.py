"""`manage.py refresh_registration_definitions [TYPE ...]`: re-read registration form definitions from AWS.

Without arguments: every registration type the country catalogue or an existing registration uses.
"""

from django.core.management.base import BaseCommand, CommandError

from registrations import definitions
from smsvoice.gateway import PermanentAwsError, RetryableAwsError


class Command(BaseCommand):
    help = "Refresh the cached AWS registration definitions (types, sections, fields)."

    def add_arguments(self, parser):
        parser.add_argument("types", nargs="*", help="Registration types, e.g. IN_SENDER_ID_REGISTRATION.")

    def handle(self, *args, **options):
        types = options["types"] or definitions.registration_types_in_use()
        failed = 0
        for registration_type in types:
            try:
                definition = definitions.refresh_definition(registration_type)
            except (RetryableAwsError, PermanentAwsError) as exc:
                failed += 1
                self.stderr.write(f"{registration_type}: {exc}")
                continue
            self.stdout.write(
                f"{registration_type}: {len(definition.sections)} sections, {len(definition.fields)} fields"
            )
        if failed:
            raise CommandError(f"{failed} of {len(types)} registration types could not be refreshed")
