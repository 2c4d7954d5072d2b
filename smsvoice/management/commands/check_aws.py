"""`manage.py check_aws`: what each configured AWS account looks like from here, read-only.

For every enabled account (or `--account NAME`) and each of its enabled Regions: identity (STS), the
registration types the Region offers, account limits; and once per account the Support API plan and
codes (smsvoice/aws_check.py). What it learnt is kept on the account (its id, its last error). Apps
connected to `aws_checked` record what they need (supportcases stores the Support confirmation that
SUPPORT_CASE_MODE=api requires) and say so in the output.

Exit status 1 when an account or its SMS API does not answer, or when SUPPORT_CASE_MODE=api and the
codes are not confirmed.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from smsvoice.aws_check import account_check, account_check_summary, aws_checked
from smsvoice.gateway import gateway_for
from smsvoice.models import AwsAccount
from smsvoice.services import aws_account_record_check


class Command(BaseCommand):
    help = (
        "Check each AWS account: identity, Regions, registration types, account limits, Support plan and "
        "the CreateCase codes (DescribeServices); records the Support confirmation api mode needs."
    )
    # This command is how the "api mode needs confirmed codes" system check gets satisfied: it must run
    # while that check still fails.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--account", help="only the account with this name")
        parser.add_argument("--service-code", default=settings.SUPPORT_CASE_SERVICE_CODE)
        parser.add_argument("--category-code", default=settings.SUPPORT_CASE_CATEGORY_CODE)
        parser.add_argument("--severity-code", default=settings.SUPPORT_CASE_SEVERITY_CODE)

    def handle(self, *args, **options):
        accounts = AwsAccount.objects.filter(enabled=True).order_by("-is_default", "name")
        if options["account"]:
            accounts = accounts.filter(name=options["account"])
        accounts = list(accounts)
        if not accounts:
            raise CommandError(
                "no enabled AWS account" + (f" named {options['account']!r}" if options["account"] else "")
            )
        problems = []
        for account in accounts:
            reports = account_check(
                account=account,
                gateway_for=gateway_for,
                service_code=options["service_code"],
                category_code=options["category_code"],
                severity_code=options["severity_code"],
            )
            lines = []
            for report in reports:
                lines += report.lines()
                for _receiver, answer in aws_checked.send(sender=self.__class__, report=report):
                    if answer:
                        lines.append(f"  {answer}")
                if not report.reachable:
                    problems.append(
                        f"{account.name} {report.region}: the account or the SMS API did not answer"
                    )
            for line in lines:
                self.stdout.write(line)
            account_id, arn, error = account_check_summary(reports)
            aws_account_record_check(
                account=account, account_id=account_id, arn=arn, error=error, report="\n".join(lines)
            )
            support = reports[0].support if reports else None
            if settings.SUPPORT_CASE_MODE == "api" and not (support and support.confirmed):
                problems.append(
                    f"{account.name}: SUPPORT_CASE_MODE=api but the Support plan and codes are not confirmed"
                )
        if problems:
            raise CommandError("; ".join(problems))
