"""The audit log: who approved, rejected, released, confirmed a support case, changed an AWS account —
one entry each, written with the change; append-only (model, queryset and, on PostgreSQL, a trigger);
exported as CSV by the people who may read it, filtered like the changelist."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry, AuditLogIsAppendOnly, Source
from senderids import lifecycle
from senderids.choices import Status
from senderids.events import sender_id_created
from senderids.services.release import sender_id_request_release
from senderids.services.requests import sender_id_request_approve, sender_id_request_reject
from smsvoice.models import AwsAccount
from supportcases.services.staff import support_case_confirm
from teams.services import SUPPORT_STAFF
from tests.factories import SenderIdRequestFactory
from tests.senderids import pipeline_support
from tests.smsvoice.test_accounts_admin import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

approver = pipeline_support.approver
enqueued = pipeline_support.enqueued
EXPORT_URL = "/admin/audit/auditentry/export/"
CHANGELIST_URL = "/admin/audit/auditentry/"


def entries() -> list[tuple[str, str, str, str]]:
    return list(
        AuditEntry.objects.order_by("pk").values_list("actor_username", "source", "action", "object_repr")
    )


def test_approve_and_reject_are_recorded_with_who_and_which_request(approver, enqueued):
    first = SenderIdRequestFactory(sender_id="ACME", country__iso_code="DE")
    second = SenderIdRequestFactory(sender_id="OTHER", country__iso_code="FR")
    sender_id_request_approve(request=first, actor=approver)
    sender_id_request_reject(request=second, actor=approver, reason="Not our brand.")
    assert entries() == [
        ("april", Source.PORTAL, "approved", "ACME (DE)"),
        ("april", Source.PORTAL, "rejected", "OTHER (FR)"),
    ]
    rejected = AuditEntry.objects.get(action="rejected")
    assert rejected.actor_id == approver.pk and rejected.object_id == str(second.pk)
    assert "Not our brand." in rejected.detail and "pending_review → rejected" in rejected.detail


def test_a_release_by_its_owner_is_recorded(owner):
    request = SenderIdRequestFactory(owner=owner, status=Status.ACTIVE, sender_id="BYE")
    sender_id_request_release(request=request, actor=owner)
    assert entries()[-1] == ("olivia", Source.PORTAL, "release_requested", f"BYE ({request.country_id})")


def test_a_support_case_confirmed_by_staff_is_recorded(django_user_model, owner):
    staff = django_user_model.objects.create_superuser("sam", "sam@portal.example", "pw")
    request = SenderIdRequestFactory(
        owner=owner, status=Status.SUPPORT_CASE_RESOLVED, process="support_case", sender_id="CASE"
    )
    support_case_confirm(request=request, actor=staff)
    assert entries()[-1][:3] == ("sam", Source.PORTAL, "support_case_confirmed")


def test_what_the_worker_and_aws_do_is_not_a_human_action(approver, enqueued):
    request = SenderIdRequestFactory(status=Status.SUBMITTING)
    lifecycle.transition(request, Status.ACTIVE, event=sender_id_created(), expected_from=Status.SUBMITTING)
    assert entries() == []


def test_an_aws_account_added_and_changed_in_admin_is_recorded_with_admins_description(admin_client):
    data = form_data(regions='["eu-west-1"]')
    response = admin_client.post("/admin/smsvoice/awsaccount/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    account = AwsAccount.objects.get(name="Production")
    data.update(regions='["eu-west-1", "ap-south-1"]')
    assert admin_client.post(f"/admin/smsvoice/awsaccount/{account.pk}/change/", data).status_code == 302
    added, changed = AuditEntry.objects.filter(object_type="smsvoice.awsaccount").order_by("pk")
    assert (added.source, added.action, added.object_id, added.object_repr) == (
        Source.ADMIN,
        "admin_added",
        str(account.pk),
        str(account),
    )
    assert changed.action == "admin_changed" and "Regions" in changed.detail


# --- append-only ------------------------------------------------------------------------------------
def test_an_entry_is_never_updated_or_deleted_through_the_orm(approver, enqueued):
    sender_id_request_approve(request=SenderIdRequestFactory(), actor=approver)
    entry = AuditEntry.objects.get()
    entry.actor_username = "someone-else"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_username="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().actor_username == "april"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's (make test)")
@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditentry SET actor_username = 'x'", "DELETE FROM audit_auditentry"]
)
def test_the_database_refuses_raw_updates_and_deletes(approver, enqueued, sql):
    sender_id_request_approve(request=SenderIdRequestFactory(), actor=approver)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert AuditEntry.objects.get().actor_username == "april"


def test_admin_offers_no_add_change_or_delete_even_to_a_superuser(admin_client, approver, enqueued):
    sender_id_request_approve(request=SenderIdRequestFactory(), actor=approver)
    entry = AuditEntry.objects.get()
    assert admin_client.get(f"{CHANGELIST_URL}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST_URL}{entry.pk}/delete/").status_code == 403
    response = admin_client.post(f"{CHANGELIST_URL}{entry.pk}/change/", {"actor_username": "x"})
    assert response.status_code == 403
    assert AuditEntry.objects.get().actor_username == "april"


# --- export -----------------------------------------------------------------------------------------
def read_csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_support_staff_export_the_filtered_log_as_a_csv_attachment(
    client, django_user_model, approver, enqueued
):
    sender_id_request_approve(request=SenderIdRequestFactory(sender_id="ACME"), actor=approver)
    sender_id_request_reject(
        request=SenderIdRequestFactory(sender_id="=HYPERLINK"), actor=approver, reason="No."
    )
    support = django_user_model.objects.create_user("sue", "sue@portal.example", "pw", is_staff=True)
    support.groups.add(Group.objects.get(name=SUPPORT_STAFF))
    client.force_login(support)

    response = client.get(EXPORT_URL)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = read_csv(response)
    assert [(r["user"], r["action"]) for r in rows] == [("april", "approved"), ("april", "rejected")]
    assert rows[1]["object"].startswith("'=HYPERLINK")  # a spreadsheet does not run it

    only_rejections = read_csv(client.get(EXPORT_URL, {"action": "rejected"}))
    assert [r["action"] for r in only_rejections] == ["rejected"]
    assert (
        'href="/admin/audit/auditentry/export/?action=rejected"'
        in client.get(CHANGELIST_URL, {"action": "rejected"}).content.decode()
    )


def test_a_business_user_gets_no_export(owner_client):
    response = owner_client.get(EXPORT_URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_export_with_a_filter_that_is_no_filter_goes_back_to_the_list(admin_client):
    response = admin_client.get(EXPORT_URL, {"created_at__gte": "<script>alert(1)</script>"})
    assert response.status_code == 302 and response["Location"] == f"{CHANGELIST_URL}?e=1"
