"""`manage.py sync_sender_ids`: reconcile with DescribeSenderIds (every page) and print the drift.

The same service runs on beat (`senderids.tasks.sync_sender_ids`). Drift is recorded as
SenderIdDrift rows (admin: Sender ID drifts); nothing else is changed but AWS-owned fields
(deletion protection, monthly price) of matching active requests. Exit status 1 when AWS cannot be read.
"""

from django.core.management.base import BaseCommand, CommandError

from senderids.choices import DriftKind
from senderids.models import SenderIdDrift
from senderids.services.reconcile import SyncInProgress, sender_ids_sync
from smsvoice.errors import AwsError


def describe(drift: SenderIdDrift) -> str:
    line = f"{drift.get_kind_display()}: {drift.sender_id} ({drift.iso_country_code})"
    if drift.request_id:
        line += f" request #{drift.request_id} [{drift.request.get_status_display()}]"
    if drift.kind == DriftKind.UNKNOWN_HERE and drift.aws_details.get("sender_id_arn"):
        line += f" {drift.aws_details['sender_id_arn']}"
    return line


class Command(BaseCommand):
    help = (
        "Reconcile sender IDs with AWS (DescribeSenderIds) and print drift: in AWS but unknown here, or gone."
    )

    def handle(self, *args, **options):
        try:
            report = sender_ids_sync()
        except SyncInProgress as exc:
            raise CommandError("Another sync_sender_ids is running; try again when it has finished.") from exc
        except AwsError as exc:
            raise CommandError(f"AWS could not be read: {exc}") from exc
        self.stdout.write(
            f"AWS lists {report.aws_count} sender ID(s); {report.active_count} active here; "
            f"{len(report.refreshed)} refreshed from AWS."
        )
        if not report.drifts and not report.resolved:
            self.stdout.write("No drift.")
        new = {drift.pk for drift in report.new}
        for drift in report.drifts:
            self.stdout.write(f"  {'NEW ' if drift.pk in new else ''}drift: {describe(drift)}")
        for drift in report.resolved:
            self.stdout.write(f"  resolved: {describe(drift)}")
        self.stdout.write(
            f"Drift: {len(report.drifts)} open ({len(report.new)} new), {len(report.resolved)} resolved."
        )
