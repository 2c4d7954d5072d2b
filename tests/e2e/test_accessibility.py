"""axe-core on every page of the portal, in English and in French, as the persona who uses it (business
user, team member, support staff, approver, superuser, anonymous); every page is also saved as a
full-page screenshot.

A page fails on any axe violation of impact "serious" or "critical" (rule, impact, targets and page are
printed). axe-core comes from npm (`make test` installs it into .cache/node; AXE_CORE_PATH points
elsewhere). Screenshots go to test-results/screenshots/<lang>/<page>.png (A11Y_SCREENSHOT_DIR changes
the folder).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from senderids.choices import Status
from senderids.models import Webhook
from senderids.services.batches import BatchChild, batch_create
from teams.models import Role
from teams.services import SUPPORT_STAFF, membership_set, portal_groups_ensure
from tests.catalogue import ensure_batch_countries, team_in_ireland_and_mumbai
from tests.factories import UserFactory
from tests.process_factories import SupportCaseFactory, SupportCaseRequestFactory
from tests.registrations.conftest import definitions, make_request, sim  # noqa: F401
from tests.senderids.pipeline_support import approver  # noqa: F401
from tests.senderids.release_support import active_request
from tests.senderids.wizard_support import ANSWERS

from .test_wizard_e2e import at_step

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("AXE_CORE_PATH", ROOT / ".cache/node/node_modules/axe-core/axe.min.js"))
SCREENSHOTS = Path(os.environ.get("A11Y_SCREENSHOT_DIR", ROOT / "test-results/screenshots"))
LANGUAGES = ["en", "fr"]
FAILING_IMPACTS = {"serious", "critical"}

# Rules switched off on Django admin pages only, each for markup of Django's own admin templates that
# the portal does not own (none so far).
ADMIN_DISABLED_RULES: list[str] = []

RUN_AXE = """async (disabled) => {
  const rules = Object.fromEntries(disabled.map((id) => [id, {enabled: false}]));
  const result = await axe.run(document, {resultTypes: ["violations"], rules});
  const describe = (node) => {
    const data = (node.any[0] || {}).data || {};  // colour-contrast: the colours and their ratio
    const colours = data.contrastRatio ? ` [${data.fgColor} on ${data.bgColor}: ${data.contrastRatio}]` : "";
    return node.target.join(" ") + colours;
  };
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 8).map(describe), count: v.nodes.length,
  }));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI: the accessibility tests need axe-core at {AXE} (make test installs it)")
        pytest.skip(f"axe-core not installed at {AXE} (make test installs it with npm)")
    return AXE.read_text()


@dataclass
class Audit:
    """Runs axe on each page visited and saves its screenshot; `assert_clean()` fails on what it found."""

    axe_source: str = field(repr=False)
    lang: str
    browser_problems: list[str] = field(repr=False)
    problems: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)

    def check(self, page: Page, name: str, *, admin: bool = False) -> None:
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", re.compile(rf"^{self.lang}"))
        folder = SCREENSHOTS / self.lang
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        # Evaluated, not a <script> tag: the portal's Content-Security-Policy refuses inline scripts.
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate("() => {\n" + self.axe_source + "\n}")
        before = len(self.browser_problems)
        violations = page.evaluate(RUN_AXE, ADMIN_DISABLED_RULES if admin else [])
        # axe's own probing of the admin's change form trips the Content-Security-Policy's style-src (the
        # page without axe does not): those console errors are axe's, not the page's.
        page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")
        self.browser_problems[before:] = [
            p for p in self.browser_problems[before:] if "Applying inline style violates" not in p
        ]
        self.seen.append(name)
        for v in violations:
            if v["impact"] in FAILING_IMPACTS:
                targets = ", ".join(v["targets"]) + (" …" if v["count"] > len(v["targets"]) else "")
                self.problems.append(
                    f"[{self.lang}] {name} ({page.url}): {v['id']} ({v['impact']}) {v['help']} — {targets}"
                )

    def assert_clean(self) -> None:
        assert self.seen
        assert not self.problems, "axe violations (serious/critical):\n" + "\n".join(self.problems)


@pytest.fixture(params=LANGUAGES)
def audit(request, axe_source, browser_problems) -> Audit:
    return Audit(axe_source=axe_source, lang=request.param, browser_problems=browser_problems)


def goto_error(page: Page, path: str, status: int, browser_problems: list[str]) -> None:
    """Open a page that answers `status` on purpose: Chromium's console error for it is no problem."""
    response = page.goto(path)
    assert response.status == status, (path, response.status)
    expected = f"status of {status} "
    browser_problems[:] = [p for p in browser_problems if not (expected in p and p.endswith(path))]


