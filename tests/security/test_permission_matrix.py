"""The permission matrix: every portal URL × persona × method → the answer the rules imply.

The rules (DESIGN.md "URLs", senderids/permissions.py, supportcases/permissions.py):

* Anonymous users are redirected to login; another team's request answers 404, GET and POST alike.
* A team member sees the team's requests and edits drafts, registrations and support-case answers;
  releasing takes the team admin role (a member gets 403); the release pages are the team's only.
* Support staff (is_staff + "Support staff") read every request and change nothing.
* An approver limited by an ApproverScope sees only their teams' requests, in the portal and in the
  admin, and approves only those.
* The portal admin (superuser) runs the admin actions; staff actions on a support case need their
  permission (403 without), team actions refuse staff (403).

Each cell is one test: (URL, persona, method) → the status code, for a redirect where it goes, for
some pages which sender IDs the body must (not) show, and the database: a cell marked DONE must have
made its write, every other cell (every GET included) must leave the rows exactly as they were.

The URL patterns come from the resolver: a portal pattern the matrix does not cover fails
`test_every_portal_url_is_in_the_matrix`. Admin, auth, i18n and /healthz get the explicit rows at the
end. The objects are built once per module inside a transaction rolled back at the end; each test runs
in a savepoint of it (pytest-django's `db`), so a write in one cell never reaches the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from profiles.models import CompanyProfile, Document, DocumentKind
from registrations.definitions import OPTIONAL, TEXT, FieldDef, FormDefinition, SectionDef
from registrations.models import Registration, RegistrationDefinition, RegistrationFieldValue
from senderids.choices import Status
from senderids.models import (
    DeliveryStatus,
    NotificationPreference,
    RequestBatch,
    SenderIdRequest,
    StaffNote,
    StatusEvent,
    Webhook,
    WebhookDelivery,
)
from supportcases.models import (
    CaseState,
    Delivery,
    Direction,
    SupportCase,
    SupportCaseCommunication,
    SupportCaseDocument,
    SupportCaseMode,
)
from teams.models import ApproverScope, Membership, Role, Team
from teams.services import APPROVERS, SUPPORT_STAFF, membership_set
from tests.catalogue import ensure_test_countries
from tests.factories import SenderIdRequestFactory
from tests.supportcases.conftest import DETAILS

pytestmark = pytest.mark.django_db

GET, POST = "GET", "POST"
PERSONAS = ("anon", "member_a", "admin_a", "member_b", "support", "approver_b", "superuser")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW_CASE_ID = "case-123456789012-muen-2024-0000000000000000"
IN_TYPE = "IN_SENDER_ID_REGISTRATION"


# --- what a cell expects ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Expect:
    status: int
    login: str = ""  # "portal" / "admin": a 302 to that login page
    wrote: bool = False  # the POST made its write (the row's `effect` holds)
    shows: tuple[str, ...] = ()  # objects whose sender ID the body must show
    hides: tuple[str, ...] = ()  # objects whose sender ID the body must not show

    def __str__(self) -> str:
        label = {"portal": "login", "admin": "admin-login"}.get(self.login) or str(self.status)
        return f"{label}{' (done)' if self.wrote else ''}"


LOGIN = Expect(302, login="portal")  # redirected to /accounts/login/
ALOGIN = Expect(302, login="admin")  # redirected to the admin's login
DONE = Expect(302, wrote=True)  # the action was done, then a redirect
REDIRECT = Expect(302)  # a redirect that is not to a login page and writes nothing


def show(status: int, *keys: str) -> Expect:
    return Expect(status, shows=keys)


def hide(status: int, *keys: str) -> Expect:
    return Expect(status, hides=keys)


def show_hide(status: int, shows: tuple[str, ...], hides: tuple[str, ...]) -> Expect:
    return Expect(status, shows=shows, hides=hides)


# --- the objects -------------------------------------------------------------------------------------
# Team A: member_a (role member; owns team A's requests), admin_a (team admin). Team B: member_b.
# Sender IDs are distinct words so a page can be searched for them.
SENDER_IDS = {
    "a_sup": "ALPHASUP",  # supported (DE), active
    "a_prot": "ALPHAPROT",  # supported, active, deletion protection on
    "a_pend": "ALPHAPEND",  # supported, pending_review (approval queue)
    "a_reg": "ALPREG",  # registration (IN), pending_review: the form is editable
    "a_sub": "ALPSUB",  # registration, registration_submitted: its version can be discarded
    "a_sc": "ALPHACASE",  # support case (VN), open at AWS Support (assisted), an answer to paste
    "a_res": "ALPHARES",  # support case, resolved (to confirm)
    "a_fail": "ALPHAFAIL",  # support case, refused → failed (to retry)
    "a_new": "ALPHANEW",  # support case, pending_review: documents can be added
    "b_sup": "BRAVOSUP",
    "b_pend": "BRAVOPEND",
    "b_reg": "BRVREG",
    "b_sc": "BRAVOCASE",
}
A_KEYS = tuple(k for k in SENDER_IDS if k.startswith("a_"))


@dataclass
class World:
    users: dict[str, Any]
    teams: dict[str, Team]
    req: dict[str, SenderIdRequest]
    extra: dict[str, Any] = field(default_factory=dict)

    def pk(self, key: str) -> int:
        return self.req[key].pk

    def status(self, key: str) -> str:
        return SenderIdRequest.objects.get(pk=self.pk(key)).status


def _build_world() -> World:
    countries = ensure_test_countries()
    User = get_user_model()

    def person(name: str, **fields: Any):
        return User.objects.create_user(name, f"{name}@matrix.example", None, **fields)

    team_a = Team.objects.create(name="Matrix team A")
    team_b = Team.objects.create(name="Matrix team B")
    users: dict[str, Any] = {"anon": None}
    users["member_a"] = person("matrix_member_a")
    users["admin_a"] = person("matrix_admin_a")
    users["member_b"] = person("matrix_member_b")
    membership_set(team=team_a, user=users["member_a"], role=Role.MEMBER)
    membership_set(team=team_a, user=users["admin_a"], role=Role.ADMIN)
    membership_set(team=team_b, user=users["member_b"], role=Role.MEMBER)
    membership_set(team=team_b, user=person("matrix_admin_b"), role=Role.ADMIN)
    users["support"] = person("matrix_support", is_staff=True)
    users["support"].groups.add(Group.objects.get(name=SUPPORT_STAFF))
    users["approver_b"] = person("matrix_approver_b", is_staff=True)
    users["approver_b"].groups.add(Group.objects.get(name=APPROVERS))
    ApproverScope.objects.create(user=users["approver_b"]).teams.set([team_b])
    users["superuser"] = User.objects.create_superuser("matrix_root", "root@matrix.example", None)
    person("matrix_newcomer")  # the team page adds them

    def request(key: str, team: Team, iso: str, status: str, **fields: Any) -> SenderIdRequest:
        owner = users["member_a"] if team == team_a else users["member_b"]
        return SenderIdRequestFactory(
            owner=owner,
            team=team,
            country=countries[iso],
            sender_id=SENDER_IDS[key],
            status=status,
            **fields,
        )

    arn = "arn:aws:sms-voice:us-east-1:111122223333:sender-id/{}/DE"
    req = {
        "a_sup": request("a_sup", team_a, "DE", Status.ACTIVE, aws_sender_id_arn=arn.format("ALPHASUP")),
        "a_prot": request("a_prot", team_a, "DE", Status.ACTIVE, deletion_protection=True),
        "a_pend": request("a_pend", team_a, "DE", Status.PENDING_REVIEW),
        "a_reg": request("a_reg", team_a, "IN", Status.PENDING_REVIEW, registration_form_name="ALPREG"),
        "a_sub": request("a_sub", team_a, "IN", Status.REGISTRATION_SUBMITTED),
        "a_sc": request("a_sc", team_a, "VN", Status.SUPPORT_CASE_OPEN, support_case_details=DETAILS),
        "a_res": request("a_res", team_a, "VN", Status.SUPPORT_CASE_RESOLVED, support_case_details=DETAILS),
        "a_fail": request("a_fail", team_a, "VN", Status.FAILED, support_case_details=DETAILS),
        "a_new": request("a_new", team_a, "VN", Status.PENDING_REVIEW, support_case_details=DETAILS),
        "b_sup": request("b_sup", team_b, "DE", Status.ACTIVE),
        "b_pend": request("b_pend", team_b, "DE", Status.PENDING_REVIEW),
        "b_reg": request("b_reg", team_b, "IN", Status.PENDING_REVIEW),
        "b_sc": request("b_sc", team_b, "VN", Status.SUPPORT_CASE_OPEN, support_case_details=DETAILS),
    }
    # The registration form's definition, cached (pages read only the cache): one optional text field.
    definition = FormDefinition(
        registration_type=IN_TYPE,
        title="India sender ID",
        sections=[SectionDef("companyInfo", "Company")],
        fields=[FieldDef("companyInfo", "companyInfo.companyName", TEXT, OPTIONAL, "Company name")],
    )
    RegistrationDefinition.objects.update_or_create(
        registration_type=IN_TYPE,
        defaults={"definition": definition.to_json(), "fetched_at": timezone.now()},
    )
    registrations = {
        key: Registration.objects.create(
            request=req[key], registration_type=IN_TYPE, form_name=SENDER_IDS[key], **fields
        )
        for key, fields in (
            ("a_reg", {}),
            ("a_sub", {"aws_registration_id": "registration-0123456789abcdef"}),
            ("b_reg", {}),
        )
    }

    def case(key: str, state: str, **fields: Any) -> SupportCase:
        return SupportCase.objects.create(
            request=req[key],
            mode=SupportCaseMode.ASSISTED,
            state=state,
            language="en",
            subject=f"Sender ID Registration: {SENDER_IDS[key]}",
            body=f"Please register the sender ID {SENDER_IDS[key]} in Vietnam.",
            **fields,
        )

    now = timezone.now()
    cases = {
        "a_sc": case("a_sc", CaseState.OPEN, case_id="case-123456789012-muen-2024-1a2b3c4d5e6f7890"),
        "a_res": case("a_res", CaseState.RESOLVED, case_id="case-123456789012-muen-2024-1a2b3c4d5e6f7891"),
        "a_fail": case("a_fail", CaseState.REFUSED, case_id="case-123456789012-muen-2024-1a2b3c4d5e6f7892"),
        "b_sc": case("b_sc", CaseState.OPEN, case_id="case-123456789012-muen-2024-1a2b3c4d5e6f7893"),
    }
    answer = SupportCaseCommunication.objects.create(
        case=cases["a_sc"],
        direction=Direction.TO_AWS,
        body="Our answer, to paste into the case.",
        author=users["member_a"],
        time_created=now,
        delivery=Delivery.QUEUED,
    )
    document = SupportCaseDocument.objects.create(
        request=req["a_sc"],
        file_name="loa.pdf",
        content_type="application/pdf",
        size=len(PDF),
        body=PDF,
        uploaded_by=users["member_a"],
    )
    # Team A's company profile and a document of its vault.
    CompanyProfile.objects.create(team=team_a, legal_name=PROFILE_A)
    vault_document = Document.objects.create(
        team=team_a,
        kind=DocumentKind.LETTER_OF_AUTHORIZATION,
        title="Matrix letter",
        file_name="matrix-loa.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        content=PDF,
    )
    # Team A's pending request was made in a batch (a multi-country run).
    batch_a = RequestBatch.objects.create(team=team_a, owner=users["member_a"])
    SenderIdRequest.objects.filter(pk=req["a_pend"].pk).update(batch=batch_a)
    # A timeline entry of each team's (the admin's audit trail lists them).
    for key in ("a_sup", "b_sup"):
        StatusEvent.objects.create(
            request=req[key], from_status=Status.SUBMITTING, to_status=Status.ACTIVE, actor_label="worker"
        )
    # Team A's webhook and a failed delivery of it (the team's webhooks page resends it).
    webhook = Webhook.objects.create(team=team_a, url=WEBHOOK_URL, secret="whsec_matrix")
    webhook_delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        event=StatusEvent.objects.filter(request=req["a_sup"]).first(),
        status=DeliveryStatus.FAILED,
        attempts=1,
        last_status_code=410,
    )
    return World(
        users=users,
        teams={"a": team_a, "b": team_b},
        req=req,
        extra={
            "registrations": registrations,
            "cases": cases,
            "answer": answer,
            "document": document,
            "membership_a": Membership.objects.get(team=team_a, user=users["member_a"]),
            "webhook": webhook,
            "webhook_delivery": webhook_delivery,
            "vault_document": vault_document,
            "batch_a": batch_a,
        },
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The teams, personas and requests, made once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fake_update_sender_id(monkeypatch):
    """Turning deletion protection off calls UpdateSenderId: AWS answers "off" (no network)."""
    from senderids.services import release

    class FakeGateway:
        def update_sender_id(self, **kwargs: Any) -> SimpleNamespace:
            return SimpleNamespace(deletion_protection_enabled=False)

    monkeypatch.setattr(release, "gateway_of", lambda request: FakeGateway())


def fingerprint() -> tuple:
    """Every row a portal action could write (sessions and last_login aside)."""
    return (
        list(
            SenderIdRequest.objects.order_by("pk").values_list(
                "pk", "status", "deletion_protection", "team_id", "owner_id", "aws_error_code"
            )
        ),
        StatusEvent.objects.count(),
        sorted(Membership.objects.values_list("team_id", "user_id", "role")),
        Team.objects.count(),
        list(
            Registration.objects.order_by("pk").values_list("pk", "discard_requested_at", "submit_requested")
        ),
        sorted(RegistrationFieldValue.objects.values_list("registration_id", "field_path", "text_value")),
        list(
            SupportCase.objects.order_by("pk").values_list(
                "pk", "state", "case_id", "display_id", "confirmed_at", "opened_by_id"
            )
        ),
        list(SupportCaseCommunication.objects.order_by("pk").values_list("pk", "delivery", "body")),
        SupportCaseDocument.objects.count(),
        sorted(NotificationPreference.objects.values_list("user_id", "email", "language")),
        list(Webhook.objects.order_by("pk").values_list("pk", "url", "secret", "enabled")),
        list(WebhookDelivery.objects.order_by("pk").values_list("pk", "status", "attempts")),
        list(CompanyProfile.objects.order_by("pk").values_list("pk", "team_id", "legal_name", "city")),
        list(Document.objects.order_by("pk").values_list("pk", "team_id", "title")),
        StaffNote.objects.count(),
    )


# --- where each URL points ----------------------------------------------------------------------------
Target = Callable[[World], dict[str, Any]]


def _req(key: str) -> Target:
    return lambda w: {"pk": w.pk(key)}


def _admin_obj(kind: str, key: str) -> Target:
    def kwargs(w: World) -> dict[str, Any]:
        obj = {"request": w.req, "registration": w.extra["registrations"], "case": w.extra["cases"]}[kind]
        return {"object_id": obj[key].pk}

    return kwargs


TARGETS: dict[str, Target] = {
    "-": lambda w: {},
    "country-step": lambda w: {"step": "country"},
    **{key: _req(key) for key in SENDER_IDS},
    "a_sc/answer": lambda w: {"pk": w.pk("a_sc"), "answer_pk": w.extra["answer"].pk},
    "a_sc/document": lambda w: {"pk": w.pk("a_sc"), "document_pk": w.extra["document"].pk},
    "member_a's membership": lambda w: {"pk": w.extra["membership_a"].pk},
    "a's webhook": lambda w: {"pk": w.extra["webhook"].pk},
    "a's delivery": lambda w: {"pk": w.extra["webhook_delivery"].pk},
    "a's document": lambda w: {"pk": w.extra["vault_document"].pk},
    "a's batch": lambda w: {"pk": w.extra["batch_a"].pk},
    "DE": lambda w: {"iso_code": "DE"},
    "request a_pend": _admin_obj("request", "a_pend"),
    "request b_pend": _admin_obj("request", "b_pend"),
    "registration a_reg": _admin_obj("registration", "a_reg"),
    "registration b_reg": _admin_obj("registration", "b_reg"),
    "case a_sc": _admin_obj("case", "a_sc"),
    "case b_sc": _admin_obj("case", "b_sc"),
}


def action(name: str, kind: str, *keys: str, **extra: str) -> Callable[[World], dict[str, Any]]:
    """An admin changelist POST running action `name` on the given requests (or their cases)."""

    def data(w: World) -> dict[str, Any]:
        pks = [w.extra["cases"][k].pk if kind == "case" else w.pk(k) for k in keys]
        return {"action": name, "_selected_action": pks, **extra}

    return data


def status_is(key: str, status: str) -> Callable[[World], bool]:
    return lambda w: w.status(key) == status


# --- the matrix ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    url: str  # URL name
    target: str  # key of TARGETS
    method: str
    expect: dict[str, Expect]
    query: str = ""
    data: Callable[[World], dict[str, Any]] | None = None
    effect: Callable[[World], bool] | None = None  # what a DONE cell wrote
    label: str = ""  # tells apart rows of one URL and method (the admin actions)

    @property
    def id(self) -> str:
        query = f"?{self.query}" if self.query else ""
        label = f" {self.label}" if self.label else ""
        return f"{self.method} {self.url}[{self.target}{query}]{label}"

    def path(self, w: World) -> str:
        return reverse(self.url, kwargs=TARGETS[self.target](w)) + (f"?{self.query}" if self.query else "")


def row(url: str, target: str, method: str, *codes: int | Expect, **options: Any) -> Row:
    assert len(codes) == len(PERSONAS), (url, method, len(codes))
    expect = {p: c if isinstance(c, Expect) else Expect(c) for p, c in zip(PERSONAS, codes, strict=True)}
    return Row(url, target, method, expect, **options)


def data(**values: Any) -> Callable[[World], dict[str, Any]]:
    return lambda w: dict(values)


def upload(w: World) -> dict[str, Any]:
    return {"document": SimpleUploadedFile("company.pdf", PDF, content_type="application/pdf")}


RELEASE_WORD = data(confirmation="release", action="release")
WIZARD_COUNTRY = data(**{"sender_id_request_wizard-current_step": "country", "country-country": "DE"})
REG_SAVE = data(**{"companyInfo.companyName": "Matrix Corp", "action": "save"})
CASE_STATE = data(state=CaseState.CUSTOMER_ACTION, note="AWS asks for the letter of authorization.")
ADD_NEWCOMER = data(identifier="matrix_newcomer", role=Role.MEMBER)
WEBHOOK_URL = "https://hooks.matrix.example/sender-ids"
NEW_WEBHOOK = data(url="https://hooks.matrix.example/new")
PREFERENCE = data(email="none", language="fr")
PROFILE_A = "Matrix Alpha Profile Ltd"
PROFILE_EDIT = data(legal_name="Matrix Alpha Renamed", city="Leeds")


def vault_upload(w: World) -> dict[str, Any]:
    return {
        "upload": SimpleUploadedFile("new-loa.pdf", PDF, content_type="application/pdf"),
        "kind": DocumentKind.LETTER_OF_AUTHORIZATION,
        "title": "Matrix new letter",
    }


def profile_of_a(**fields: Any) -> Callable[[World], bool]:
    return lambda w: CompanyProfile.objects.filter(team=w.teams["a"], **fields).exists()


def vault_document_of_a(w: World) -> bool:
    return Document.objects.filter(pk=w.extra["vault_document"].pk).exists()


# The webhook's secret is shown in the answer itself, not after a redirect.
SHOWN_ONCE = Expect(200, wrote=True)


def webhook_of_a(**fields: Any) -> Callable[[World], bool]:
    return lambda w: Webhook.objects.filter(pk=w.extra["webhook"].pk, **fields).exists()


def reg_saved(key: str) -> Callable[[World], bool]:
    return lambda w: RegistrationFieldValue.objects.filter(
        registration=w.extra["registrations"][key], text_value="Matrix Corp"
    ).exists()


def case_field(key: str, name: str, value: Any) -> Callable[[World], bool]:
    return lambda w: getattr(SupportCase.objects.get(pk=w.extra["cases"][key].pk), name) == value


def answers_of(key: str) -> Callable[[World], bool]:
    return lambda w: SupportCaseCommunication.objects.filter(
        case=w.extra["cases"][key], body="Our answer to AWS."
    ).exists()


def member_a_role(role: str | None) -> Callable[[World], bool]:
    def check(w: World) -> bool:
        found = Membership.objects.filter(pk=w.extra["membership_a"].pk).values_list("role", flat=True)
        return list(found) == ([role] if role else [])

    return check


# Columns:                                 anon    member_a admin_a member_b support approver_b superuser
# fmt: off
PORTAL = [
    # --- home, wizard, detail, My sender IDs, release, tracking (senderids.urls) ---
    # Staff without a team of their own start at tracking.
    row("senderids:home", "-", GET,        LOGIN,  show(200, "a_sup"), show(200, "a_sup"),
        show_hide(200, ("b_sup",), A_KEYS), REDIRECT, REDIRECT, REDIRECT),
    row("senderids:home", "-", POST,       LOGIN,  200,    200,    200,    REDIRECT, REDIRECT, REDIRECT),
    row("senderids:request", "-", GET,     LOGIN,  *[REDIRECT] * 6),
    row("senderids:request", "-", POST,    LOGIN,  *[REDIRECT] * 6),
    row("senderids:request_step", "country-step", GET,
                                           LOGIN,  200,    200,    200,    200,    200,    200),
    row("senderids:request_step", "country-step", POST,
                                           LOGIN,  *[REDIRECT] * 6, data=WIZARD_COUNTRY),
    # The CSV import (senderids.import_views): a team's members; staff without a team are told so (200).
    # The POST without a file answers the form with its error; the confirm without a token goes back to it.
    row("senderids:import", "-", GET,      LOGIN,  200,    200,    200,    200,    200,    200),
    row("senderids:import", "-", POST,     LOGIN,  200,    200,    200,    200,    200,    200),
    row("senderids:import_confirm", "-", GET,
                                           LOGIN,  405,    405,    405,    405,    405,    405),
    row("senderids:import_confirm", "-", POST,
                                           LOGIN,  REDIRECT, REDIRECT, REDIRECT, 200,  200,    200),
    # A batch (several countries in one run): its team and staff see it; approvers approve it.
    row("senderids:batch", "a's batch", GET,
                                           LOGIN,  show(200, "a_pend"), show(200, "a_pend"),
        404,    200,    404,    200),
    row("senderids:batch", "a's batch", POST,
                                           LOGIN,  405,    405,    405,    405,    405,    405),
    row("senderids:batch_approve", "a's batch", GET,
                                           LOGIN,  405,    405,    405,    405,    405,    405),
    row("senderids:batch_approve", "a's batch", POST,
                                           LOGIN,  403,    403,    404,    403,    404,    DONE,
        effect=lambda w: SenderIdRequest.objects.get(pk=w.pk("a_pend")).status == Status.APPROVED),
    # The "Release" button only where the release page will answer (a team admin's).
    row("senderids:detail", "a_sup", GET,  LOGIN,  show_hide(200, ("a_sup",), ("release-link:a_sup",)),
        show(200, "a_sup", "release-link:a_sup"), 404, show_hide(200, ("a_sup",), ("release-link:a_sup",)),
        404, show_hide(200, ("a_sup",), ("release-link:a_sup",))),
    row("senderids:detail", "a_sup", POST, LOGIN,  200,    200,    404,    200,    404,    200),
    row("senderids:status", "a_sup", GET,  LOGIN,  200,    200,    404,    200,    404,    200),
    row("senderids:status", "a_sup", POST, LOGIN,  405,    405,    405,    405,    405,    405),
    # Internal staff notes: staff who see the request write them; its own team may not (403).
    row("senderids:staff_note_add", "a_sup", GET,
                                           LOGIN,  405,    405,    405,    405,    405,    405),
    row("senderids:staff_note_add", "a_sup", POST,
                                           LOGIN,  403,    403,    404,    DONE,   404,    DONE,
        data=data(body="Matrix note"),
        effect=lambda w: StaffNote.objects.filter(request_id=w.pk("a_sup"), body="Matrix note").exists()),
    row("senderids:detail", "b_sup", GET,  LOGIN,  404,    404,    show(200, "b_sup"), 200,
        show(200, "b_sup"), 200),
    row("senderids:mine", "-", GET,        LOGIN,  show(200, "a_sup"), show(200, "a_sup"),
        show_hide(200, ("b_sup",), A_KEYS), hide(200, *A_KEYS), hide(200, *A_KEYS), hide(200, *A_KEYS)),
    row("senderids:mine", "-", POST,       LOGIN,  200,    200,    200,    200,    200,    200),
    # Releasing takes the team admin role; staff release from the admin (the page is the team's).
    row("senderids:release", "a_sup", GET, LOGIN,  403,    show(200, "a_sup"), 404, 404, 404, 404),
    row("senderids:release", "a_sup", POST, LOGIN, 403,    DONE,   404,    404,    404,    404,
        data=RELEASE_WORD, effect=status_is("a_sup", Status.RELEASING)),
    row("senderids:release", "b_sup", POST, LOGIN, 404,    404,    403,    404,    404,    404,
        data=RELEASE_WORD),
    row("senderids:release_protection", "a_prot", GET,
                                           LOGIN,  403,    200,    404,    404,    404,    404),
    row("senderids:release_protection", "a_prot", POST,
                                           LOGIN,  403,    DONE,   404,    404,    404,    404,
        data=data(confirm="off"),
        effect=lambda w: not SenderIdRequest.objects.get(pk=w.pk("a_prot")).deletion_protection),
    # Tracking: support staff and admins (the view permission); a limited approver sees their teams only.
    row("senderids:tracking", "-", GET,    LOGIN,  403,    403,    403,    show(200, "a_sup", "b_sup"),
        show_hide(200, ("b_sup",), A_KEYS), show(200, "a_sup", "b_sup")),
    row("senderids:tracking", "-", GET,    LOGIN,  403,    403,    403,    show(200, "a_sup", "b_sup"),
        show_hide(200, ("b_sup",), A_KEYS), show(200, "a_sup", "b_sup"), query="format=csv"),
    row("senderids:tracking", "-", POST,   LOGIN,  403,    403,    403,    200,    200,    200),

    # --- registrations (registrations.urls): the team edits, staff read ---
    row("registrations:detail", "a_reg", GET,  LOGIN, show(200, "a_reg"), 200, 404, 200, 404, 200),
    row("registrations:detail", "a_reg", POST, LOGIN, DONE, DONE,   404,    403,    404,    403,
        data=REG_SAVE, effect=reg_saved("a_reg")),
    row("registrations:detail", "b_reg", GET,  LOGIN, 404,  404,    200,    200,    200,    200),
    row("registrations:detail", "b_reg", POST, LOGIN, 404,  404,    DONE,   403,    403,    403,
        data=REG_SAVE, effect=reg_saved("b_reg")),
    row("registrations:status", "a_reg", GET,  LOGIN, 200,  200,    404,    200,    404,    200),
    row("registrations:status", "a_reg", POST, LOGIN, 200,  200,    404,    200,    404,    200),
    row("registrations:discard", "a_sub", GET, LOGIN, 405,  405,    405,    405,    405,    405),
    row("registrations:discard", "a_sub", POST, LOGIN, DONE, DONE,  404,    403,    404,    403,
        effect=lambda w: Registration.objects.filter(
            pk=w.extra["registrations"]["a_sub"].pk, discard_requested_at__isnull=False
        ).exists()),

    # --- support cases (supportcases.urls): the team answers, staff act with their permission ---
    row("supportcases:detail", "a_sc", GET,    LOGIN, show(200, "a_sc"), 200, 404, 200, 404, 200),
    row("supportcases:detail", "a_sc", POST,   LOGIN, 200,  200,    404,    200,    404,    200),
    row("supportcases:detail", "b_sc", GET,    LOGIN, 404,  404,    200,    200,    200,    200),
    row("supportcases:case_text", "a_sc", GET, LOGIN, 404,  404,    404,    200,    404,    200),
    row("supportcases:case_text", "a_sc", POST, LOGIN, 404, 404,    404,    200,    404,    200),
    row("supportcases:record", "a_sc", GET,    LOGIN, 405,  405,    405,    405,    405,    405),
    row("supportcases:record", "a_sc", POST,   LOGIN, 404,  404,    404,    403,    404,    DONE,
        data=data(reference=NEW_CASE_ID), effect=case_field("a_sc", "case_id", NEW_CASE_ID)),
    row("supportcases:state", "a_sc", GET,     LOGIN, 405,  405,    405,    405,    405,    405),
    row("supportcases:state", "a_sc", POST,    LOGIN, 404,  404,    404,    403,    404,    DONE,
        data=CASE_STATE, effect=case_field("a_sc", "state", CaseState.CUSTOMER_ACTION)),
    row("supportcases:pasted", "a_sc/answer", GET, LOGIN, 405, 405, 405,    405,    405,    405),
    row("supportcases:pasted", "a_sc/answer", POST, LOGIN, 404, 404, 404,   403,    404,    DONE,
        effect=lambda w: SupportCaseCommunication.objects.get(pk=w.extra["answer"].pk).delivery
        == Delivery.PASTED),
    row("supportcases:confirm", "a_res", GET,  LOGIN, 405,  405,    405,    405,    405,    405),
    row("supportcases:confirm", "a_res", POST, LOGIN, 404,  404,    404,    403,    404,    DONE,
        effect=status_is("a_res", Status.ACTIVE)),
    row("supportcases:retry", "a_fail", GET,   LOGIN, 405,  405,    405,    405,    405,    405),
    row("supportcases:retry", "a_fail", POST,  LOGIN, 404,  404,    404,    403,    404,    DONE,
        effect=status_is("a_fail", Status.APPROVED)),
    row("supportcases:answer", "a_sc", GET,    LOGIN, 405,  405,    405,    405,    405,    405),
    row("supportcases:answer", "a_sc", POST,   LOGIN, DONE, DONE,   404,    403,    404,    403,
        data=data(body="Our answer to AWS."), effect=answers_of("a_sc")),
    row("supportcases:documents", "a_new", GET, LOGIN, 405, 405,    405,    405,    405,    405),
    row("supportcases:documents", "a_new", POST, LOGIN, DONE, DONE, 404,    403,    404,    403,
        data=upload, effect=lambda w: SupportCaseDocument.objects.filter(request=w.req["a_new"]).exists()),
    row("supportcases:document", "a_sc/document", GET, LOGIN, 200, 200, 404, 200, 404,    200),
    row("supportcases:document", "a_sc/document", POST, LOGIN, 200, 200, 404, 200, 404,   200),

    # --- the team page (teams.urls): team admins manage members; staff have no team (404) ---
    row("teams:team", "-", GET,            LOGIN,  200,    200,    200,    200,    200,    200),
    row("teams:team", "-", POST,           LOGIN,  403,    DONE,   403,    404,    404,    404,
        data=ADD_NEWCOMER,
        effect=lambda w: Membership.objects.filter(
            team=w.teams["a"], user__username="matrix_newcomer"
        ).exists()),
    row("teams:member_role", "member_a's membership", GET,
                                           LOGIN,  405,    405,    405,    405,    405,    405),
    row("teams:member_role", "member_a's membership", POST,
                                           LOGIN,  403,    DONE,   404,    404,    404,    404,
        data=data(role=Role.ADMIN), effect=member_a_role(Role.ADMIN)),
    row("teams:member_remove", "member_a's membership", GET,
                                           LOGIN,  405,    405,    405,    405,    405,    405),
    row("teams:member_remove", "member_a's membership", POST,
                                           LOGIN,  403,    DONE,   404,    404,    404,    404,
        effect=member_a_role(None)),

    # --- notification settings and the team's webhooks (senderids.urls, integrations_views) ---
    # Everyone with an account sets their own emails (each cell writes only the poster's preference).
    row("senderids:notifications", "-", GET, LOGIN, 200,   200,    200,    200,    200,    200),
    row("senderids:notifications", "-", POST, LOGIN, *[DONE] * 6, data=PREFERENCE,
        effect=lambda w: NotificationPreference.objects.filter(email="none", language="fr").count() == 1),
    # Members read their team's webhooks and log; team admins manage them; staff have no team (404).
    row("senderids:webhooks", "-", GET,    LOGIN,  show(200, "webhook:a"), show(200, "webhook:a"),
        hide(200, "webhook:a"), 404,        404,    404),
    row("senderids:webhooks", "-", POST,   LOGIN,  403,    SHOWN_ONCE, 403,  404,    404,    404,
        data=NEW_WEBHOOK, effect=lambda w: Webhook.objects.filter(url="https://hooks.matrix.example/new").exists()),
    row("senderids:webhook_toggle", "a's webhook", GET,
                                           LOGIN,  405,    405,    405,    405,    405,    405),
    row("senderids:webhook_toggle", "a's webhook", POST,
                                           LOGIN,  403,    DONE,   404,    404,    404,    404,
        effect=webhook_of_a(enabled=False)),
    row("senderids:webhook_rotate", "a's webhook", GET,
                                           LOGIN,  405,    405,    405,    405,    405,    405),
    row("senderids:webhook_rotate", "a's webhook", POST,
                                           LOGIN,  403,    SHOWN_ONCE, 404,  404,    404,    404,
        effect=lambda w: not webhook_of_a(secret="whsec_matrix")(w)),
    row("senderids:webhook_delete", "a's webhook", GET,
                                           LOGIN,  405,    405,    405,    405,    405,    405),
    row("senderids:webhook_delete", "a's webhook", POST,
                                           LOGIN,  403,    DONE,   404,    404,    404,    404,
        effect=lambda w: not webhook_of_a()(w)),
    row("senderids:webhook_resend", "a's delivery", GET,
                                           LOGIN,  405,    405,    405,    405,    405,    405),
    row("senderids:webhook_resend", "a's delivery", POST,
                                           LOGIN,  403,    DONE,   404,    404,    404,    404,
        effect=lambda w: WebhookDelivery.objects.filter(
            pk=w.extra["webhook_delivery"].pk, status=DeliveryStatus.PENDING
        ).exists()),

    # --- the company profile (profiles.urls): members read and download, team admins write; another
    # team's document is 404; staff have no team (the page says so; writes 404) ---
    row("profiles:profile", "-", GET,      LOGIN,  show(200, "profile:a"), show(200, "profile:a"),
        hide(200, "profile:a"), hide(200, "profile:a"), hide(200, "profile:a"), hide(200, "profile:a")),
    row("profiles:profile", "-", POST,     LOGIN,  403,    DONE,   403,    404,    404,    404,
        data=PROFILE_EDIT, effect=profile_of_a(legal_name="Matrix Alpha Renamed", city="Leeds")),
    row("profiles:document_add", "-", GET, LOGIN,  405,    405,    405,    405,    405,    405),
    row("profiles:document_add", "-", POST, LOGIN, 403,    DONE,   403,    404,    404,    404,
        data=vault_upload,
        effect=lambda w: Document.objects.filter(team=w.teams["a"], title="Matrix new letter").exists()),
    row("profiles:document_delete", "a's document", GET,
                                           LOGIN,  403,    200,    404,    404,    404,    404),
    row("profiles:document_delete", "a's document", POST,
                                           LOGIN,  403,    DONE,   404,    404,    404,    404,
        effect=lambda w: not vault_document_of_a(w)),
    row("profiles:document_download", "a's document", GET,
                                           LOGIN,  200,    200,    404,    404,    404,    404),
    row("profiles:document_download", "a's document", POST,
                                           LOGIN,  405,    405,    405,    405,    405,    405),

    # --- the catalogue (countries.urls): everyone ---
    row("countries:list", "-", GET,        200,    200,    200,    200,    200,    200,    200),
    row("countries:list", "-", POST,       405,    405,    405,    405,    405,    405,    405),
    row("countries:detail", "DE", GET,     200,    200,    200,    200,    200,    200,    200),
    row("countries:detail", "DE", POST,    405,    405,    405,    405,    405,    405,    405),
]

# Admin, auth, i18n, /healthz: not enumerated (Django's own URLs), a few explicit rows.
CHANGELIST = "admin:senderids_senderidrequest_changelist"
EXPLICIT = [
    row("healthz", "-", GET,               200,    200,    200,    200,    200,    200,    200),
    row("favicon", "-", GET,               *[Expect(301)] * 7),
    row("login", "-", GET,                 200,    200,    200,    200,    200,    200,    200),
    # Two-factor (optional, staff only): setting it up is for staff; nobody here has a device yet, so
    # the code page sends them on and there is nothing to turn off.
    row("two_factor_setup", "-", GET,      LOGIN,  404,    404,    404,    200,    200,    200),
    row("two_factor_verify", "-", GET,     LOGIN,  *[REDIRECT] * 6),
    row("two_factor_disable", "-", POST,   LOGIN,  404,    404,    404,    404,    404,    404,
        data=data(token="123456")),
    row("logout", "-", POST,               *[LOGIN] * 7),
    row("set_language", "-", POST,         *[REDIRECT] * 7, data=data(language="fr", next="/countries/")),
    row("admin:index", "-", GET,           ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    200,    200),
    # The approval queue (pending_review): a limited approver sees only their teams' requests.
    row(CHANGELIST, "-", GET,              ALOGIN, ALOGIN, ALOGIN, ALOGIN, show(200, "a_pend", "b_pend"),
        show_hide(200, ("b_pend",), ("a_pend",)), show(200, "a_pend", "b_pend")),
    row(CHANGELIST, "-", GET,              ALOGIN, ALOGIN, ALOGIN, ALOGIN, show(200, *A_KEYS),
        show_hide(200, ("b_sup", "b_pend"), A_KEYS), show(200, *A_KEYS), query="status=all"),
    row("admin:senderids_senderidrequest_change", "request a_pend", GET,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    REDIRECT, 200),
    row("admin:senderids_senderidrequest_change", "request b_pend", GET,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    200,    200),
    # Approve / reject / release on behalf through the changelist's actions.
    row(CHANGELIST, "-", POST,             ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    REDIRECT, DONE,
        label="approve a_pend", data=action("approve", "request", "a_pend"),
        effect=status_is("a_pend", Status.APPROVED)),
    row(CHANGELIST, "-", POST,             ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    DONE,   DONE,
        label="approve b_pend", data=action("approve", "request", "b_pend"),
        effect=status_is("b_pend", Status.APPROVED)),
    row(CHANGELIST, "-", POST,             ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    REDIRECT, DONE,
        label="reject a_pend",
        data=action("reject_with_reason", "request", "a_pend", apply="1", reason="Not this one."),
        effect=status_is("a_pend", Status.REJECTED)),
    row(CHANGELIST, "-", POST,             ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    REDIRECT, DONE,
        label="release_on_behalf a_sup", query="status=active",
        data=action("release_on_behalf", "request", "a_sup", apply="1", note=""),
        effect=status_is("a_sup", Status.RELEASING)),
    row("admin:supportcases_supportcase_changelist", "-", POST,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    200,    DONE,
        label="confirm a_res", data=action("confirm_support_cases", "case", "a_res"),
        effect=status_is("a_res", Status.ACTIVE)),
    # What a limited approver must not see of another team's requests elsewhere in the admin.
    row("admin:registrations_registration_change", "registration a_reg", GET,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    REDIRECT, 200),
    row("admin:registrations_registration_change", "registration b_reg", GET,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    200,    200),
    row("admin:supportcases_supportcase_change", "case a_sc", GET,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    REDIRECT, 200),
    row("admin:supportcases_supportcase_change", "case b_sc", GET,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    200,    200),
    row("admin:registrations_registration_changelist", "-", GET,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, show(200, "a_reg", "b_reg"),
        show_hide(200, ("b_reg",), ("a_reg", "a_sub")), show(200, "a_reg", "b_reg")),
    row("admin:supportcases_supportcase_changelist", "-", GET,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, show(200, "a_sc", "b_sc"),
        show_hide(200, ("b_sc",), ("a_sc", "a_res", "a_fail")), show(200, "a_sc", "b_sc")),
    row("admin:supportcases_supportcasedocument_changelist", "-", GET,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, show(200, "a_sc"),
        hide(200, "a_sc"), show(200, "a_sc")),
    row("admin:senderids_statusevent_changelist", "-", GET,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, show(200, "a_sup", "b_sup"),
        show_hide(200, ("b_sup",), ("a_sup",)), show(200, "a_sup", "b_sup")),
    # The audit log spans every team: global readers (support staff, superusers), not a limited approver.
    row("admin:audit_auditentry_changelist", "-", GET,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    403,    200),
    row("admin:audit_auditentry_export", "-", GET,
                                           ALOGIN, ALOGIN, ALOGIN, ALOGIN, 200,    403,    200),
]
# fmt: on
MATRIX = PORTAL + EXPLICIT


# --- app bugs: the answer differs from what the rules imply (strict xfail: fixing one fails here) ---------
# Keyed by (row id, persona); the row id is the test id without the persona.
# App bugs the matrix found, kept here as strict xfails until fixed (all fixed so far: empty).
KNOWN_BUGS: dict[tuple[str, str], str] = {}


# --- the cells ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    row: Row
    persona: str

    @property
    def expect(self) -> Expect:
        return self.row.expect[self.persona]

    @property
    def id(self) -> str:
        return f"{self.row.id} {self.persona}"


def _cells() -> list[Any]:
    params = []
    for r in MATRIX:
        for persona in PERSONAS:
            cell = Cell(r, persona)
            bug = KNOWN_BUGS.get((r.id, persona))
            marks = [pytest.mark.xfail(strict=True, reason=f"BUG: {bug}")] if bug else []
            params.append(pytest.param(cell, id=cell.id, marks=marks))
    ids = [p.id for p in params]
    assert len(ids) == len(set(ids)), "two rows of the matrix have the same id: give one a label"
    unknown = set(KNOWN_BUGS) - {(r.id, p) for r in MATRIX for p in PERSONAS}
    assert not unknown, f"KNOWN_BUGS entries that are no cell of the matrix: {unknown}"
    return params


def needle(w: World, key: str) -> str:
    """What a page shows of `key`: a request's sender ID, or (``release-link:<key>``) its release link."""
    if key.startswith("release-link:"):
        return f'href="{reverse("senderids:release", args=[w.pk(key.split(":", 1)[1])])}"'
    if key == "webhook:a":
        return WEBHOOK_URL
    if key == "profile:a":
        return PROFILE_A
    return SENDER_IDS[key]


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("cell", _cells())
def test_permission_matrix(cell: Cell, world: World, client) -> None:
    expect, user = cell.expect, world.users[cell.persona]
    if user is not None:
        client.force_login(user)
    path = cell.row.path(world)
    before = fingerprint()
    if cell.row.method == GET:
        response = client.get(path)
    else:
        response = client.post(path, cell.row.data(world) if cell.row.data else {})
    after = fingerprint()

    assert response.status_code == expect.status, (
        f"{cell.row.method} {path} as {cell.persona}: got {response.status_code} "
        f"(Location: {response.get('Location', '-')}), expected {expect}"
    )
    location = response.get("Location", "")
    portal_login, admin_login = resolve_url(settings.LOGIN_URL), reverse("admin:login")
    if expect.login == "portal":
        assert location.startswith(portal_login), location
    elif expect.login == "admin":
        assert location.startswith(admin_login), location
    elif expect.status == 302:
        assert not location.startswith((portal_login, admin_login)), location
    if expect.shows or expect.hides:
        body = _body(response)
        for key in expect.shows:
            assert needle(world, key) in body, f"{needle(world, key)} ({key}) missing from {path}"
        for key in expect.hides:
            assert needle(world, key) not in body, f"{needle(world, key)} ({key}) shown at {path}"
    if expect.wrote:
        assert cell.row.effect is not None and cell.row.effect(world), "the action's write did not happen"
    else:
        assert after == before, f"{cell.row.method} {path} as {cell.persona} changed the database"


