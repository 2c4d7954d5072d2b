"""Hostile input, generated (hypothesis): every form, wizard step, list filter, search box, admin action
and JSON endpoint, by every persona, with and without CSRF. Never a 500, never markup echoed unescaped,
never a formula in the CSV export, never a partial request. tests/security/fuzz_support.py has the
payloads; the run prints how many were sent (tests/security/conftest.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from senderids.choices import Status
from senderids.models import SenderIdRequest
from tests.factories import SenderIdRequestFactory
from tests.process_factories import SupportCaseFactory
from tests.senderids.release_support import active_request
from tests.senderids.wizard_support import ANSWERS, MANAGEMENT_FIELD, WizardDriver, step_url

from .fuzz_support import (
    FUZZ_SETTINGS,
    FUZZ_STATS,
    check_answer,
    check_no_partial_request,
    examples_for,
    form,
    text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, scope="module")
def _payload_figures(reliability_report):
    """The reliability table's hostile-payload figures (tests/reliability/report.py): what this module
    sent, counted by check_answer, 500s included — recorded even when a test failed on one."""
    before = FUZZ_STATS.copy()
    yield
    reliability_report.payloads(
        tried=FUZZ_STATS["payloads"] - before["payloads"],
        answered_500=FUZZ_STATS["500s"] - before["500s"],
    )


_NAMES = re.compile(r'name="([^"]+)"')
_QUERY_KEYS = re.compile(r'href="\?([^"#]*)"')


def field_names(html: str) -> list[str]:
    return sorted({name for name in _NAMES.findall(html) if name != "csrfmiddlewaretoken"})


def query_keys(html: str) -> list[str]:
    """The parameters of a page's own filter links (`href="?status=all&amp;process__exact=x"`)."""
    keys = set()
    for query in _QUERY_KEYS.findall(html):
        for pair in query.replace("&amp;", "&").split("&"):
            if pair:
                keys.add(pair.split("=", 1)[0])
    return sorted(keys)


def attack_each(targets: list, examples: Callable[[Any], int] | int, attack) -> None:
    """`attack(target, data)` with a fixed number of generated payloads for every target (so a rarely
    drawn page is attacked as hard as the others): `examples`, or `examples(target)`."""
    for target in targets:
        _fuzz_one(target, examples(target) if callable(examples) else examples, attack)


def _fuzz_one(target: Any, examples: int, attack) -> None:
    @settings(FUZZ_SETTINGS, max_examples=examples)
    @given(data=st.data())
    def run(data):
        attack(target, data)

    run()


def send(client: Client, method: str, url: str, data: dict[str, Any], who: str) -> Any:
    response = client.get(url, data) if method == "GET" else client.post(url, data)
    check_answer(response, f"{who} {method} {url} {data!r}")
    return response


@pytest.fixture
def world(owner, stranger, staff_user, admin_user_, countries, make_request, definitions, settings):
    """Every persona logged in on its own client, and a request in each state the pages need."""
    settings.AXES_FAILURE_LIMIT = 10**6  # the login form is attacked too: no lockout halfway through
    users = {"owner": owner, "stranger": stranger, "staff": staff_user, "admin": admin_user_}
    clients = {"anonymous": Client(raise_request_exception=False)}
    for name, user in users.items():
        # A 500 comes back as an answer (counted, its traceback logged) rather than an exception.
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
    ids = {
        "pending": SenderIdRequestFactory(owner=owner, country=countries["DE"]).pk,
        "failed": SenderIdRequestFactory(owner=owner, country=countries["DE"], status=Status.FAILED).pk,
        "active": active_request(owner, sender_id="ACMEACTIVE").pk,
        "registration": make_request("IN", "EXMPLE").pk,
        "support_case": SupportCaseFactory(request__owner=owner).request_id,
    }
    first_pk = SenderIdRequest.objects.aggregate(m=Max("pk"))["m"]  # requests after it: the payloads'
    return {"clients": clients, "ids": ids, "first_pk": first_pk}