def open_in(page: Page, lang: str, path: str) -> Page:
    """Open `path`; for French, first through the language switch in the footer (the site's own)."""
    if lang != "en":
        page.goto("/countries/")
        footer = page.locator("footer")
        footer.locator("#language").select_option(lang)
        footer.get_by_role("button").click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
    page.goto(path)
    return page


# --- the portal's data: one of each thing a page shows ---------------------------------------------
@dataclass
class Portal:
    active: object
    registration: object
    support_case: object
    batch: object
    member: object


@pytest.fixture
def portal(owner, countries, definitions, make_request) -> Portal:  # noqa: F811
    ensure_batch_countries()
    team = team_in_ireland_and_mumbai(owner)
    member = UserFactory(username="mia")
    membership_set(team=team, user=member, role=Role.MEMBER)
    active = active_request(owner, "ACMEBANK", "DE", team=team)
    registration = make_request("IN", "EXMPLE", team=team)
    case_request = SupportCaseRequestFactory(owner=owner, team=team, status=Status.SUPPORT_CASE_OPEN)
    support_case = SupportCaseFactory(request=case_request).request
    batch = batch_create(
        owner=owner,
        team=team,
        children=[BatchChild(country=countries[iso], sender_id="INFO") for iso in ("DE", "AT", "SG")],
        message_type="TRANSACTIONAL",
    )
    Webhook.objects.create(team=team, url="https://hooks.acme.example/sms", secret="s3cret", created_by=owner)
    return Portal(active, registration, support_case, batch, member)


def grant_group(user, name: str):
    """`user` in the portal's group `name` (Support staff: every view_* permission), a fresh instance."""
    from django.contrib.auth.models import Group

    portal_groups_ensure()
    user.groups.add(Group.objects.get(name=name))
    return type(user).objects.get(pk=user.pk)


# --- the wizard, driven by field names (the same in both languages) ---------------------------------
def fill(page: Page, answers: dict) -> None:
    for name, value in answers.items():
        values = value if isinstance(value, list) else [value]
        field_ = page.locator(f"form.wizard-form [name='{name}']")
        kind = field_.first.evaluate("node => node.tagName + ':' + (node.type || '')")
        if kind.startswith("SELECT"):
            field_.select_option(values)
        elif kind in ("INPUT:radio", "INPUT:checkbox"):
            for v in values:
                page.locator(f"form.wizard-form [name='{name}'][value='{v}']").check()
        else:
            field_.fill(values[0])


def next_step(page: Page, step: str) -> None:
    page.locator("form.wizard-form button[name=wizard_next]").click()
    at_step(page, step)


def wizard_to_sender(page: Page, audit: Audit, isos: list[str], name: str) -> None:
    at_step(page, "country")
    select = page.locator("#id_country-country")
    for iso in isos[:-1]:
        select.select_option(iso)
        page.locator("#add-country").click()
        expect(page.locator(f"#country-chips li.chip[data-iso={iso}]")).to_have_count(1)
    select.select_option(isos[-1])
    expect(page.locator("#country-details")).to_be_visible()
    audit.check(page, f"wizard-country-{name}")
    next_step(page, "use-case")
    if name == "chips":
        audit.check(page, "wizard-use-case")
    fill(page, ANSWERS["use-case"])
    next_step(page, "sender")