# --- the matrix covers every portal URL -----------------------------------------------------------------
EXCLUDED_PREFIXES = (settings.ADMIN_URL, "accounts/", "i18n/", "healthz", "favicon.ico")


def _portal_patterns(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> list:
    """(qualified name, route) of every URL pattern outside admin, auth, i18n and /healthz."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if not prefix and route.startswith(EXCLUDED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _portal_patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            found.append((f"{namespace}{entry.name}" if entry.name else f"<unnamed {route}>", route))
    return found


def test_every_portal_url_is_in_the_matrix() -> None:
    patterns = _portal_patterns()
    assert len(patterns) >= 20  # the enumeration itself works
    covered = {(r.url, r.method) for r in PORTAL}
    missing = [
        f"{method} {name} ({route})"
        for name, route in patterns
        for method in (GET, POST)
        if (name, method) not in covered
    ]
    assert not missing, f"URL patterns the permission matrix does not cover: {missing}"
    names = {name for name, _route in patterns}
    stale = sorted({r.url for r in PORTAL} - names)
    assert not stale, f"matrix rows for URLs that no longer exist: {stale}"


def test_the_personas_are_who_the_matrix_says(world: World) -> None:
    users = world.users
    assert not users["member_a"].is_staff and not users["admin_a"].is_staff
    assert Membership.objects.get(team=world.teams["a"], user=users["member_a"]).role == Role.MEMBER
    assert Membership.objects.get(team=world.teams["a"], user=users["admin_a"]).role == Role.ADMIN
    assert Membership.objects.get(team=world.teams["b"], user=users["member_b"]).role == Role.MEMBER
    support = get_user_model().objects.get(pk=users["support"].pk)
    approver = get_user_model().objects.get(pk=users["approver_b"].pk)
    assert support.is_staff and not support.has_perm("senderids.approve_senderidrequest")
    assert support.has_perm("senderids.view_senderidrequest")
    assert approver.is_staff and approver.has_perm("senderids.approve_senderidrequest")
    assert list(approver.approver_scope.teams.all()) == [world.teams["b"]]
    assert users["superuser"].is_superuser
    assert all(world.req[k].team == world.teams["a"] for k in A_KEYS)
