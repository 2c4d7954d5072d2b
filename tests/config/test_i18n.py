"""French translation: the catalogue is complete and compiled, and key pages render in French.

CI has no gettext tools and no polib, so the .po is parsed here with a small reader and the
committed .mo is read with Python's gettext module.
"""

from __future__ import annotations

import ast
import gettext
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.catalogue import ensure_test_countries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
FR_DIR = ROOT / "locale" / "fr" / "LC_MESSAGES"
PO_PATH = FR_DIR / "django.po"
MO_PATH = FR_DIR / "django.mo"


@dataclass
class PoEntry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def _unquote(text: str) -> str:
    """One "..." line of a .po file (C escapes: \\n, \\", \\\\, \\t)."""
    return ast.literal_eval(text.strip())


def parse_po(path: Path) -> list[PoEntry]:
    """A minimal .po reader: enough for the files `makemessages` writes."""
    entries: list[PoEntry] = []
    entry = PoEntry()
    target: tuple[str, int | None] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, target, started
        if started:
            entries.append(entry)
        entry, target, started = PoEntry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            keyword, value = match.group(1), _unquote(match.group(3))
            index = int(match.group(2)) if match.group(2) is not None else None
            if keyword == "msgid" and started and entry.msgstr:
                finish()  # entries not separated by a blank line
            started = True
            target = (keyword, index)
        elif line.startswith('"') and target is not None:
            keyword, index, value = target[0], target[1], _unquote(line)
        else:
            raise AssertionError(f"{path}: cannot parse line {raw!r}")
        if keyword == "msgid":
            entry.msgid += value
        elif keyword == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif keyword == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        else:
            slot = index if index is not None else 0
            entry.msgstr[slot] = entry.msgstr.get(slot, "") + value
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[PoEntry]:
    return [e for e in parse_po(PO_PATH) if not e.obsolete and e.msgid != ""]


@pytest.fixture(scope="module")
def mo_catalog() -> dict[object, str]:
    with MO_PATH.open("rb") as fp:
        return gettext.GNUTranslations(fp)._catalog  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


# --- the catalogue --------------------------------------------------------------------------


def test_french_is_configured():
    assert ("fr", "Français") in [(code, str(name)) for code, name in settings.LANGUAGES]
    assert ROOT / "locale" in [Path(p) for p in settings.LOCALE_PATHS]
    assert PO_PATH.is_file() and MO_PATH.is_file()


def test_po_header_declares_french_plural_rule():
    header = next(e for e in parse_po(PO_PATH) if e.msgid == "")
    assert "fuzzy" not in header.flags
    assert "Language: fr\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header.msgstr[0]


def test_po_has_entries(po_entries):
    assert len(po_entries) > 100
    assert any(e.msgid_plural for e in po_entries)


def test_po_has_no_fuzzy_entries(po_entries):
    fuzzy = [e.msgid for e in po_entries if "fuzzy" in e.flags]
    assert fuzzy == []


def test_po_has_no_untranslated_entries(po_entries):
    untranslated = []
    for e in po_entries:
        forms = 2 if e.msgid_plural else 1
        if any(not e.msgstr.get(i) for i in range(forms)):
            untranslated.append(e.msgid)
    assert untranslated == []


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|<[^>]+>")


def test_translations_keep_placeholders_and_markup(po_entries):
    broken = []
    for e in po_entries:
        if e.msgid_plural:
            expected = set(PLACEHOLDER.findall(e.msgid)) | set(PLACEHOLDER.findall(e.msgid_plural))
            for text in e.msgstr.values():
                if set(PLACEHOLDER.findall(text)) - expected:
                    broken.append(e.msgid)
            if set(PLACEHOLDER.findall(e.msgstr.get(1, ""))) != set(PLACEHOLDER.findall(e.msgid_plural)):
                broken.append(e.msgid)
        elif sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr.get(0, ""))):
            broken.append(e.msgid)
    assert broken == []


def test_compiled_mo_has_every_msgid_of_the_po(po_entries, mo_catalog):
    """The committed .mo matches the .po (CI cannot run compilemessages)."""
    missing, stale = [], []
    for e in po_entries:
        if e.msgid_plural:
            for i in (0, 1):
                got = mo_catalog.get((e.key, i))
                if not got:
                    missing.append(f"{e.msgid} [{i}]")
                elif got != e.msgstr.get(i):
                    stale.append(f"{e.msgid} [{i}]")
        else:
            got = mo_catalog.get(e.key)
            if not got:
                missing.append(e.msgid)
            elif got != e.msgstr.get(0):
                stale.append(e.msgid)
    assert missing == [], "run compilemessages"
    assert stale == [], "the .mo is older than the .po: run compilemessages"


