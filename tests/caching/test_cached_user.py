"""The signed-in user of each request comes through the read cache (config.auth.CachedUserBackend):
no query for it on a warm page, and never a user that has changed since."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_password_hasher")]


@pytest.fixture
def member(client):
    user = get_user_model().objects.create_user("cached-member", password="pw-cached-1")
    client.force_login(user)
    return user


def _user_queries(client, path: str = "/sender-ids/mine/") -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return sum('FROM "auth_user"' in q["sql"] and "WHERE" in q["sql"] for q in captured.captured_queries)


def test_a_warm_page_reads_no_user_row(client, member):
    _user_queries(client)
    assert _user_queries(client) == 0


def test_a_deactivated_user_is_signed_out_at_once(client, member):
    _user_queries(client)
    get_user_model().objects.filter(pk=member.pk).update(is_active=False)
    response = client.get("/sender-ids/mine/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_password_changed_elsewhere_ends_the_session(client, member):
    _user_queries(client)
    member.set_password("pw-cached-2")
    member.save()
    response = client.get("/sender-ids/mine/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_rename_shows_at_once(client, member):
    client.get("/sender-ids/mine/")
    get_user_model().objects.filter(pk=member.pk).update(first_name="Renamed")
    assert client.get("/").wsgi_request.user.first_name == "Renamed"


def test_permissions_come_from_the_cache_and_follow_every_change(client, member):
    from django.contrib.auth.models import Group, Permission

    user = get_user_model().objects.get(pk=member.pk)
    assert not user.has_perm("senderids.view_senderidrequest")
    group = Group.objects.create(name="Readers")
    group.permissions.add(Permission.objects.get(codename="view_senderidrequest"))
    user.groups.add(group)
    fresh = get_user_model().objects.get(pk=member.pk)
    assert fresh.has_perm("senderids.view_senderidrequest")
    with CaptureQueriesContext(connection) as captured:
        assert get_user_model().objects.get(pk=member.pk).has_perm("senderids.view_senderidrequest")
    assert not any("auth_permission" in q["sql"] for q in captured.captured_queries)
    user.groups.remove(group)
    assert not get_user_model().objects.get(pk=member.pk).has_perm("senderids.view_senderidrequest")
