"""The saved-searches API (/api/saved-searches/): one's own only (anyone else's answer 404),
created from the browse page's filters, only the frequency changes afterwards."""

import pytest
from rest_framework.test import APIClient

from partnerships.notifications.models import SavedSearch

from .conftest import save

pytestmark = pytest.mark.django_db
LIST = "/api/saved-searches/"


def as_(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_anonymous_callers_get_401(student):
    search = save(student, q="unity")
    api = APIClient()
    assert api.get(LIST).status_code == 401
    assert (
        api.post(LIST, {"scope": "placements", "filters": {"q": "x"}}, format="json").status_code
        == 401
    )
    assert (
        api.patch(f"{LIST}{search.pk}/", {"frequency": "weekly"}, format="json").status_code == 401
    )
    assert api.delete(f"{LIST}{search.pk}/").status_code == 401
    assert SavedSearch.objects.count() == 1


def test_create_list_and_read_back(student, animation):
    api = as_(student)
    body = {
        "scope": "placements",
        "filters": {"sector": "animation", "mode": "remote", "paid_only": True, "q": "unity"},
        "frequency": "instant",
    }
    created = api.post(LIST, body, format="json")
    assert created.status_code == 201
    data = created.data
    assert data["label"] == "Paid remote placements in Animation matching “unity”"
    assert data["filters"] == {
        "q": "unity", "sector": "animation", "mode": "remote", "paid_only": True,
    }  # fmt: skip
    assert data["frequency"] == "instant"
    assert data["browse_url"] == "/placements/?q=unity&sector=animation&mode=remote&paid_only=on"
    assert data["last_alerted_at"] is None
    again = api.post(LIST, {**body, "frequency": "weekly"}, format="json")
    assert again.status_code == 200 and again.data["id"] == data["id"]
    assert again.data["frequency"] == "weekly"
    listed = api.get(LIST)
    assert listed.data["count"] == 1 and listed.data["results"][0]["id"] == data["id"]
    assert api.get(f"{LIST}{data['id']}/").data["label"] == data["label"]


def test_an_event_search_by_api(student, studio):
    response = as_(student).post(
        LIST,
        {"scope": "events", "filters": {"organiser": "pixel-forge", "attendance": "online"}},
        format="json",
    )
    assert response.status_code == 201
    assert response.data["frequency"] == "daily"  # the default
    assert response.data["filters"] == {"organiser": "pixel-forge", "attendance": "online"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": "placements", "filters": {"sector": "nope"}}, "sector"),
        ({"scope": "placements", "filters": {"colour": "blue"}}, "colour"),
        ({"scope": "placements", "filters": {}}, None),
        ({"scope": "placements", "filters": {"q": ["a", "b"]}}, "q"),
        ({"scope": "placements", "filters": {"q": "x"}, "frequency": "off"}, "frequency"),
        ({"scope": "calls", "filters": {"q": "x"}}, "scope"),
        ({"scope": "events", "filters": {"skill": "unity"}}, "skill"),
    ],
)
def test_invalid_filters_answer_400(student, body, field):
    response = as_(student).post(LIST, body, format="json")
    assert response.status_code == 400
    if field:
        assert field in response.data
    assert not SavedSearch.objects.exists()


def test_the_limit_answers_400(student):
    for number in range(20):
        save(student, q=f"search {number}")
    response = as_(student).post(
        LIST, {"scope": "placements", "filters": {"q": "more"}}, format="json"
    )
    assert response.status_code == 400
    assert response.data["code"] == "too_many_saved_searches"


def test_only_the_frequency_changes(student):
    search = save(student, q="unity")
    api = as_(student)
    changed = api.patch(f"{LIST}{search.pk}/", {"frequency": "weekly"}, format="json")
    assert changed.status_code == 200 and changed.data["frequency"] == "weekly"
    refused = api.patch(f"{LIST}{search.pk}/", {"frequency": "daily", "q": "x"}, format="json")
    assert refused.status_code == 400 and "q" in refused.data
    assert api.patch(f"{LIST}{search.pk}/", {"frequency": "off"}, format="json").status_code == 400
    assert api.put(f"{LIST}{search.pk}/", {"frequency": "daily"}, format="json").status_code == 405
    search.refresh_from_db()
    assert (search.frequency, search.q) == ("weekly", "unity")


def test_delete(student):
    search = save(student, q="unity")
    assert as_(student).delete(f"{LIST}{search.pk}/").status_code == 204
    assert not SavedSearch.objects.exists()


def test_someone_elses_search_answers_404(student, lecturer):
    search = save(student, q="unity")
    api = as_(lecturer)
    assert api.get(LIST).data["count"] == 0
    assert api.get(f"{LIST}{search.pk}/").status_code == 404
    assert (
        api.patch(f"{LIST}{search.pk}/", {"frequency": "weekly"}, format="json").status_code == 404
    )
    assert api.delete(f"{LIST}{search.pk}/").status_code == 404
    search.refresh_from_db()
    assert search.frequency == "daily"
