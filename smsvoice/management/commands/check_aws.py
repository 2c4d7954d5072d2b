"""`manage.py check_aws`: what the portal's AWS account looks like from here, read-only.

For the account configured in the environment (the portal's one account today): identity (STS),
Region, registration types, account limits, and the Support API plan and codes (smsvoice/aws_check.py).
Apps connected to `aws_checked` record what they need (supportcases stores the Support confirmation
that SUPPORT_CASE_MODE=api requires) and say so in the output.

Exit status 1 when the account or the SMS API does not answer, or when SUPPORT_CASE_MODE=api and the
codes are not confirmed.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from smsvoice.aws_check import aws_check, aws_checked
from smsvoice.gateway import get_gateway


class Command(BaseCommand):
    help = (
        "Check the AWS account: identity, Region, registration types, account limits, Support plan and "
        "the CreateCase codes (DescribeServices); records the Support confirmation api mode needs."
    )
    # This command is how the "api mode needs confirmed codes" system check gets satisfied: it must run
    # while that check still fails.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--service-code", default=settings.SUPPORT_CASE_SERVICE_CODE)
        parser.add_argument("--category-code", default=settings.SUPPORT_CASE_CATEGORY_CODE)
        parser.add_argument("--severity-code", default=settings.SUPPORT_CASE_SEVERITY_CODE)

    def handle(self, *args, **options):
        report = aws_check(
            gateway=get_gateway(),
            service_code=options["service_code"],
            category_code=options["category_code"],
            severity_code=options["severity_code"],
        )
        for line in report.lines():
            self.stdout.write(line)
        for _receiver, answer in aws_checked.send(sender=self.__class__, report=report):
            if answer:
                self.stdout.write(f"  {answer}")
        problems = []
        if not report.reachable:
            problems.append("the account or the SMS API did not answer")
        if settings.SUPPORT_CASE_MODE == "api" and not (report.support and report.support.confirmed):
            problems.append("SUPPORT_CASE_MODE=api but the Support plan and codes are not confirmed")
        if problems:
            raise CommandError("; ".join(problems))