# --- the portal's pages, forms and JSON endpoints --------------------------------------------------
def portal_targets(ids: dict[str, int]) -> list[tuple[str, str, str, list[str]]]:
    """(persona, method, url, fields) of every page that reads input outside admin and the wizard."""
    active, registration, case = ids["active"], ids["registration"], ids["support_case"]
    filters = ["q", "status", "country", "date_from", "date_to", "page", "sort"]
    return [
        ("anonymous", "GET", "/countries/", ["q", "process", "sort"]),
        ("anonymous", "POST", "/accounts/login/", ["username", "password", "next"]),
        ("anonymous", "POST", "/i18n/setlang/", ["language", "next"]),
        ("anonymous", "GET", "/healthz", ["format"]),
        ("owner", "GET", "/", ["page", "status", "q"]),
        ("owner", "GET", "/sender-ids/mine/", ["page", "q"]),
        ("owner", "GET", f"/sender-ids/{active}/", ["x"]),
        ("owner", "POST", f"/sender-ids/{active}/release/", ["confirmation", "action"]),
        ("owner", "POST", f"/sender-ids/{active}/release/deletion-protection/", ["confirm", "action"]),
        ("stranger", "POST", f"/sender-ids/{active}/release/", ["confirmation", "action"]),
        ("owner", "GET", f"/registrations/{registration}/status/", ["x"]),
        ("owner", "POST", f"/registrations/{registration}/discard/", ["confirm"]),
        ("owner", "GET", f"/support-cases/{case}/", ["x"]),
        ("owner", "POST", f"/support-cases/{case}/confirm/", ["confirm"]),
        ("staff", "POST", f"/support-cases/{case}/confirm/", ["confirm"]),
        ("staff", "GET", "/tracking/", filters),
        ("staff", "GET", "/tracking/", [*filters, "format"]),
        ("stranger", "GET", "/tracking/", ["q"]),
        # Two-factor (config/two_factor.py) and the audit log's CSV export.
        ("staff", "POST", "/accounts/two-factor/", ["start", "token", "next"]),
        ("staff", "POST", "/accounts/two-factor/verify/", ["token", "next"]),
        ("staff", "POST", "/accounts/two-factor/disable/", ["token"]),
        ("owner", "POST", "/accounts/two-factor/", ["start", "token"]),
        ("admin", "GET", "/admin/audit/auditentry/export/", ["action", "source", "q", "created_at__gte"]),
    ]


def test_portal_pages_survive_hostile_input(world):
    def attack(target, data):
        persona, method, url, fields = target
        payload = data.draw(form(fields))
        if fields[-1] == "format":
            payload["format"] = "csv"
        send(world["clients"][persona], method, url, payload, persona)

    attack_each(portal_targets(world["ids"]), lambda target: examples_for(target[3]), attack)
    assert SenderIdRequest.objects.get(pk=world["ids"]["active"]).status == Status.ACTIVE
    check_no_partial_request(world["first_pk"])


def test_the_registration_form_survives_hostile_input(world):
    owner, staff = world["clients"]["owner"], world["clients"]["staff"]
    url = reverse("registrations:detail", kwargs={"pk": world["ids"]["registration"]})
    fields = [*field_names(send(owner, "GET", url, {}, "owner").content.decode()), "action", "aws_review"]
    assert len(fields) > 10

    def attack(who, data):
        payload = data.draw(form(fields))
        payload.setdefault("action", data.draw(st.sampled_from(["save", "submit", "discard"])))
        send(world["clients"][who], "POST", url, payload, who)

    attack_each(["owner", "owner", "owner", "staff", "stranger"], 16, attack)
    # Whatever was saved as a draft comes back escaped, on the form and in admin.
    send(owner, "GET", url, {}, "owner")
    send(staff, "GET", url, {}, "staff")
    check_no_partial_request(world["first_pk"])


def test_every_wizard_step_survives_hostile_input(world):
    owner = world["clients"]["owner"]
    WizardDriver(owner).walk("country", "use-case", "sender")  # the session holds real answers

    def attack(target, data):
        step, method = target
        fields = [*ANSWERS[step], MANAGEMENT_FIELD, "wizard_goto_step", "q"]
        payload = data.draw(form(fields))
        if data.draw(st.booleans()):
            payload.setdefault(MANAGEMENT_FIELD, step)  # a well-formed step, hostile answers
        send(owner, method, step_url(step), payload, "owner")

    targets = [(step, method) for step in ANSWERS for method in ("POST", "GET")]
    attack_each(targets, lambda target: examples_for([*ANSWERS[target[0]], "q", "x", "y"]), attack)
    check_no_partial_request(world["first_pk"])


