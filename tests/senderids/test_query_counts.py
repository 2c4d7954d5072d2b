"""No query-count growth: wizard pages, home and detail run the same number of queries whatever
the number of countries, requests or status events."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from countries.models import Country, SenderIdProcess
from senderids.choices import Status
from senderids.models import StatusEvent
from teams.services import team_ensure_for
from tests.factories import SenderIdRequestFactory

from .wizard_support import ANSWERS, WIZARD_URL, hidden_fields, step_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

# Generous ceilings: the point is the equality of counts below; these catch a silly regression.
# Each step also reads where the request would go: the user's team, its AWS accounts, the routes;
# the sender step and the review read the rule calendar (one query for every chosen country) and the
# team's company profile (the brand-match check).
MAX_QUERIES_PER_WIZARD_REQUEST = 16
# The last POST also places the request (the owner's team, the accounts it may use, the country's
# Region route), locks the team, re-checks duplicates and inserts the request and its event, each
# write inside savepoints (SAVEPOINT / RELEASE count as queries); and runs the checks once more before
# saving (the rule calendar and the company profile).
MAX_QUERIES_TO_CREATE = 36
MAX_QUERIES_PER_PAGE = 10


def counted(client, method: str, url: str, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    assert response.status_code in (200, 302), (url, response.status_code)
    return response, len(queries)


def wizard_query_counts(client, iso: str, sender_id: str, extra_steps: tuple[str, ...]) -> list[int]:
    """Queries of every GET and POST of one complete wizard run."""
    answers = {
        **ANSWERS,
        "country": {"country-country": iso},
        "sender": {**ANSWERS["sender"], "sender-sender_id": sender_id},
    }
    counts = []
    for step in ("country", "use-case", "sender", "review", *extra_steps):
        page, n_get = counted(client, "get", step_url(step))
        assert page.status_code == 200, (step, page.get("Location"))
        data = {**hidden_fields(page.content.decode()), **answers[step]}
        response, n_post = counted(client, "post", step_url(step), data)
        assert response.status_code == 302, (step, response.content.decode()[:500])
        counts += [n_get, n_post]
    return counts


def add_countries(n: int) -> None:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    taken = set(Country.objects.values_list("iso_code", flat=True))
    codes = [a + b for a in letters for b in letters if a + b not in taken][:n]
    for code in codes:
        Country.objects.create(
            iso_code=code, name=f"Testland {code}", sender_id_process=SenderIdProcess.SUPPORTED
        )


def add_requests(owner, country, n: int) -> None:
    for i in range(n):
        request = SenderIdRequestFactory(
            owner=owner, country=country, sender_id=f"OLD{i}", registration_choice="later"
        )
        StatusEvent.objects.create(request=request, to_status=Status.PENDING_REVIEW, actor=owner)


@pytest.mark.parametrize(
    ("iso", "extra_steps"), [("DE", ()), ("IN", ("registration",)), ("VN", ("support-case",))]
)
def test_wizard_query_count_does_not_grow_with_countries_or_requests(
    owner_client, owner, countries, iso, extra_steps, django_assert_max_num_queries, settings
):
    settings.AWS_REGION = "ap-south-1"  # India's registration form exists only there
    team_ensure_for(owner)  # a member of a team, as every user is after their first request
    owner_client.get(WIZARD_URL)
    before = wizard_query_counts(owner_client, iso, "FIRST", extra_steps)
    add_countries(120)
    add_requests(owner, countries[iso], 40)
    with django_assert_max_num_queries(MAX_QUERIES_PER_WIZARD_REQUEST * len(before)):
        after = wizard_query_counts(owner_client, iso, "SECOND", extra_steps)
    assert after == before
    assert max(after[:-1]) <= MAX_QUERIES_PER_WIZARD_REQUEST
    assert after[-1] <= MAX_QUERIES_TO_CREATE


def test_country_step_is_one_query_for_the_whole_catalogue(
    owner_client, countries, django_assert_max_num_queries
):
    owner_client.get(WIZARD_URL)
    _, few = counted(owner_client, "get", step_url("country"))
    add_countries(200)
    with django_assert_max_num_queries(few):
        response = owner_client.get(step_url("country"))
    assert "Testland" in response.content.decode()


def test_home_query_count_does_not_grow_with_requests(
    owner_client, owner, countries, django_assert_max_num_queries
):
    add_requests(owner, countries["IN"], 1)
    _, few = counted(owner_client, "get", "/")
    add_requests(owner, countries["IN"], 40)
    with django_assert_max_num_queries(few):
        response = owner_client.get("/")
    assert few <= MAX_QUERIES_PER_PAGE
    assert response.content.decode().count('class="badge pending_review"') == 25  # one page


def test_detail_query_count_does_not_grow_with_events(
    owner_client, owner, countries, django_assert_max_num_queries
):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"])
    StatusEvent.objects.create(request=request, to_status=Status.PENDING_REVIEW, actor=owner)
    _, few = counted(owner_client, "get", f"/sender-ids/{request.pk}/")
    for n in range(30):
        StatusEvent.objects.create(
            request=request, from_status="a", to_status="b", actor=owner, reason=str(n)
        )
    with django_assert_max_num_queries(few):
        response = owner_client.get(f"/sender-ids/{request.pk}/")
    assert few <= MAX_QUERIES_PER_PAGE
    assert response.content.decode().count("<li data-to=") == 31
