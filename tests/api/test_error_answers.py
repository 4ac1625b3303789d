"""What Schemathesis found and the fixes keep: API errors are JSON and documented; NUL characters
and far-off dates answer 400, not a server error."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.projects.conftest import LIVE_BRIEF

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_unknown_api_path_is_a_json_404(api):
    response = api.get("/api/events/1.5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_unknown_page_is_still_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("query", ["status=%00", "q=a%00b", "%00=1"])
def test_nul_in_an_api_query_is_a_json_400(api, query):
    response = api.get(f"/api/placements/?{query}")
    assert response.status_code == 400
    assert response.json() == {"detail": "NUL characters are not allowed."}


def test_nul_in_a_page_query_is_explained_by_the_form(client):
    response = client.get("/placements/?q=a%00b")
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


@pytest.mark.parametrize("deadline", ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z"])
def test_placement_deadline_far_off_is_refused(api, studio_owner, studio, deadline):
    api.force_authenticate(studio_owner)
    body = {
        "organisation": "pixel-forge", "kind": "internship", "title": "Rigging",
        "description": "Rigging.", "is_paid": False, "deadline": deadline,
    }  # fmt: skip
    response = api.post("/api/placements/", body, format="json")
    assert response.status_code == 400, response.content
    assert "deadline" in response.json()


@pytest.mark.parametrize("deadline", ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z"])
def test_call_deadline_far_off_is_refused(api, lecturer, university, deadline):
    api.force_authenticate(lecturer)
    body = {**LIVE_BRIEF, "organisation": "northbridge", "deadline": deadline}
    response = api.post("/api/opportunities/", body, format="json")
    assert response.status_code == 400, response.content
    assert "deadline" in response.json()


def test_schema_documents_the_error_answers():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    detail = schema["paths"]["/api/placements/{id}/"]
    assert {"401", "403", "404"} <= set(detail["get"]["responses"])
    assert {"400", "401", "403", "404", "409", "415", "429"} <= set(detail["patch"]["responses"])
    error = detail["patch"]["responses"]["409"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}
    # Reading changes nothing: no 409 or 415 to document there.
    assert not {"409", "415"} & set(detail["get"]["responses"])