# --- admin: every changelist's filters and search, every action, the editable form ---------------------
def changelists() -> list[tuple[str, str]]:
    return sorted(
        (model._meta.label, reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        for model in admin.site._registry
    )


def model_lookups(model) -> list[str]:
    """Lookups a changelist accepts on any of the model's own fields, though no link of it has them."""
    keys = []
    for field in model._meta.concrete_fields:
        lookups = ["exact", "in", "range", "isnull", "gt", "regex", "icontains"]
        if field.get_internal_type() in ("DateTimeField", "DateField"):
            lookups += ["year", "month", "day", "date", "gte", "hour"]
        keys += [f"{field.name}__{lookup}" for lookup in lookups]
    return keys


def test_every_admin_changelist_filter_and_search_survives_hostile_input(world):
    staff_and_admin = world["clients"]["admin"]
    targets = []
    for label, url in changelists():
        html = send(staff_and_admin, "GET", url, {"status": "all"}, "admin").content.decode()
        keys = [*query_keys(html), "q", "o", "p", "e", "all", "_to_field", "_popup"]
        keys += model_lookups(apps.get_model(label))
        targets.append((url, keys))

    def attack(target, data):
        url, keys = target
        who = data.draw(st.sampled_from(["admin", "admin", "staff"]))
        send(world["clients"][who], "GET", url, data.draw(form(keys)), who)

    attack_each(targets, lambda target: examples_for(target[1]), attack)


def test_every_admin_action_survives_hostile_input(world, admin_user_, rf):
    ids = world["ids"]
    as_admin = rf.get("/")
    as_admin.user = admin_user_
    targets = []
    for model, model_admin in admin.site._registry.items():
        actions = list(model_admin.get_actions(as_admin))
        if actions:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            targets.append((url, actions))
    real_ids = [str(pk) for pk in ids.values()]
    extra = ["reason", "note", "turn_off_protection", "apply", "post", "index", "select_across"]

    def attack(target, data):
        url, action = target
        who = data.draw(st.sampled_from(["admin", "admin", "admin", "staff"]))
        payload = data.draw(form(extra))
        payload["action"] = action if data.draw(st.integers(0, 4)) else data.draw(text)
        payload["_selected_action"] = data.draw(
            st.lists(st.one_of(st.sampled_from(real_ids), text), min_size=1, max_size=4)
        )
        send(world["clients"][who], "POST", url + "?status=all", payload, who)

    attack_each([(url, action) for url, actions in targets for action in actions], 8, attack)
    check_no_partial_request(world["first_pk"])


def test_the_country_admin_form_survives_hostile_input_and_stores_nothing_unescaped(world):
    admin_client = world["clients"]["admin"]
    url = reverse("admin:countries_country_change", args=["DE"])
    fields = field_names(send(admin_client, "GET", url, {}, "admin").content.decode())

    def attack(who, data):
        send(world["clients"][who], "POST", url, data.draw(form(fields)), who)

    attack_each(["admin", "admin", "staff"], 20, attack)
    # What an admin managed to save is shown escaped on the public catalogue and in admin.
    for page in ("/countries/", reverse("admin:countries_country_changelist"), url):
        send(admin_client, "GET", page, {}, "admin")


# --- CSRF: missing, forged, or another session's token -----------------------------------------------
def test_posts_without_a_valid_csrf_token_are_refused_never_a_500(world, owner, admin_user_):
    ids = world["ids"]
    posts = [("owner", url, fields) for _who, method, url, fields in portal_targets(ids) if method == "POST"]
    posts += [("owner", step_url(step), list(ANSWERS[step])) for step in ANSWERS]
    posts += [("admin", url, ["action", "_selected_action"]) for _label, url in changelists()]
    browsers = {"owner": Client(enforce_csrf_checks=True), "admin": Client(enforce_csrf_checks=True)}
    browsers["owner"].force_login(owner)
    browsers["admin"].force_login(admin_user_)
    other = Client(enforce_csrf_checks=True)
    other.get("/accounts/login/")
    foreign_token = other.cookies["csrftoken"].value

    def attack(target, data):
        who, url, fields = target
        payload = data.draw(form(fields))
        token = data.draw(st.sampled_from([None, "", "x" * 64, foreign_token, "\x00" * 32]))
        headers = {}
        if token is not None:
            if data.draw(st.booleans()):
                payload["csrfmiddlewaretoken"] = token
            else:
                headers["HTTP_X_CSRFTOKEN"] = token
        response = browsers[who].post(url, payload, **headers)
        check_answer(response, f"{who} POST {url} {payload!r} csrf={token!r}")
        assert response.status_code in (400, 403), (url, response.status_code)

    attack_each(posts, 4, attack)
    assert SenderIdRequest.objects.get(pk=ids["active"]).status == Status.ACTIVE
    assert SenderIdRequest.objects.get(pk=ids["pending"]).status == Status.PENDING_REVIEW