# --- the tests ---------------------------------------------------------------------------------------
def test_business_user_pages(audit, logged_in_page, owner, portal, browser_problems):
    page = open_in(logged_in_page(owner), audit.lang, "/")
    audit.check(page, "home")

    # The wizard: several countries (chips), then one country with each process's last step.
    page.goto("/sender-ids/request/")
    wizard_to_sender(page, audit, ["DE", "IN", "SG"], "chips")
    audit.check(page, "wizard-sender-several-countries")
    fill(page, {"sender-sender_type": "sender_id", "sender-sender_id": "ACMEX"})
    next_step(page, "review")
    audit.check(page, "wizard-review-several-countries")

    for iso, sender, last in (("IN", "ACMEIN", "registration"), ("VN", "ACMEVN", "support-case")):
        wizard_page = open_in(logged_in_page(owner), audit.lang, "/sender-ids/request/")
        wizard_to_sender(wizard_page, audit, [iso], f"single-{iso}")
        if iso == "IN":
            audit.check(wizard_page, "wizard-sender-single-country")
        fill(wizard_page, {"sender-sender_type": "sender_id", "sender-sender_id": sender})
        next_step(wizard_page, "review")
        if iso == "IN":
            audit.check(wizard_page, "wizard-review-single-country")
        next_step(wizard_page, last)
        audit.check(wizard_page, f"wizard-{last}")
        wizard_page.context.close()

    pages = {
        "request-detail": f"/sender-ids/{portal.active.pk}/",
        "batch": f"/sender-ids/batches/{portal.batch.pk}/",
        "my-sender-ids": "/sender-ids/mine/",
        "release": f"/sender-ids/{portal.active.pk}/release/",
        "registration-form": f"/registrations/{portal.registration.pk}/",
        "support-case": f"/support-cases/{portal.support_case.pk}/",
        "profile": "/profile/",
        "team": "/team/",
        "webhooks": "/team/webhooks/",
        "notifications": "/notifications/",
        "countries": "/countries/",
        "country-detail": "/countries/IN/",
        "import": "/sender-ids/import/",
    }
    for name, path in pages.items():
        page.goto(path)
        audit.check(page, name)

    page.locator("main input[type=file]").set_input_files(
        files=[
            {
                "name": "sender-ids.csv",
                "mimeType": "text/csv",
                "buffer": b"country,sender_id,message_type,region\r\nDE,ZQAA,TRANSACTIONAL,\r\n"
                b"Atlantis,ZQAB,TRANSACTIONAL,\r\nIN,ACME12,TRANSACTIONAL,\r\n",
            }
        ]
    )
    page.locator("main button[type=submit].primary").click()
    expect(page.locator("tr[data-line]")).to_have_count(3)
    audit.check(page, "import-preview")

    goto_error(page, "/sender-ids/999999/", 404, browser_problems)
    audit.check(page, "404")
    audit.assert_clean()


def test_team_member_forbidden_page(audit, logged_in_page, portal, browser_problems):
    page = open_in(logged_in_page(portal.member), audit.lang, "/")
    goto_error(page, f"/sender-ids/{portal.active.pk}/release/", 403, browser_problems)
    expect(page.locator("#reason")).to_have_count(1)  # the portal's 403 page
    audit.check(page, "403")
    audit.assert_clean()


def test_anonymous_pages(audit, new_page, portal):
    page = open_in(new_page(), audit.lang, "/accounts/login/")
    audit.check(page, "login")
    page.goto("/countries/DE/")
    audit.check(page, "country-detail-anonymous")
    audit.assert_clean()


def test_support_staff_pages(audit, logged_in_page, staff_user, portal):
    support = grant_group(staff_user, SUPPORT_STAFF)
    page = open_in(logged_in_page(support), audit.lang, "/tracking/")
    audit.check(page, "tracking")
    page.goto(f"/sender-ids/{portal.active.pk}/")
    audit.check(page, "request-detail-staff")
    page.goto(f"/support-cases/{portal.support_case.pk}/")
    audit.check(page, "support-case-staff")
    page.goto(reverse("admin:index"))
    audit.check(page, "admin-index-staff", admin=True)
    page.goto(reverse("admin:audit_auditentry_changelist"))
    audit.check(page, "admin-audit-log", admin=True)
    # Two-factor set-up: the start button, then the QR code, the key and the code field.
    page.goto(reverse("two_factor_setup"))
    audit.check(page, "two-factor-start")
    page.locator("button[name=start]").click()
    page.wait_for_selector("img[src^='data:image/svg+xml']")
    audit.check(page, "two-factor-setup")
    audit.assert_clean()


def test_approver_pages(audit, logged_in_page, approver, portal):  # noqa: F811
    page = open_in(logged_in_page(approver), audit.lang, f"/sender-ids/batches/{portal.batch.pk}/")
    audit.check(page, "batch-approver")
    page.goto(reverse("admin:index"))
    audit.check(page, "admin-index-approver", admin=True)
    page.goto(reverse("admin:senderids_senderidrequest_changelist"))
    audit.check(page, "admin-request-changelist-approver", admin=True)
    audit.assert_clean()


def test_superuser_admin_pages(audit, logged_in_page, admin_user_, portal):
    page = open_in(logged_in_page(admin_user_), audit.lang, reverse("admin:index"))
    audit.check(page, "admin-index", admin=True)
    page.goto(reverse("admin:senderids_senderidrequest_changelist") + "?status=all")
    audit.check(page, "admin-request-changelist", admin=True)
    page.goto(reverse("admin:senderids_senderidrequest_change", args=[portal.active.pk]))
    audit.check(page, "admin-request-change", admin=True)
    audit.assert_clean()
