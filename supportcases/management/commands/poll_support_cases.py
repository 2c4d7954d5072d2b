"""`manage.py poll_support_cases`: one support-case poll cycle; prints what changed.

`manage.py poll_registrations` runs it too (after the registrations), unless --no-support-cases.
"""

from django.core.management.base import BaseCommand

from supportcases.services import support_cases_poll


class Command(BaseCommand):
    help = "Run one AWS Support case poll cycle and print what changed."

    def handle(self, *args, **options):
        report = support_cases_poll()
        self.stdout.write(f"support cases: {report}")
        for line in report.changes:
            self.stdout.write(f"  {line}")
        for line in report.errors:
            self.stderr.write(f"  error: {line}")
