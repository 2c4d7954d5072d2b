"""In-process timings of bench/pages.py's pages on a kept 50,000-request database (for iterating on a
page between runs of the real benchmark; the figures that count are bench/pages.py's).

    source scripts/services.sh; services_start
    .venv/bin/python bench/profile_pages.py [--db bench_profile] [--refill] [--only tracking] [--profile]

The first run creates and fills the database ``--db`` (as bench/pages.py does; kept afterwards), later
runs reuse it. Each page of bench/pages.py is rendered through Django's test client as that bench's
persona; printed: median in-process ms of ``--repeat`` renders, queries, and the ratio to the login
page; ``--profile`` adds bench/pages.py's diagnosis (queries, EXPLAIN, cProfile).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench_profile")
    parser.add_argument("--refill", action="store_true")
    parser.add_argument("--only", default="", help="pages whose label contains this")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--redis-db", type=int, default=12)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    pages.prepare_environment(args, scratch)
    import django

    import config  # noqa: F401

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = args.db
    world_file = Path(tempfile.gettempdir()) / f"{args.db}.world.json"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db])
        exists = cursor.fetchone() is not None
    if args.refill or not exists or not world_file.exists():
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        world = pages.fill(args)
        world_file.write_text(json.dumps(world))
    else:
        connection.close()
        db["NAME"] = args.db
        world = json.loads(world_file.read_text())
    settings.DEBUG = False
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest the pages link with
    users = {
        "member": world["clients"][0]["username"],
        "staff": world["staff"],
        "admin": world["admin"],
    }
    login_ms = pages.reference_render_ms()
    print(f"login page in-process: {login_ms:.1f} ms (median of 5)")
    print(f"{'page':28} {'ms':>7} {'ratio':>6} {'queries':>7}")
    for label, persona, path, _target in pages.page_plan(world)[1:]:
        if args.only and args.only not in label:
            continue
        path = path.format(detail=world["clients"][0]["detail"])
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(get_user_model().objects.get(username=users[persona]))
        if path.startswith("/sender-ids/request/"):
            pages.walk_test_client(client)
        assert client.get(path).status_code == 200, path
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        median = statistics.median(times)
        print(f"{label:28} {median:7.1f} {median / login_ms:5.1f}× {len(captured.captured_queries):7}")
        if args.profile:
            print("\n".join(pages.diagnose(path, users[persona])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
