"""`manage.py poll_registrations`: one poll cycle (registrations, then support cases); prints what changed.

Support cases are the supportcases app's: their half is its `poll_support_cases` command, called by
name (this app does not import supportcases) when that app is part of the deployment.
"""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from registrations.services.poller import registrations_poll

SUPPORT_CASES_COMMAND = "poll_support_cases"


class Command(BaseCommand):
    help = "Run one registration and support-case poll cycle and print what changed."

    def add_arguments(self, parser):
        parser.add_argument("--no-support-cases", action="store_true", help="Poll registrations only.")

    def handle(self, *args, **options):
        report = registrations_poll()
        self.stdout.write(f"registrations: {report}")
        for line in report.changes:
            self.stdout.write(f"  {line}")
        for line in report.errors:
            self.stderr.write(f"  error: {line}")
        if not options["no_support_cases"] and SUPPORT_CASES_COMMAND in get_commands():
            call_command(SUPPORT_CASES_COMMAND, stdout=self.stdout, stderr=self.stderr)
