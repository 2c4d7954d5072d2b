"""`manage.py poll_registrations`: one poll cycle (registrations, then support cases); prints what changed."""

from django.core.management.base import BaseCommand

from registrations import services


class Command(BaseCommand):
    help = "Run one registration and support-case poll cycle and print what changed."

    def add_arguments(self, parser):
        parser.add_argument("--no-support-cases", action="store_true", help="Poll registrations only.")

    def handle(self, *args, **options):
        reports = [("registrations", services.registrations_poll())]
        if not options["no_support_cases"]:
            reports.append(("support cases", services.support_cases_poll()))
        for name, report in reports:
            self.stdout.write(f"{name}: {report}")
            for line in report.changes:
                self.stdout.write(f"  {line}")
            for line in report.errors:
                self.stderr.write(f"  error: {line}")
