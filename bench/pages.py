"""Benchmark: the portal's pages under gunicorn with 50,000 requests in PostgreSQL, as ratios to the
login page (issue 17).

    source scripts/services.sh; services_start        # scratch PostgreSQL + Redis, exports the URLs
    .venv/bin/python bench/pages.py [--requests 50000] [--clients 20] [--rounds 4] [--workers 3]
    services_stop

What it sets up (nothing of the portal is faked):
- a throwaway database ``bench_pages_<pid>`` next to DATABASE_URL's (migrated, so the whole country
  catalogue is there), filled with COPY: ``--teams`` teams (2 AWS accounts, 3 members each, sizes
  skewed: the biggest has ~17 % of the rows), N ``SenderIdRequest`` rows over every country that
  takes sender IDs (popular countries weigh more; the process is the country's), over the statuses each
  process goes through (pending review … active, released, failed, rejected; registrations in draft,
  submitted, requires updates…), each with its ``StatusEvent`` timeline (creation + every transition,
  ~4.2 per request) and, for registrations, its ``Registration`` row; then ANALYZE;
- gunicorn ``config.wsgi`` (``--workers`` sync workers, a free port) with DEBUG off, a strong random
  SECRET_KEY, not TESTING (so PBKDF2 and whitenoise's compressed manifest storage, as in production):
  the only change to config.settings is STATIC_ROOT, a scratch directory ``collectstatic`` fills
  (a settings module in the scratch directory star-imports config.settings and sets it);
- ``--clients`` clients (threads, one ``requests.Session`` each) logged in through the login form
  (GET /accounts/login/, POST with the CSRF token: the session cookie): a team member each (each
  client another team, the biggest teams first); a support-staff user (group "Support staff") for
  tracking and the CSV and a superuser for admin, each logged in once through the form, its session
  cookie in every client (one person with 20 tabs: those pages only read the session).

Measured per page, every client requesting it back to back (a closed loop of ``--clients`` concurrent
clients), page after page: one warm-up request per client per page (not counted), then two passes over
the pages of rounds/2 requests per client per page (two passes spread a drift in the machine's load over
every page alike; default ``--rounds 4``: 80 samples per page). The median latency (client side: send →
whole body read) of each page, and its ratio to the median of GET /accounts/login/ (anonymous)
measured the same way in the same run; also each page for one client alone (median of 3, no queueing:
its service time) and that ratio. Every answer must be 200 (a redirect or an error fails the run).
Pages and targets (ratio of the medians under load):
- wizard steps GET country / use-case / sender / review, each client's own run walked to the review
  first (Germany, sender ID PAGESBENCH): ≤ 2×;
- home (the member's team) and a request's detail page (the team's request with the longest
  timeline): ≤ 3×;
- /tracking/ as support staff: plain, ?status=registration_submitted, ?q=<a sender ID of ~0.2 % of
  the rows> and ?q=<a country name> (India): ≤ 4×;
- the admin changelist of sender ID requests as the superuser (its default: the approval queue): ≤ 6×.

CSV export: then a second gunicorn with ONE worker (same settings), warmed up by one tracking page;
GET /tracking/?format=csv as support staff, streamed and counted (N rows + header). The worker's
(the master's only child) VmRSS is read from /proc before, its peak afterwards: its VmHWM after
``clear_refs`` reset it to the current RSS (written "5" to /proc/<pid>/clear_refs; a 10 ms VmRSS
sampler is the fallback and is printed too). Target: peak − before ≤ 40 MiB.

On a miss, the page is diagnosed in-process (never measured so): rendered through Django's test client
(the first client's user: the biggest team) with CaptureQueriesContext on the same database, the bench
prints its query count, total SQL time, repeated queries, the EXPLAIN ANALYZE of its slowest query, and
a cProfile of one render (the portal's functions by cumulative time, the top functions by own time,
the template engine's share).

Exit status 1 when a target is missed or an answer was not 200; it prints which.
Needs DATABASE_URL (PostgreSQL) and REDIS_URL (the portal's broker and cache; the bench uses its own
Redis database, ``--redis-db``, flushed before and after).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from _common import database_url, offline_aws_environment, with_redis_db

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MiB = 1024 * 1024
ALONE_ROUNDS = 3  # requests of each page by one client alone (after its warm-up)
RSS_TARGET = 40 * MiB
PASSWORD = "bench-pages-password-17"
WIZARD_SENDER_ID = "PAGESBENCH"  # never one of the generated sender IDs (those have no "BENCH")
WIZARD_COUNTRY = "DE"
ACCOUNTS = (
    # name, account id, regions (the default first), default account
    ("bench-default", "123456789012", ["us-east-1", "eu-west-1", "ap-south-1"], True),
    ("bench-eu", "210000000002", ["eu-central-1", "eu-west-1", "ap-south-1"], False),
)
WIZARD_ANSWERS = {
    "country": {"country-country": WIZARD_COUNTRY},
    "use-case": {
        "use-case-capabilities": ["SMS"],
        "use-case-monthly_volume": "10001-100000",
        "use-case-company_hq": "international",
        "use-case-message_type": "TRANSACTIONAL",
    },
    "sender": {"sender-sender_type": "sender_id", "sender-sender_id": WIZARD_SENDER_ID},
}
WIZARD_URL = "/sender-ids/request/{}/"
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", "-n", type=int, default=50_000, help="sender ID requests (N)")
    parser.add_argument("--teams", type=int, default=40, help="teams the requests are spread over")
    parser.add_argument("--clients", "-c", type=int, default=20, help="concurrent clients")
    parser.add_argument("--rounds", "-r", type=int, default=4, help="measured requests per client per page")
    parser.add_argument("--workers", "-w", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--redis-db", type=int, default=11, help="Redis database for broker and cache")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    if args.requests < 1000 or args.clients < 1 or args.rounds < 1 or args.workers < 1:
        parser.error("N ≥ 1000, clients ≥ 1, rounds ≥ 1, workers ≥ 1 please")
    if args.teams < args.clients:
        parser.error("at least as many teams as clients (each client is another team's member)")
    return args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_environment(args: argparse.Namespace, scratch: Path) -> None:
    """Production-like settings for this process and gunicorn: DEBUG off, not TESTING, strong key;
    STATIC_ROOT in the scratch directory (the one override, in a settings module there)."""
    static_root = scratch / "static"
    (scratch / "bench_pages_settings.py").write_text(
        "from config.settings import *  # noqa: F403 (the portal's settings, unchanged)\n"
        f"STATIC_ROOT = {str(static_root)!r}\n"
    )
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench_pages_settings",
        PYTHONPATH=os.pathsep.join([str(scratch), str(ROOT)]),
        PYTHONUNBUFFERED="1",
        DEBUG="false",
        TESTING="false",
        EMBEDDED="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        REDIS_URL=with_redis_db(os.environ["REDIS_URL"], args.redis_db),
        # No page may talk to AWS; if one tried, it would fail fast here (and show in the figures).
        AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2="http://127.0.0.1:9",
        AWS_ENDPOINT_URL_SUPPORT="http://127.0.0.1:9",
        AWS_ENDPOINT_URL_STS="http://127.0.0.1:9",
        AWS_ENDPOINT_URL_SQS="http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID="AKIABENCHPAGES000000",
        AWS_REGION="us-east-1",
    )
    offline_aws_environment()
    sys.path.insert(0, str(scratch))


# --- filling the database (COPY) -------------------------------------------------------------------
def _copy_value(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    elif isinstance(value, datetime):
        value = value.isoformat()
    else:
        value = str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_in(model: Any, objects: list[Any]) -> None:
    """COPY unsaved instances (explicit primary keys, every column from the instance) into the table."""
    from django.db import connection

    fields = list(model._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    buffer = io.StringIO()
    for obj in objects:
        buffer.write("\t".join(_copy_value(getattr(obj, f.attname)) for f in fields))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN", buffer
        )


def reset_sequences(*models: Any) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


# Final statuses per process (weights) and the path from pending review that leads there.
STATUS_WEIGHTS = {
    "supported": {
        "active": 55, "released": 8, "releasing": 1, "pending_review": 10, "approved": 2, "submitting": 1,
        "rejected": 5, "failed": 4,
    },
    "registration": {
        "active": 35, "registration_draft": 12, "registration_submitted": 15, "requires_updates": 5,
        "action_required": 3, "pending_review": 10, "approved": 1, "submitting": 1, "failed": 6,
        "rejected": 5, "released": 5,
    },
    "support_case": {
        "active": 40, "support_case_open": 20, "support_case_resolved": 8, "pending_review": 12,
        "approved": 1, "failed": 6, "rejected": 6, "released": 5,
    },
}  # fmt: skip
_SUBMIT = ["approved", "submitting"]
PATHS = {
    "supported": {
        "active": [*_SUBMIT, "active"],
        "released": [*_SUBMIT, "active", "releasing", "released"],
        "releasing": [*_SUBMIT, "active", "releasing"],
        "failed": [*_SUBMIT, "failed"],
    },
    "registration": {
        "registration_draft": [*_SUBMIT, "registration_draft"],
        "registration_submitted": [*_SUBMIT, "registration_draft", "registration_submitted"],
        "requires_updates": [*_SUBMIT, "registration_draft", "registration_submitted", "requires_updates"],
        "action_required": [*_SUBMIT, "registration_draft", "registration_submitted", "action_required"],
        "active": [
            *_SUBMIT, "registration_draft", "registration_submitted", "requires_updates",
            "registration_submitted", "active",
        ],
        "released": [
            *_SUBMIT, "registration_draft", "registration_submitted", "active", "releasing", "released",
        ],
        "failed": [*_SUBMIT, "registration_draft", "registration_submitted", "failed"],
    },
    "support_case": {
        "support_case_open": [*_SUBMIT, "support_case_open"],
        "support_case_resolved": [*_SUBMIT, "support_case_open", "support_case_resolved"],
        "active": [*_SUBMIT, "support_case_open", "support_case_resolved", "active"],
        "released": [
            *_SUBMIT, "support_case_open", "support_case_resolved", "active", "releasing", "released",
        ],
        "failed": [*_SUBMIT, "support_case_open", "failed"],
    },
}  # fmt: skip
COMMON_PATHS = {
    "pending_review": [],
    "approved": ["approved"],
    "submitting": _SUBMIT,
    "rejected": ["rejected"],
}
REGISTRATION_AWS_STATUS = {
    "registration_draft": "CREATED",
    "registration_submitted": "REVIEWING",
    "requires_updates": "REQUIRES_UPDATES",
    "action_required": "REQUIRES_AUTHENTICATION",
    "active": "COMPLETE",
    "released": "DELETED",
    "failed": "DENIED",
}
POPULAR = ["IN", "GB", "FR", "DE", "SG", "AE", "SA", "ZA", "AU", "ES", "IT", "NL", "PH", "ID", "TH", "VN"]


def fill(args: argparse.Namespace) -> dict[str, Any]:
    """The world: accounts, teams, users, N requests with their timelines and registrations."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from countries.models import Country, SenderIdProcess
    from registrations.models import Registration
    from senderids.models import SenderIdRequest, StatusEvent
    from smsvoice.models import AwsAccount
    from teams.models import Membership, Role, Team

    rng = random.Random(args.seed)
    User = get_user_model()
    now = datetime.now(UTC)
    password = make_password(PASSWORD)  # one PBKDF2 hash for every bench user (gunicorn checks it per login)

    with transaction.atomic():
        AwsAccount.objects.all().delete()
        accounts = [
            AwsAccount.objects.create(
                name=name,
                account_id=account_id,
                regions=regions,
                default_region=regions[0],
                is_default=default,
                credential_source="default_chain" if default else "assume_role",
                role_arn="" if default else f"arn:aws:iam::{account_id}:role/bench",
            )
            for name, account_id, regions, default in ACCOUNTS
        ]
        teams = Team.objects.bulk_create(Team(name=f"Bench team {i:02d}") for i in range(args.teams))
        through = Team.aws_accounts.through
        through.objects.bulk_create(
            through(team_id=t.pk, awsaccount_id=a.pk) for t in teams for a in accounts
        )
        users = User.objects.bulk_create(
            User(
                username=f"member{t:02d}-{m}",
                email=f"member{t:02d}-{m}@bench.invalid",
                password=password,
                first_name=f"Member {m}",
                last_name=f"Team {t:02d}",
            )
            for t in range(args.teams)
            for m in range(3)
        )
        members = {t.pk: users[i * 3 : i * 3 + 3] for i, t in enumerate(teams)}
        Membership.objects.bulk_create(
            Membership(team=t, user=u, role=Role.ADMIN if m == 0 else Role.MEMBER)
            for t in teams
            for m, u in enumerate(members[t.pk])
        )
        staff = User.objects.create(
            username="bench-support", email="support@bench.invalid", password=password, is_staff=True
        )
        staff.groups.add(Group.objects.get(name="Support staff"))
        admin = User.objects.create(
            username="bench-admin",
            email="admin@bench.invalid",
            password=password,
            is_staff=True,
            is_superuser=True,
        )

    countries = list(Country.objects.exclude(sender_id_process=SenderIdProcess.NOT_SUPPORTED))
    country_weights = [
        12.0 if c.iso_code in POPULAR[:4] else 4.0 if c.iso_code in POPULAR else 1.0 for c in countries
    ]
    team_weights = [1 / (i + 1) ** 0.8 for i in range(args.teams)]  # team 0 the biggest
    # Sender IDs: each team has a few brands (4-11 letters); a request uses one of its team's.
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    brands = {
        t.pk: list(
            dict.fromkeys(
                "".join(rng.choice(letters) for _ in range(rng.randint(4, 11)))
                for _ in range(rng.randint(8, 40))
            )
        )
        for t in teams
    }
    statuses = {p: (list(w), list(w.values())) for p, w in STATUS_WEIGHTS.items()}
    team_picks = rng.choices(teams, team_weights, k=args.requests)
    country_picks = rng.choices(countries, country_weights, k=args.requests)
    requests, events, registrations = [], [], []
    event_pk = 0
    for pk, (team, country) in enumerate(zip(team_picks, country_picks, strict=True), start=1):
        process = country.sender_id_process
        names, weights = statuses[process]
        final = rng.choices(names, weights)[0]
        path = COMMON_PATHS[final] if final in COMMON_PATHS else PATHS[process][final]
        account = accounts[0] if rng.random() < 0.8 else accounts[1]
        region = "ap-south-1" if country.iso_code == "IN" else rng.choice(account.regions[:2])
        owner = rng.choice(members[team.pk])
        sender_id = rng.choice(brands[team.pk])
        created = now - timedelta(seconds=rng.uniform(600, 730 * 86400))
        at = created
        event_pk += 1
        events.append(
            StatusEvent(
                pk=event_pk,
                request_id=pk,
                kind="created",
                from_status="",
                to_status="pending_review",
                actor_id=owner.pk,
                reason="",
                reason_params={},
                created_at=at,
            )
        )
        previous = "pending_review"
        for step in path:
            at = min(now, at + timedelta(seconds=rng.expovariate(1 / (2 * 86400)) + 5))
            event_pk += 1
            events.append(
                StatusEvent(
                    pk=event_pk,
                    request_id=pk,
                    kind=step,
                    from_status=previous,
                    to_status=step,
                    actor_id=None,
                    actor_label="worker",
                    created_at=at,
                    reason_params={},
                    reason="Not a brand of the company." if step == "rejected" else "",
                    aws_code="ValidationException" if step == "failed" else "",
                    aws_message="The sender ID was refused." if step == "failed" else "",
                )
            )
            previous = step
        held = "active" in path
        arn = f"arn:aws:sms-voice:{region}:{account.account_id}:sender-id/{sender_id}/{country.iso_code}"
        requests.append(
            SenderIdRequest(
                pk=pk,
                owner_id=owner.pk,
                team_id=team.pk,
                country_id=country.iso_code,
                aws_account_id=account.pk,
                aws_region=region,
                sender_id=sender_id,
                process=process,
                sms=True,
                voice=False,
                message_type=rng.choice(["TRANSACTIONAL", "TRANSACTIONAL", "PROMOTIONAL"]),
                monthly_volume=rng.choice(["0-10000", "10001-100000", "100001-1000000"]),
                company_hq=rng.choice(["local", "international"]),
                registration_form_name=f"{sender_id} – {country.name}"[:100]
                if process == "registration"
                else "",
                registration_choice=rng.choice(["now", "later"]) if process == "registration" else "",
                support_case_details=(
                    {"site_url": "https://example.com", "use_case_description": "One-time passwords."}
                    if process == "support_case"
                    else {}
                ),
                status=final,
                status_changed_at=at,
                aws_status=REGISTRATION_AWS_STATUS.get(final, "") if process == "registration" else "",
                aws_sender_id_arn=arn if held else "",
                aws_message_types=["TRANSACTIONAL"] if held else [],
                aws_error_code="ValidationException" if final == "failed" else "",
                aws_error_message="The sender ID was refused." if final == "failed" else "",
                deletion_protection=held and rng.random() < 0.1,
                claimed_by="",
                monthly_leasing_price="0.00" if held else "",
                created_at=created,
                updated_at=at,
            )
        )
        if process == "registration":
            submitted = "registration_submitted" in path
            registrations.append(
                Registration(
                    pk=len(registrations) + 1,
                    request_id=pk,
                    registration_type=country.registration_type
                    or f"{country.iso_code}_SENDER_ID_REGISTRATION",
                    form_name=f"{sender_id} – {country.name}"[:100],
                    aws_registration_id=f"registration-{uuid.uuid4().hex[:24]}"
                    if "registration_draft" in path
                    else "",
                    aws_status=REGISTRATION_AWS_STATUS.get(final, ""),
                    submit_requested=submitted,
                    current_version_number=1 if "registration_draft" in path else None,
                    created_at=created,
                    updated_at=at,
                )
            )
    with transaction.atomic():
        copy_in(SenderIdRequest, requests)
        copy_in(StatusEvent, events)
        copy_in(Registration, registrations)
    reset_sequences(SenderIdRequest, StatusEvent, Registration)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # Each client: another team's first member (the biggest teams first), that team's request with the
    # longest timeline for the detail page.
    team_rows: dict[int, int] = {}
    for r in requests:
        team_rows[r.team_id] = team_rows.get(r.team_id, 0) + 1
    event_counts: dict[int, int] = {}
    for e in events:
        event_counts[e.request_id] = event_counts.get(e.request_id, 0) + 1
    longest: dict[int, tuple[int, int]] = {}
    for r in requests:
        best = longest.get(r.team_id)
        if best is None or event_counts[r.pk] > best[0]:
            longest[r.team_id] = (event_counts[r.pk], r.pk)
    clients = [
        {
            "username": members[t.pk][0].username,
            "team_rows": team_rows.get(t.pk, 0),
            "detail": longest[t.pk][1],
        }
        for t in teams[: args.clients]
    ]
    # A sender ID in about 0.2 % of the rows for the search (icontains: substrings match too).
    counts: dict[str, int] = {}
    for r in requests:
        counts[r.sender_id] = counts.get(r.sender_id, 0) + 1
    wanted = max(5, args.requests // 500)
    search_sender = min((s for s in counts if len(s) >= 6), key=lambda s: (abs(counts[s] - wanted), s))
    india = Country.objects.get(iso_code="IN").name
    return {
        "clients": clients,
        "staff": staff.username,
        "admin": admin.username,
        "requests": len(requests),
        "events": len(events),
        "registrations": len(registrations),
        "teams": len(teams),
        "countries": len({r.country_id for r in requests}),
        "statuses": len({r.status for r in requests}),
        "search_sender": search_sender,
        "search_sender_rows": SenderIdRequest.objects.filter(sender_id__icontains=search_sender).count(),
        "search_country": india,
        "search_country_rows": SenderIdRequest.objects.filter(country__name__icontains=india).count(),
        "biggest_team_rows": max(team_rows.values()),
    }


# --- gunicorn --------------------------------------------------------------------------------------
class Gunicorn:
    def __init__(self, workers: int, scratch: Path, label: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = scratch / f"gunicorn-{label}.log"
        self.workers = workers
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        import requests

        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "120",
            "--chdir",
            str(ROOT),
            "--error-logfile",
            str(self.log),
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn not healthy in {timeout:.0f} s:\n{self.tail()}")
        while len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        """The master's children (its workers), from /proc/<pid>/stat's ppid."""
        if self.proc is None:
            return []
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == self.proc.pid and fields[0] not in ("Z", "X"):
                pids.append(int(entry))
        return sorted(pids)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


# --- clients ---------------------------------------------------------------------------------------
def hidden_fields(html: str) -> dict[str, str]:
    return dict(_HIDDEN.findall(html))


def login(base: str, username: str):
    """A requests.Session logged in through the login form (its session cookie)."""
    import requests

    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = hidden_fields(page.text).get("csrfmiddlewaretoken")
    if page.status_code != 200 or not token:
        raise RuntimeError(f"login page for {username}: {page.status_code}")
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"login of {username}: {answer.status_code} {answer.text[:300]}")
    return session


def shared_sessions(session, count: int) -> list:
    import requests

    copies = []
    for _ in range(count):
        copy = requests.Session()
        copy.cookies.update(session.cookies)
        copies.append(copy)
    return copies


def walk_wizard(base: str, session) -> None:
    """GET each step, POST its hidden fields plus the answers (as a browser), up to the review."""
    for step in ("country", "use-case", "sender"):
        url = base + WIZARD_URL.format(step)
        page = session.get(url, timeout=60)
        if page.status_code != 200:
            raise RuntimeError(f"wizard {step}: GET {page.status_code}")
        answer = session.post(
            url, data={**hidden_fields(page.text), **WIZARD_ANSWERS[step]}, allow_redirects=False, timeout=60
        )
        if answer.status_code != 302:
            errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', answer.text, re.S)
            raise RuntimeError(f"wizard {step}: POST {answer.status_code} {errors or answer.text[:300]}")
    final = answer.headers.get("Location", "")
    if not final.endswith(WIZARD_URL.format("review")):
        raise RuntimeError(f"the wizard went to {final}, not the review")


def timed_get(session, url: str) -> tuple[float, str]:
    """One GET, send to whole body read: (ms, "" or what was wrong)."""
    started = time.perf_counter()
    response = session.get(url, allow_redirects=False, timeout=120)
    _ = response.content
    elapsed = (time.perf_counter() - started) * 1000
    bad = (
        ""
        if response.status_code == 200
        else f"{response.status_code} {response.headers.get('Location', '')}"
    )
    return elapsed, bad.strip()


def measure(pool: ThreadPoolExecutor, plan: list[dict[str, Any]], rounds: int, passes: int = 2) -> None:
    """Per page, every client GETs it back to back (a closed loop of `clients` concurrent clients, each
    waiting for its answer before asking again), page after page. First a warm-up pass (one request per
    client per page, not counted), then `passes` passes of rounds/passes requests per client per page:
    two passes spread a drift in the machine's load (other processes) over every page, the baseline
    included."""

    def loop(pair, count: int) -> list[tuple[float, str]]:
        return [timed_get(*pair) for _ in range(count)]

    for page in plan:
        page.update(times=[], bad=[])
    per_pass = max(1, math.ceil(rounds / passes))
    for pass_ in range(passes + 1):
        for page in plan:
            count = 1 if pass_ == 0 else per_pass
            pairs = zip(page["sessions"], page["urls"], strict=True)
            counts = [count] * len(page["urls"])
            answers = [a for answers in pool.map(loop, pairs, counts) for a in answers]
            if pass_:
                page["times"] += [ms for ms, _ in answers]
            page["bad"] += [bad for _, bad in answers if bad]
    for page in plan:
        times = sorted(page["times"])
        page.update(median=statistics.median(times), p90=times[int(0.9 * (len(times) - 1))], n=len(times))
    # Each page for one client alone (no queueing): its service time, for the diagnosis.
    for page in plan:
        alone = [timed_get(page["sessions"][0], page["urls"][0]) for _ in range(ALONE_ROUNDS)]
        page["alone"] = statistics.median(ms for ms, _ in alone)
        page["bad"] += [bad for _, bad in alone if bad]


def rss_of(pid: int, key: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {key} for {pid}")


def measure_csv(base: str, session, worker: int, expected_rows: int) -> dict[str, Any]:
    """Stream the export; the worker's RSS before, sampled every 10 ms, and its VmHWM peak."""
    warm = session.get(f"{base}/tracking/", timeout=60)  # loads what the view needs, like any request
    if warm.status_code != 200:
        raise RuntimeError(f"tracking warm-up: {warm.status_code}")
    before = rss_of(worker)
    try:
        Path(f"/proc/{worker}/clear_refs").write_text("5")  # VmHWM := current RSS
        hwm_reset = True
    except OSError:
        hwm_reset = False
    sampled = [before]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                sampled.append(rss_of(worker))
            except (OSError, RuntimeError):
                return
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    first_byte = None
    lines = size = 0
    status = None
    tail = b""
    try:
        with session.get(f"{base}/tracking/?format=csv", stream=True, timeout=120) as response:
            status = response.status_code
            content_type = response.headers.get("Content-Type", "")
            for chunk in response.iter_content(chunk_size=65536):
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                size += len(chunk)
                lines += chunk.count(b"\n")
                tail = chunk[-200:]
    finally:
        elapsed = time.perf_counter() - started
        stop.set()
        sampler.join(2)
    after = rss_of(worker)
    peak_hwm = rss_of(worker, "VmHWM") if hwm_reset else None
    peak_sampled = max([*sampled, after])
    peak = max(peak_hwm or 0, peak_sampled)
    return {
        "status": status,
        "content_type": content_type,
        "rows": lines - 1,
        "expected": expected_rows,
        "bytes": size,
        "seconds": elapsed,
        "first_byte": first_byte or elapsed,
        "before": before,
        "after": after,
        "peak_hwm": peak_hwm,
        "peak_sampled": peak_sampled,
        "growth": peak - before,
        "samples": len(sampled),
        "tail": tail.decode(errors="replace").splitlines()[-1:] if tail else [],
    }


# --- diagnosis of a missed page (in-process, not measured) ------------------------------------------
def diagnose(path: str, username: str) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    if path.startswith("/sender-ids/request/"):
        walk_test_client(client)
    client.get(path)  # warm
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        total = (time.perf_counter() - started) * 1000
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    sql_ms = sum(t for t, _ in queries)
    lines = [
        f"    in-process render {total:.0f} ms ({response.status_code}), {len(queries)} queries,"
        f" {sql_ms:.0f} ms in SQL"
    ]
    repeated: dict[str, int] = {}
    for _, sql in queries:
        shape = re.sub(r"\b\d+\b", "N", sql)
        repeated[shape] = repeated.get(shape, 0) + 1
    for shape, k in sorted(repeated.items(), key=lambda item: -item[1])[:2]:
        if k > 1:
            lines.append(f"    repeated ×{k}: {shape[:200]}")
    for ms, sql in sorted(queries, reverse=True)[:1]:
        lines.append(f"    slowest query {ms:.1f} ms: {sql[:300]}")
    if queries:
        slowest = max(queries)[1]
        if slowest.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest)
                plan = [row[0] for row in cursor.fetchall()]
            lines.append("    its EXPLAIN ANALYZE:")
            lines += [f"      {row}" for row in plan[:25]]
    lines += profile_lines(client, path)
    return lines


def profile_lines(client, path: str, top: int = 8) -> list[str]:
    """Where the render's time goes: the portal's own functions (and Django's template engine) by
    cumulative time, from cProfile of one in-process render."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    total = max(ct for (_cc, _nc, _tt, ct, _callers) in stats.values())
    venv = str(ROOT / ".venv")
    own = [
        (ct, nc, f"{Path(file).relative_to(ROOT)}:{line} {name}")
        for (file, line, name), (_cc, nc, _tt, ct, _callers) in stats.items()
        if file.startswith(str(ROOT))
        and not file.startswith(venv)
        and not file.endswith("config/middleware.py")
    ]
    lines = [
        f"    profile (cProfile, {total * 1000:.0f} ms under the profiler), portal code by cumulative time:"
    ]
    for ct, nc, where in sorted(own, reverse=True)[:top]:
        lines.append(f"      {ct * 1000:7.1f} ms  {nc:>6} calls  {where}")
    lines.append("    by own time (any code):")
    for (file, line, name), (_cc, nc, tt, _ct, _callers) in sorted(
        stats.items(), key=lambda item: -item[1][2]
    )[:5]:
        short = (
            file.split("site-packages/")[-1]
            if "site-packages/" in file
            else file.replace(str(ROOT) + "/", "")
        )
        lines.append(f"      {tt * 1000:7.1f} ms  {nc:>6} calls  {short}:{line} {name}")
    renders = [
        (ct, nc)
        for (file, _line, name), (_cc, nc, _tt, ct, _c) in stats.items()
        if name == "render" and file.endswith("django/template/base.py")
    ]
    if renders:
        ct, nc = max(renders)
        lines.append(f"      (django.template.base render: {ct * 1000:.1f} ms cumulative, {nc} calls)")
    return lines


def reference_render_ms() -> float:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.get("/accounts/login/")
    times = []
    for _ in range(5):
        started = time.perf_counter()
        client.get("/accounts/login/")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def walk_test_client(client) -> None:
    for step in ("country", "use-case", "sender"):
        url = WIZARD_URL.format(step)
        page = client.get(url)
        fields = {k: v for k, v in hidden_fields(page.content.decode()).items() if k != "csrfmiddlewaretoken"}
        client.post(url, {**fields, **WIZARD_ANSWERS[step]})


# --- the run ---------------------------------------------------------------------------------------
def page_plan(world: dict[str, Any]) -> list[tuple[str, str, str, float | None]]:
    """(label, persona, path, target ratio)."""
    return [
        ("login (baseline)", "anonymous", "/accounts/login/", None),
        ("wizard: country", "member", WIZARD_URL.format("country"), 2.0),
        ("wizard: use-case", "member", WIZARD_URL.format("use-case"), 2.0),
        ("wizard: sender", "member", WIZARD_URL.format("sender"), 2.0),
        ("wizard: review", "member", WIZARD_URL.format("review"), 2.0),
        ("home", "member", "/", 3.0),
        ("request detail", "member", "/sender-ids/{detail}/", 3.0),
        ("tracking", "staff", "/tracking/", 4.0),
        ("tracking ?status=", "staff", "/tracking/?status=registration_submitted", 4.0),
        ("tracking ?q=sender ID", "staff", "/tracking/?" + urlencode({"q": world["search_sender"]}), 4.0),
        ("tracking ?q=country", "staff", "/tracking/?" + urlencode({"q": world["search_country"]}), 4.0),
        ("admin changelist", "admin", "/admin/senderids/senderidrequest/", 6.0),
    ]


def main() -> int:
    args = parse_args()
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("needs REDIS_URL and a PostgreSQL DATABASE_URL: source scripts/services.sh; services_start")
    t0 = time.monotonic()
    load_start = Path("/proc/loadavg").read_text().split()[0]
    scratch = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    prepare_environment(args, scratch)

    import django

    import config  # noqa: F401 (first, as gunicorn's `config.wsgi` does: the settings module star-imports it)

    django.setup()
    import redis
    import requests
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    broker.flushdb()
    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"bench_pages_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    os.environ["DATABASE_URL"] = database_url(db)
    servers: list[Gunicorn] = []
    failures: list[str] = []
    try:
        migrated = time.monotonic() - t0
        call_command("collectstatic", interactive=False, verbosity=0)
        t_fill = time.monotonic()
        world = fill(args)
        filled = time.monotonic() - t_fill
        connection.close()  # gunicorn and this process's diagnosis reconnect

        web = Gunicorn(args.workers, scratch, "pages")
        servers.append(web)
        web.start()
        base = web.url
        t_login = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            clients = world["clients"]
            members = list(pool.map(lambda c: login(base, c["username"]), clients))
            # Support staff and the superuser: one login each through the form, its session cookie in
            # every client (the same person with 20 tabs: these pages only read the session).
            staff = shared_sessions(login(base, world["staff"]), args.clients)
            admins = shared_sessions(login(base, world["admin"]), args.clients)
            anonymous = [requests.Session() for _ in range(args.clients)]
            list(pool.map(lambda s: walk_wizard(base, s), members))
            logged_in = time.monotonic() - t_login
            personas = {"anonymous": anonymous, "member": members, "staff": staff, "admin": admins}
            # Each client its own team's request for the detail page; the same URL otherwise.
            plan = [
                {
                    "label": label,
                    "persona": persona,
                    "path": path,
                    "target": target,
                    "sessions": personas[persona],
                    "urls": [base + path.format(detail=c["detail"]) for c in clients],
                }
                for label, persona, path, target in page_plan(world)
            ]
            measure(pool, plan, args.rounds)
        web.stop()

        single = Gunicorn(1, scratch, "csv")
        servers.append(single)
        single.start()
        worker = single.worker_pids()[0]
        csv_session = login(single.url, world["staff"])
        csv_result = measure_csv(single.url, csv_session, worker, world["requests"])
        single.stop()

        baseline, baseline_alone = plan[0]["median"], plan[0]["alone"]
        lines = [
            f"database  PostgreSQL bench_pages_{os.getpid()}: {world['requests']} requests"
            f" ({world['teams']} teams, biggest {world['biggest_team_rows']} rows;"
            f" {world['countries']} countries; {world['statuses']} statuses),"
            f" {world['events']} status events, {world['registrations']}"
            f" registrations; migrate {migrated:.1f} s, fill (COPY + ANALYZE) {filled:.1f} s",
            f"gunicorn  config.wsgi, {args.workers} sync workers, DEBUG off, whitenoise (manifest)",
            f"clients   {args.clients} concurrent (threads, requests.Session), logged in through the form"
            f" ({args.clients} members + support + admin: {args.clients + 2} logins,"
            f" {args.clients} wizard walks, {logged_in:.1f} s);"
            f" per page {plan[0]['n'] // args.clients} requests per client back to back, in 2 passes over"
            f" the pages, after 1 warm-up ({plan[0]['n']} samples per page)",
            f"load      machine load average {load_start} at the start,"
            f" {Path('/proc/loadavg').read_text().split()[0]} at the end"
            " (other processes share these cores: compare ratios, not ms, between runs)",
            f"search    ?q={world['search_sender']} matches {world['search_sender_rows']} rows;"
            f" ?q={world['search_country']} {world['search_country_rows']} rows",
            "",
            f"{'page':<26}{'median ms':>10}{'p90 ms':>9}{'ratio':>8}{'target':>9}{'alone ms':>10}{'ratio':>7}"
            "  verdict",
        ]
        for r in plan:
            label, path, target = r["label"], r["path"], r["target"]
            ratio = r["median"] / baseline
            verdict = ""
            if r["bad"]:
                verdict = f"ERROR {len(r['bad'])} non-200: {sorted(set(r['bad']))[:3]}"
                failures.append(f"{label}: {len(r['bad'])} answers not 200 ({sorted(set(r['bad']))[:3]})")
            elif target is not None:
                verdict = "OK" if ratio <= target else "MISSED"
                if ratio > target:
                    failures.append(f"{label} ({path}): {ratio:.2f}× the login page > {target:g}×")
            elif label.startswith("login"):
                verdict = "baseline"
            else:
                verdict = "(information)"
            tgt = f"≤ {target:g}×" if target else ""
            alone = f"{r['alone']:>10.1f}{r['alone'] / baseline_alone:>6.2f}×"
            lines.append(
                f"{label:<26}{r['median']:>10.1f}{r['p90']:>9.1f}{ratio:>7.2f}×{tgt:>9}{alone}  {verdict}"
            )
        c = csv_result
        csv_ok = c["status"] == 200 and c["rows"] == c["expected"] and c["growth"] <= RSS_TARGET
        hwm = f"{c['peak_hwm'] / MiB:.1f}" if c["peak_hwm"] is not None else "n/a"
        lines += [
            "",
            f"CSV export /tracking/?format=csv (support staff, gunicorn 1 worker, pid {worker}):"
            f" {c['status']} {c['content_type']}, {c['rows']} rows (expected {c['expected']}),"
            f" {c['bytes'] / MiB:.1f} MiB in {c['seconds']:.1f} s"
            f" (first byte {c['first_byte'] * 1000:.0f} ms)",
            f"  worker RSS before {c['before'] / MiB:.1f} MiB, peak {hwm} MiB (VmHWM after clear_refs),"
            f" sampled peak {c['peak_sampled'] / MiB:.1f} MiB ({c['samples']} samples),"
            f" after {c['after'] / MiB:.1f} MiB",
            f"  RSS growth {c['growth'] / MiB:.1f} MiB, target ≤ {RSS_TARGET / MiB:.0f} MiB ->"
            f" {'OK' if csv_ok else 'MISSED'}",
        ]
        if c["seconds"] > 30:
            lines.append(
                "  note: longer than gunicorn's default --timeout 30 (the Dockerfile's); ran with 120"
            )
        if not csv_ok:
            failures.append(
                f"CSV export: status {c['status']}, {c['rows']}/{c['expected']} rows,"
                f" RSS growth {c['growth'] / MiB:.1f} MiB (target ≤ 40)"
            )
        print("\n".join(lines), flush=True)

        missed = [
            (r["label"], r["persona"], r["path"])
            for r in plan
            if r["target"] is not None and r["median"] / baseline > r["target"]
        ]
        if missed:
            print("\nDiagnosis of the missed pages (in-process, Django test client + CaptureQueriesContext):")
            print(f"  for reference, the login page in-process: {reference_render_ms():.0f} ms (median of 5)")
            names = {
                "member": world["clients"][0]["username"],
                "staff": world["staff"],
                "admin": world["admin"],
            }
            for label, persona, path in missed:
                path = path.format(detail=world["clients"][0]["detail"])
                print(f"  {label} {path} as {names[persona]}:")
                try:
                    print("\n".join(diagnose(path, names[persona])))
                except Exception as exc:  # a diagnosis must not hide the figures
                    print(f"    diagnosis failed: {exc!r}")
    except BaseException:
        for server in servers:
            print(server.tail(), file=sys.stderr)
        raise
    finally:
        for server in servers:
            server.stop()
        broker.flushdb()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"\nrun time {time.monotonic() - t0:.0f} s")
    if failures:
        print("MISSED:\n" + "\n".join(f"  - {f}" for f in failures))
    print("RESULT " + ("FAIL" if failures else "PASS"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
