"""Benchmark: render time and query count of /countries/ with the full catalogue.

    .venv/bin/python bench/countries_page.py [--runs 50] [--query ''] [--process '']

Creates a throwaway test database (SQLite in memory by default; DATABASE_URL=postgres://... to
measure PostgreSQL), which the first migrate fills with all countries, then times GET /countries/
through Django's test client: the whole request (middleware, two queries, template). Target: the
median under 200 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TESTING", "true")
TARGET_MS = 200.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--query", default="", help="?q= to send")
    parser.add_argument("--process", default="", help="?process= to send")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment

    from countries.models import Country

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        client = Client()
        params = {k: v for k, v in (("q", args.query), ("process", args.process)) if v}
        countries = Country.objects.count()
        for _ in range(3):  # warm up: template loading, translations, connection
            client.get("/countries/", params)
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get("/countries/", params)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/countries/", params)
        rows = len(response.context["countries"])
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    median = statistics.median(timings)
    p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
    print(f"/countries/ on {connection.vendor}: {countries} countries in the table, {rows} rows rendered")
    print(f"  runs {args.runs}: median {median:.1f} ms, p95 {p95:.1f} ms, min {min(timings):.1f} ms")
    print(f"  queries per request: {len(queries)}; response {len(response.content) / 1024:.0f} KiB")
    verdict = "OK" if median < TARGET_MS else "OVER TARGET"
    print(f"  target: median under {TARGET_MS:.0f} ms -> {verdict}")
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
