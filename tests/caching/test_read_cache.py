"""The cross-request read cache (caching/): a value is served from the cache until a row of an app it
depends on is written, by any write path (save, QuerySet.update, bulk_create, delete, raw SQL), and
never holds a transaction's uncommitted rows. On the real Redis cache of `make test`."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from django.db import connection, transaction

import caching
from countries.models import Country
from teams.models import Team

pytestmark = pytest.mark.django_db(transaction=True)


class Counter:
    """compute(): the number of teams, counting how often it was asked."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return Team.objects.count()


@pytest.fixture
def key() -> str:
    return f"test-{uuid.uuid4().hex}"


def test_served_from_the_cache_until_the_app_is_written(key):
    compute = Counter()
    assert caching.cached(key, compute, depends=["teams"]) == 0
    assert caching.cached(key, compute, depends=["teams"]) == 0
    assert compute.calls == 1
    Team.objects.create(name="Acme")
    assert caching.cached(key, compute, depends=["teams"]) == 1
    assert compute.calls == 2


@pytest.mark.parametrize(
    "write",
    [
        lambda team: Team.objects.filter(pk=team.pk).update(name="Renamed"),
        lambda team: Team.objects.bulk_create([Team(name="Other")]),
        lambda team: Team.objects.filter(pk=team.pk).delete(),
        lambda team: connection.cursor().execute(
            "UPDATE teams_team SET name = %s WHERE id = %s", ["r", team.pk]
        ),
    ],
    ids=["update", "bulk_create", "delete", "raw SQL"],
)
def test_every_write_path_invalidates(key, write):
    team = Team.objects.create(name="Acme")
    compute = Counter()
    caching.cached(key, compute, depends=["teams"])
    write(team)
    caching.cached(key, compute, depends=["teams"])
    assert compute.calls == 2


def test_a_write_to_another_app_keeps_the_value(key):
    compute = Counter()
    caching.cached(key, compute, depends=["teams"])
    Country.objects.filter(iso_code="DE").update(notes="changed")
    caching.cached(key, compute, depends=["teams"])
    assert compute.calls == 1


def test_uncommitted_rows_never_reach_the_cache(key):
    compute = Counter()
    with transaction.atomic():
        Team.objects.create(name="Uncommitted")
        # The transaction reads its own rows, straight from the database…
        assert caching.cached(key, compute, depends=["teams"]) == 1
        transaction.set_rollback(True)
    # …and nothing of them was stored: after the rollback the value is the committed one.
    assert caching.cached(key, compute, depends=["teams"]) == 0


def test_a_commit_invalidates_what_others_cached_meanwhile(key):
    compute = Counter()
    with transaction.atomic():
        Team.objects.create(name="Acme")
        # Another process, reading the committed rows during this transaction, caches 0 teams:
        caching.cached(key, lambda: 0, depends=["teams"])
    assert caching.cached(key, compute, depends=["teams"]) == 1


def test_a_rolled_back_savepoint_keeps_the_commit_hook(key):
    with transaction.atomic():
        try:
            with transaction.atomic():
                Team.objects.create(name="Gone")
                raise RuntimeError
        except RuntimeError:
            pass
        Team.objects.create(name="Kept")
        caching.cached(key, lambda: 0, depends=["teams"])  # a stale value, as another process would
    assert caching.cached(key, Counter(), depends=["teams"]) == 1


def test_a_failing_cache_reads_the_database_and_backs_off(key, monkeypatch):
    monkeypatch.setattr(caching, "_down_until", 0.0)
    broken = mock.Mock(side_effect=ConnectionError("redis down"))
    compute = Counter()
    with mock.patch.object(caching.cache, "get_many", broken):
        assert caching.cached(key, compute, depends=["teams"]) == 0
    # Backing off: the next read does not touch the cache at all.
    with mock.patch.object(caching.cache, "get_many", broken):
        assert caching.cached(key, compute, depends=["teams"]) == 0
    assert broken.call_count == 1
    assert compute.calls == 2


def test_off_without_a_shared_cache(key, settings):
    settings.READ_CACHE_ENABLED = False
    compute = Counter()
    caching.cached(key, compute, depends=["teams"])
    caching.cached(key, compute, depends=["teams"])
    assert compute.calls == 2


def test_a_write_during_an_outage_invalidates_once_the_cache_is_back(key, monkeypatch):
    monkeypatch.setattr(caching, "_down_until", 0.0)
    monkeypatch.setattr(caching, "_pending", set())
    caching.cached(key, lambda: 0, depends=["teams"])  # cached before the outage
    with mock.patch.object(caching.cache, "set_many", side_effect=ConnectionError("redis down")):
        Team.objects.create(name="Written while Redis was down")
    monkeypatch.setattr(caching, "_down_until", 0.0)  # Redis answers again
    assert caching.cached(key, Counter(), depends=["teams"]) == 1


def test_session_writes_bump_nothing_and_no_value_may_depend_on_them(key, client, django_user_model):
    compute = Counter()
    caching.cached(key, compute, depends=["teams", "auth"])
    session = client.session
    session["x"] = 1
    session.save()
    caching.cached(key, compute, depends=["teams", "auth"])
    assert compute.calls == 1
    with pytest.raises(ValueError, match="sessions"):
        caching.cached(key, compute, depends=["sessions"])
