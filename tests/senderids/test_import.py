"""The CSV import: upload → a dry-run preview naming every row's result and reasons → one batch.

Nothing is saved before the confirm step; the confirm step creates the ready rows (and only those) in
one batch, once, for the user who saw the preview. Requests wait for approval (the default), so no AWS
call is made here.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from countries.models import SenderIdProcess
from senderids import imports
from senderids.models import RequestBatch, SenderIdRequest
from senderids.services.requests import sender_id_request_create
from teams.models import Role
from teams.services import membership_set, team_ensure_for
from tests.catalogue import ensure_batch_countries, ensure_country, team_in_ireland_and_mumbai

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

IMPORT_URL = reverse("senderids:import")
CONFIRM_URL = reverse("senderids:import_confirm")
HEADER = "country,sender_id,message_type,region"
GOOD_COUNTRIES = ["DE", "SG", "VN", "IN", "Germany", "Allemagne", "Inde"]


@pytest.fixture
def team(owner, settings, countries):
    """The team sends from Ireland, and from Mumbai for India (the routing table's pick)."""
    settings.AWS_REGION = "eu-west-1"
    ensure_batch_countries()
    return team_in_ireland_and_mumbai(owner)


@pytest.fixture
def after_france_rule(monkeypatch):
    """Today is after 1 March 2026, when France's rule forbids the hyphen."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 6, 1))


def sender_id(i: int) -> str:
    """Distinct letters-only sender IDs that fit India's rules (3–6 letters) and name nothing generic."""
    return "ZQ" + chr(65 + i // 26) + chr(65 + i % 26)


def good_rows(n: int, start: int = 0) -> list[str]:
    rows = []
    for i in range(start, start + n):
        country = GOOD_COUNTRIES[i % len(GOOD_COUNTRIES)]
        india = country in ("IN", "Inde")
        # Promotional only in Germany: Vietnam, Singapore and India take transactional ones only.
        germany = country in ("DE", "Germany", "Allemagne")
        message_type = "PROMOTIONAL" if germany and i % 2 == 0 else "transactional"
        region = "eu-west-1" if not india and i % 3 == 0 else ""
        rows.append(f"{country},{sender_id(i)},{message_type},{region}")
    return rows


# The 17 bad rows of the big file: (row, what the preview must say about it).
BAD_ROWS = [
    ("Atlantis,ZBADA,TRANSACTIONAL,", "Unknown country “Atlantis”"),
    ("QQ,ZBADB,TRANSACTIONAL,", "Unknown country “QQ”"),
    ("US,ZBADC,TRANSACTIONAL,", "Sender IDs are not supported in United States."),
    ("Brésil,ZBADD,TRANSACTIONAL,", "Sender IDs are not supported in Brazil."),
    ("IN,ACME12,TRANSACTIONAL,", "In this country a sender ID may contain only letters A–Z."),
    ("DE,ABCDEFGHIJKLM,TRANSACTIONAL,", "must be 1 to 11 characters long (this one has 13)"),
    ("FR,ACME-FR,TRANSACTIONAL,", "This country does not allow these characters in sender IDs: -"),
    ("de,zqaa,PROMOTIONAL,", "Line 2 of the file already asks for ZQAA in Germany."),
    ("DE,ZOPEN,TRANSACTIONAL,", "Your team already requested ZOPEN in Germany"),
    ("DE,ZBADE,MARKETING,", "Unknown message type “MARKETING”"),
    ("DE,ZBADF,TRANSACTIONAL,us-west-2", "The Region “us-west-2” is not available to your team"),
    ('DE,"=HYPERLINK(""http://evil.example"")",TRANSACTIONAL,', "starts like a spreadsheet formula"),
    ("DE,,TRANSACTIONAL,", "Enter a sender ID."),
    ("DE,@SUM(A1),TRANSACTIONAL,", "starts like a spreadsheet formula"),
    ("DE," + "Z" * 201 + ",TRANSACTIONAL,", "The sender_id cell is longer than 200 characters."),
    (",ZBADG,TRANSACTIONAL,", "Enter a country"),
    ("DE,AC ME,TRANSACTIONAL,", "Only "),
]


def csv_file(lines: list[str], *, name: str = "sender-ids.csv", header: str = HEADER, encoding="utf-8"):
    text = "\r\n".join([header, *lines]) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client, file):
    return client.post(IMPORT_URL, {"file": file})


def token_of(response) -> str:
    found = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


def rows_by_line(response) -> dict[int, tuple[str, str]]:
    """{line: (light, the row's HTML)} of the preview table."""
    html = response.content.decode()
    found = re.findall(r'<tr data-line="(\d+)" data-light="(\w+)">(.*?)</tr>', html, re.S)
    return {int(line): (light, body) for line, light, body in found}


def error_of(response) -> str:
    found = re.search(
        r'<p class="warning-box" id="import-error"[^>]*>(.*?)</p>', response.content.decode(), re.S
    )
    return found.group(1) if found else ""


def messages_of(response) -> str:
    return " | ".join(str(m) for m in response.wsgi_request._messages)


@pytest.fixture
def open_request(owner, team, countries):
    return sender_id_request_create(
        owner=owner, country=countries["DE"], sender_id="ZOPEN", message_type="TRANSACTIONAL", team=team
    )


@pytest.mark.usefixtures("team", "after_france_rule")
def test_200_rows_17_bad_ones_preview_names_each_then_confirm_makes_one_batch_of_183(
    owner_client, open_request
):
    good = good_rows(183)
    # Bad rows spread among the good ones; the file's line numbers are what the preview must name.
    lines, expected = list(good), {}
    for k, (bad, _why) in enumerate(BAD_ROWS):
        lines.insert(5 + k * 11, bad)
    for number, line in enumerate(lines, start=2):  # line 1 is the header
        for bad, why in BAD_ROWS:
            if line == bad:
                expected[number] = why
    assert len(lines) == 200 and len(expected) == 17
    before = SenderIdRequest.objects.count()

    response = upload(owner_client, csv_file(lines))

    assert response.status_code == 200, error_of(response)
    html = response.content.decode()
    rows = rows_by_line(response)
    assert "183 ready, 17 with problems" in html, {n: b for n, (light, b) in rows.items() if light == "block"}
    assert len(rows) == 200
    blocked = {line for line, (light, _body) in rows.items() if light == "block"}
    assert blocked == set(expected), sorted(blocked ^ set(expected))
    for line, why in expected.items():
        _light, body = rows[line]
        assert "Will be skipped" in body  # the traffic light in words, not colour only
        assert why in body, (line, why, body)
        assert f'<li data-line="{line}">Line {line}:' in html  # the skipped list names it by line
    assert "=HYPERLINK(&quot;http://evil.example&quot;)" in html  # shown as escaped text
    assert "Create 183 requests" in html
    # Said once above the table, not on each of the 200 rows.
    assert html.count("Fill in your company profile") == 1
    assert SenderIdRequest.objects.count() == before  # a preview saves nothing
    assert not RequestBatch.objects.exists()

    response = owner_client.post(CONFIRM_URL, {"token": token_of(response)})

    batch = RequestBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("senderids:batch", args=[batch.pk])
    assert batch.source == RequestBatch.Source.IMPORT
    assert batch.requests.count() == 183
    assert SenderIdRequest.objects.count() == before + 183
    made = set(batch.requests.values_list("country_id", "sender_id", "message_type"))
    assert ("DE", sender_id(0), "PROMOTIONAL") in made  # message type per row
    assert ("IN", sender_id(3), "TRANSACTIONAL") in made  # "IN" and "Inde" alike
    assert ("IN", sender_id(6), "TRANSACTIONAL") in made
    assert ("DE", sender_id(5), "TRANSACTIONAL") in made  # "Allemagne"
    india = batch.requests.get(sender_id=sender_id(3))
    assert india.aws_region == "ap-south-1"  # the routing table's pick
    message = messages_of(response)
    assert "183 requests created from the file." in message
    assert "Lines " + ", ".join(str(line) for line in sorted(expected)) + " were skipped." in message


@pytest.mark.usefixtures("team")
def test_the_query_count_does_not_grow_with_the_rows(owner_client, owner):
    def preview_queries(n: int) -> int:
        file = csv_file([*good_rows(n - 4), *[bad for bad, _why in BAD_ROWS[:4]]])
        with CaptureQueriesContext(connection) as queries:
            response = upload(owner_client, file)
        assert response.status_code == 200 and rows_by_line(response), error_of(response)
        return len(queries)

    # One query per kind of thing: team, accounts, routes, countries, duplicates, rules, profile...
    assert preview_queries(20) == preview_queries(200)
    assert preview_queries(20) <= 16

    data = csv_file(good_rows(50)).read()
    with CaptureQueriesContext(connection) as queries:
        preview = imports.preview_import(user=owner, data=data)
    assert len(preview.ready) == 50
    assert len(queries) <= 16


@pytest.mark.usefixtures("team")
def test_a_bom_semicolons_and_french_country_names_are_read(owner_client):
    text = "\ufeffPays;Sender_ID;Message_Type\r\n"  # an unknown column: refused below
    response = upload(owner_client, SimpleUploadedFile("a.csv", text.encode(), content_type="text/csv"))
    assert "The first line must be the header" in error_of(response)

    lines = ["Allemagne;ZQAB;transactional", "Inde;ZQAC;TRANSACTIONAL", "singapour;ZQAD;Promotional"]
    file = csv_file(lines, header="\ufeffCOUNTRY;Sender_ID;Message_Type")

    response = upload(owner_client, file)

    rows = rows_by_line(response)
    assert [light != "block" for light, _body in rows.values()] == [True, True, True], rows
    assert "Germany" in rows[2][1] and "India" in rows[3][1] and "Singapore" in rows[4][1]
    assert "3 ready, 0 with problems" in response.content.decode()


@pytest.mark.usefixtures("team")
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"country,sender_id,message_type\r\n" + b"DE,ACME,TRANSACTIONAL\r\n" * 60_000, "larger than 1 MB"),
        (
            ("\r\n".join([HEADER, *good_rows(251)]) + "\r\n").encode(),
            "more than 250 rows",
        ),
        (b"country,sender_id,message_type\r\nDE,AC\x00ME,TRANSACTIONAL\r\n", "NUL bytes"),
        ("country,sender_id\r\n".encode("utf-16"), "NUL bytes"),
        (bytes(range(128, 256)) * 4, "not UTF-8 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL bytes"),
        (b"\x1b[31mDE,ACME\x07\r\n", "control characters"),
        (b"DE,ACME,TRANSACTIONAL\r\nSG,ACME,TRANSACTIONAL\r\n", "The first line must be the header"),
        (b"country,sender_id\r\nDE,ACME\r\n", "The first line must be the header"),
        (b"", "Choose a CSV file"),
        (b"\r\n \r\n", "The file is empty."),
        (b"country,sender_id,message_type\r\n", "a header but no rows"),
        (b'country,sender_id,message_type\r\nDE,"ACME\r\n', "cannot be read as CSV"),
    ],
    ids=[
        "oversize",
        "251-rows",
        "nul",
        "utf16",
        "undecodable",
        "binary",
        "controls",
        "no-header",
        "missing-column",
        "empty-upload",
        "blank",
        "header-only",
        "broken-quote",
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_clear_message(owner_client, content, message):
    file = SimpleUploadedFile("x.csv", content, content_type="text/csv") if content else None

    response = owner_client.post(IMPORT_URL, {"file": file} if file else {})

    assert response.status_code == 200
    assert message in error_of(response), response.content.decode()[:3000]
    assert 'name="token"' not in response.content.decode()
    assert not SenderIdRequest.objects.exists() and not RequestBatch.objects.exists()


@pytest.mark.usefixtures("team")
def test_a_tampered_or_expired_token_is_refused_and_nothing_is_saved(owner_client, monkeypatch):
    response = upload(owner_client, csv_file(good_rows(3)))
    token = token_of(response)

    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = owner_client.post(CONFIRM_URL, {"token": tampered})
    assert response.status_code == 302 and response["Location"] == IMPORT_URL
    assert "it was changed" in messages_of(response)

    response = owner_client.post(CONFIRM_URL, {"token": ""})
    assert response["Location"] == IMPORT_URL

    # A token signed with the right salt but another user's payload: still refused.
    forged = signing.dumps({"user": 0, "rows": [[2, "DE", "ZZZ", "TRANSACTIONAL", 1, "eu-west-1"]]})
    assert owner_client.post(CONFIRM_URL, {"token": forged})["Location"] == IMPORT_URL

    monkeypatch.setattr(imports, "TOKEN_MAX_AGE", -1)  # as if an hour had passed
    response = owner_client.post(CONFIRM_URL, {"token": token})
    assert response["Location"] == IMPORT_URL
    assert "more than an hour old" in messages_of(response)
    assert not SenderIdRequest.objects.exists() and not RequestBatch.objects.exists()


@pytest.mark.usefixtures("team")
def test_a_stranger_cannot_confirm_another_users_preview(owner_client, client, stranger, django_user_model):
    token = token_of(upload(owner_client, csv_file(good_rows(3))))
    team_ensure_for(stranger)

    client.force_login(stranger)
    response = client.post(CONFIRM_URL, {"token": token})

    assert response["Location"] == IMPORT_URL
    assert "not yours" in messages_of(response)
    assert not SenderIdRequest.objects.exists()


@pytest.mark.usefixtures("team")
def test_the_token_works_only_in_the_session_that_saw_the_preview(owner_client, owner):
    token = token_of(upload(owner_client, csv_file(good_rows(3))))
    client = Client()
    client.force_login(owner)  # the same user, another session (another browser)

    response = client.post(CONFIRM_URL, {"token": token})

    assert response["Location"] == IMPORT_URL
    assert "not shown in this session" in messages_of(response)
    assert not SenderIdRequest.objects.exists()


@pytest.mark.usefixtures("team")
def test_confirming_twice_makes_one_batch(owner_client):
    token = token_of(upload(owner_client, csv_file(good_rows(5))))

    first = owner_client.post(CONFIRM_URL, {"token": token})
    second = owner_client.post(CONFIRM_URL, {"token": token})  # the double click, after the first

    batch = RequestBatch.objects.get()
    assert first["Location"] == second["Location"] == reverse("senderids:batch", args=[batch.pk])
    assert "already created" in messages_of(second)
    assert SenderIdRequest.objects.count() == 5


@pytest.mark.usefixtures("team")
def test_two_clicks_racing_are_refused_by_the_duplicates_check(owner_client):
    """The second click read the session before the first one saved it: batch_create's lock and its
    duplicates check refuse it, and it lands on the first one's batch."""
    token = token_of(upload(owner_client, csv_file(good_rows(5))))
    pending = owner_client.session["senderids_import_pending"]  # what the racing request's session still says

    owner_client.post(CONFIRM_URL, {"token": token})
    session = owner_client.session
    session["senderids_import_pending"] = pending
    session.pop("senderids_import_done")
    session.save()
    second = owner_client.post(CONFIRM_URL, {"token": token})

    batch = RequestBatch.objects.get()
    assert second["Location"] == reverse("senderids:batch", args=[batch.pk])
    assert "nothing was created twice" in messages_of(second)
    assert SenderIdRequest.objects.count() == 5


def test_anonymous_users_go_to_login(client):
    for response in (client.get(IMPORT_URL), client.post(IMPORT_URL), client.post(CONFIRM_URL)):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_user_without_a_team_is_told_so(client, staff_user):
    client.force_login(staff_user)

    for response in (client.get(IMPORT_URL), client.post(IMPORT_URL), client.post(CONFIRM_URL)):
        assert response.status_code == 200
        assert "You are not a member of a team" in response.content.decode()


@pytest.mark.usefixtures("team")
def test_the_upload_page_explains_the_format_and_offers_an_example(owner_client, owner, team):
    page = owner_client.get(IMPORT_URL).content.decode()
    assert "country,sender_id,message_type,region" in page
    assert "At most 250 lines" in page and "1 MB" in page and "200 characters" in page
    assert 'href="/sender-ids/import/?example=1"' in page
    assert 'id="import-link"' in owner_client.get(reverse("senderids:home")).content.decode()

    example = owner_client.get(IMPORT_URL, {"example": 1})
    assert example["Content-Type"].startswith("text/csv")
    assert "attachment" in example["Content-Disposition"]

    # The example file itself imports cleanly (India goes to ap-south-1, the team's Region).
    file = SimpleUploadedFile("example.csv", example.content, content_type="text/csv")
    ensure_country("FR", name="France", sender_id_process=SenderIdProcess.SUPPORTED, sender_id_rules={})
    rows = rows_by_line(upload(owner_client, file))
    assert [light for light, _body in rows.values()].count("block") == 0, rows


@pytest.mark.usefixtures("team")
def test_a_teammate_sees_open_requests_of_the_team_as_duplicates(
    owner_client, owner, team, django_user_model
):
    mate = django_user_model.objects.create_user("tess", "tess@acme.example", "x")
    membership_set(team=team, user=mate, role=Role.MEMBER)
    sender_id_request_create(
        owner=mate, country=ensure_country("SG"), sender_id="ZMATE", message_type="TRANSACTIONAL", team=team
    )

    rows = rows_by_line(
        upload(owner_client, csv_file(["SG,zmate,TRANSACTIONAL,", "SG,ZOTHER,TRANSACTIONAL,"]))
    )

    assert rows[2][0] == "block" and "Your team already requested ZMATE in Singapore" in rows[2][1]
    assert rows[3][0] != "block"
