"""Bad input on the case page gets a clear error and records nothing: a malformed case id, an empty or a
20,000-character answer, a non-member posting, a state without a note, a document AWS would not take."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from supportcases.models import CaseState, SupportCase, SupportCaseDocument
from supportcases.references import parse_case_reference

from .helpers import case_url, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher", "assisted_mode")]

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.mark.parametrize(
    ("text", "case_id", "display_id"),
    [
        ("case-123456789012-muen-2024-1a2b3c4d5e6f7890", "case-123456789012-muen-2024-1a2b3c4d5e6f7890", ""),
        ("case-12345678910-exen-2025-c4c1d2bf33c5cf47", "case-12345678910-exen-2025-c4c1d2bf33c5cf47", ""),
        ("case-12345678910-2013-c4c1d2bf33c5cf47", "case-12345678910-2013-c4c1d2bf33c5cf47", ""),
        ("case-12345678910-2020-ABCDEFGHIJKLMabc", "case-12345678910-2020-ABCDEFGHIJKLMabc", ""),
        (" 171234567800123 ", "", "171234567800123"),
    ],
)
def test_case_ids_in_the_shapes_aws_and_moto_give_are_accepted(text, case_id, display_id):
    reference = parse_case_reference(text)
    assert reference is not None and (reference.case_id, reference.display_id) == (case_id, display_id)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "case-123",
        "case-123456789012-muen-2024-1a2b3c4d5e6f789",  # 15 characters at the end
        "case-123456789012-muen-24-1a2b3c4d5e6f7890",
        "CASE-123456789012-muen-2024-1a2b3c4d5e6f7890",
        "case-123456789012-muen-2024-1a2b3c4d5e6f7890; DROP TABLE",
        "1234",
        "12ab34cd56",
        "https://console.aws.amazon.com/support/home#/case/?displayId=171234567800123",
    ],
)
def test_a_malformed_case_id_is_refused_and_nothing_is_recorded(client, manager, vn_request, text):
    open_case(vn_request)
    entries = vn_request.events.count()
    client.force_login(manager)
    response = client.post(case_url(vn_request, "record"), {"reference": text})
    assert response.status_code == 400
    assert "This is not an AWS Support case ID" in response.content.decode() or "This field is required" in (
        response.content.decode()
    )
    case = SupportCase.objects.get(request=vn_request)
    assert (case.reference, case.state) == ("", CaseState.AWAITING_STAFF)
    assert vn_request.events.count() == entries


@pytest.fixture
def open_for_answers(vn_request, manager):
    from supportcases import services

    open_case(vn_request)
    services.support_case_record(request=vn_request, actor=manager, reference="17123456789")
    vn_request.refresh_from_db()
    return vn_request


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write your answer to AWS Support first."),
        ("   \n\t ", "Write your answer to AWS Support first."),
        ("x" * 20_000, "at most 8,000 characters in one message (yours has 20,000)"),
    ],
)
def test_an_empty_or_overlong_answer_is_refused_and_nothing_is_recorded(
    owner_client, open_for_answers, body, message
):
    request = open_for_answers
    entries = request.events.count()
    response = owner_client.post(case_url(request, "answer"), {"body": body})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert SupportCase.objects.get(request=request).communications.count() == 0
    assert request.events.count() == entries


def test_an_answer_of_exactly_8000_characters_is_taken(owner_client, open_for_answers):
    assert owner_client.post(case_url(open_for_answers, "answer"), {"body": "y" * 8000}).status_code == 302


def test_a_non_member_posting_to_the_case_records_nothing(client, stranger, staff_user, open_for_answers):
    request = open_for_answers
    entries = request.events.count()
    client.force_login(stranger)
    assert client.post(case_url(request, "answer"), {"body": "Let me in."}).status_code == 404
    client.force_login(staff_user)
    response = client.post(case_url(request, "answer"), {"body": "On behalf of the team."})
    assert response.status_code == 403
    assert SupportCase.objects.get(request=request).communications.count() == 0
    assert request.events.count() == entries


def test_a_state_without_a_note_is_refused(client, manager, open_for_answers):
    request = open_for_answers
    client.force_login(manager)
    response = client.post(case_url(request, "state"), {"state": CaseState.RESOLVED, "note": "  "})
    assert response.status_code == 400
    assert SupportCase.objects.get(request=request).state == CaseState.OPEN


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"plain text", "Attach a PDF, PNG or JPEG file."),
        ("fake.pdf", b"MZ\x90\x00 an executable", "Attach a PDF, PNG or JPEG file."),
        ("huge.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "at most 5 MB"),
    ],
)
def test_a_document_aws_would_not_take_is_refused(owner_client, vn_request, name, content, message):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = owner_client.post(case_url(vn_request, "documents"), {"document": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SupportCaseDocument.objects.exists()


def test_a_case_takes_at_most_three_documents(owner_client, vn_request):
    for n in range(3):
        upload = SimpleUploadedFile(f"doc{n}.pdf", PDF, content_type="application/pdf")
        assert owner_client.post(case_url(vn_request, "documents"), {"document": upload}).status_code == 302
    page = owner_client.get(case_url(vn_request)).content.decode()
    assert 'id="document-form"' not in page
    upload = SimpleUploadedFile("doc4.pdf", PDF, content_type="application/pdf")
    response = owner_client.post(case_url(vn_request, "documents"), {"document": upload})
    assert response.status_code == 400 and "at most 3 documents" in response.content.decode()
    assert SupportCaseDocument.objects.count() == 3