TEMPLATE_TRANSLATE = re.compile(r"""\{%\s*translate\s+(?:"([^"]*)"|'([^']*)')(?:\s+as\s+\w+)?\s*%\}""")


def test_every_translate_tag_in_the_templates_is_in_the_catalogue(po_entries):
    """A cheap check that makemessages was re-run after templates changed."""
    known = {e.msgid for e in po_entries}
    templates = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "templates").rglob("*.txt")]
    templates += [p for p in ROOT.glob("*/templates/**/*") if p.suffix in (".html", ".txt")]
    missing = set()
    for path in templates:
        for double, single in TEMPLATE_TRANSLATE.findall(path.read_text(encoding="utf-8")):
            msgid = double or single
            if msgid not in known:
                missing.add(f"{path.relative_to(ROOT)}: {msgid}")
    assert sorted(missing) == []


def test_plural_forms_follow_the_french_rule():
    singular, plural = "%(counter)s request", "%(counter)s requests"
    with translation.override("fr"):
        assert translation.ngettext(singular, plural, 0) == "%(counter)s demande"
        assert translation.ngettext(singular, plural, 1) == "%(counter)s demande"
        assert translation.ngettext(singular, plural, 2) == "%(counter)s demandes"


def test_model_choices_and_terms_are_translated():
    from countries.models import SenderIdProcess
    from senderids.choices import Status

    with translation.override("fr"):
        assert str(SenderIdProcess.SUPPORT_CASE.label) == "Dossier de support requis"
        assert str(SenderIdProcess.REGISTRATION.label) == "Enregistrement requis"
        assert str(Status.PENDING_REVIEW.label) == "En attente de validation"
        assert translation.gettext("Sender ID") == "Identifiant d'expéditeur"
        assert translation.gettext("Estimated monthly SMS volume") == "Volume mensuel estimé de SMS"


# --- pages in French --------------------------------------------------------------------------


def french(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


def test_login_page_in_french_by_cookie(client):
    text = page_text(french(client).get("/accounts/login/"))
    assert '<html lang="fr">' in text
    assert "Se connecter" in text
    assert "Portail des identifiants d'expéditeur" in text
    assert "Log in" not in text


def test_login_page_in_french_by_accept_language(client):
    text = page_text(client.get("/accounts/login/", headers={"accept-language": "fr-FR,fr;q=0.9"}))
    assert '<html lang="fr">' in text
    assert "Se connecter" in text


def test_login_page_stays_english_by_default(client):
    text = page_text(client.get("/accounts/login/", headers={"accept-language": "en"}))
    assert '<html lang="en">' in text
    assert "Log in" in text
    assert "Se connecter" not in text


def test_wrong_password_message_in_french(client):
    UserFactory(username="marie")
    response = french(client).post("/accounts/login/", {"username": "marie", "password": "nope"})
    assert "Votre nom d'utilisateur et votre mot de passe ne correspondent pas" in page_text(response)


def test_language_switcher_sets_french(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/countries/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    text = page_text(client.get("/countries/"))
    assert "Indicatif téléphonique" in text


def test_countries_page_in_french(client):
    ensure_test_countries()
    text = page_text(french(client).get("/countries/"))
    assert "<h1>Pays</h1>" in text
    assert "Indicatif téléphonique" in text
    assert "SMS bidirectionnel" in text
    assert "Signification des procédures" in text
    assert "Pris en charge" in text
    assert "Dossier de support requis" in text
    assert "Whether you can send SMS" not in text


def test_countries_page_filter_in_french(client):
    ensure_test_countries()
    text = page_text(french(client).get("/countries/", {"q": "Germany"}))
    assert "affiché" in text
    assert "Tout afficher" in text


def test_wizard_first_step_in_french(client):
    ensure_test_countries()
    client.force_login(UserFactory(username="wizard-fr"))
    text = page_text(french(client).get("/sender-ids/request/", follow=True))
    assert "Demander un identifiant d'expéditeur" in text
    assert "Pays de destination" in text
    assert "Choisissez un pays…" in text
    assert "Rechercher des pays" in text
    assert "Recommencer" in text
    assert "Suivant" in text
    assert "Viêt Nam (VN) — Dossier de support requis" in text  # the country name in French too
    assert "Destination country" not in text


def test_home_in_french(client):
    client.force_login(UserFactory(username="home-fr"))
    text = page_text(french(client).get("/"))
    assert "Mes demandes d'identifiant d'expéditeur" in text
    assert "Vous n'avez encore aucune demande d'identifiant d'expéditeur." in text
    assert "Se déconnecter" in text
    assert "Langue" in text
    assert "My sender ID requests" not in text


def test_language_switcher_names_each_language_in_its_own_language(client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<option value="en" lang="en">English</option>' in html
    assert '<option value="fr" lang="fr" selected>français</option>' in html
