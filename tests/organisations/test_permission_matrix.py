"""Every role against every organisation action, in HTML and in the API.

Another organisation's private object answers 404 (ids cannot be probed); a visible object the
person may not change answers 403; anonymous HTML visitors are sent to log in (302), anonymous API
callers get 401. Each refused action is checked to leave the data unchanged.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships.organisations.models import Invitation, Organisation, Status

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "student",
    "lecturer",
    "studio_owner",
    "studio_member",
    "other_owner",
    "pending_owner",
    "industry_newcomer",
    "platform_admin",
]


@pytest.fixture
def world(studio, pending_studio, studio_owner, studio_member, other_owner, pending_owner):
    return {"studio": studio, "pending": pending_studio}


def as_user(client, request, persona: str):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def api_as(request, persona: str) -> APIClient:
    client = APIClient()
    if persona != "anonymous":
        client.force_authenticate(request.getfixturevalue(persona))
    return client


# --- HTML -----------------------------------------------------------------------------------

HTML_EXPECTED = {
    # persona: (edit verified studio, people page, invite, verification queue, view pending studio)
    "anonymous": (302, 302, 302, 302, 404),
    "student": (403, 403, 403, 403, 404),
    "lecturer": (403, 403, 403, 403, 404),
    "studio_owner": (200, 200, 302, 403, 404),
    "studio_member": (403, 200, 403, 403, 404),
    "other_owner": (403, 403, 403, 403, 404),
    "pending_owner": (403, 403, 403, 403, 200),
    "industry_newcomer": (403, 403, 403, 403, 404),
    "platform_admin": (200, 200, 302, 200, 200),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_html_organisation_actions(client, request, world, persona):
    edit, people, invite, queue, pending = HTML_EXPECTED[persona]
    client = as_user(client, request, persona)
    slug = world["studio"].slug

    assert client.get(reverse("organisations:detail", args=[slug])).status_code == 200
    assert client.get(reverse("organisations:edit", args=[slug])).status_code == edit
    assert client.get(reverse("organisations:people", args=[slug])).status_code == people
    response = client.post(
        reverse("organisations:people", args=[slug]),
        {"email": f"{persona}-guest@example.org", "role": "member"},
    )
    assert response.status_code == invite
    invited = Invitation.objects.filter(email=f"{persona}-guest@example.org").exists()
    assert invited == (invite == 302 and persona != "anonymous")
    assert client.get(reverse("organisations:verification_queue")).status_code == queue
    pending_slug = world["pending"].slug
    assert client.get(reverse("organisations:detail", args=[pending_slug])).status_code == pending


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "platform_admin"])
def test_html_only_admins_verify(client, request, world, persona):
    client = as_user(client, request, persona)
    url = reverse("organisations:verification_decide", args=[world["pending"].slug, "verify"])
    response = client.post(url)
    assert response.status_code in (302, 403)
    if persona == "anonymous":
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
    world["pending"].refresh_from_db()
    assert world["pending"].status == Status.PENDING


def test_html_admin_verifies(client, platform_admin, world):
    client.force_login(platform_admin)
    url = reverse("organisations:verification_decide", args=[world["pending"].slug, "verify"])
    assert client.post(url).status_code == 302
    world["pending"].refresh_from_db()
    assert world["pending"].status == Status.VERIFIED


# --- API ------------------------------------------------------------------------------------

API_EXPECTED = {
    # persona: (PATCH verified studio, GET pending studio, verify pending, invite to studio)
    "anonymous": (401, 404, 401, 401),
    "student": (403, 404, 404, 403),
    "lecturer": (403, 404, 404, 403),
    "studio_owner": (200, 404, 404, 201),
    "studio_member": (403, 404, 404, 403),
    "other_owner": (403, 404, 404, 403),
    "pending_owner": (403, 200, 403, 403),
    "industry_newcomer": (403, 404, 404, 403),
    "platform_admin": (200, 200, 200, 201),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_organisation_actions(request, world, persona):
    patch, get_pending, verify, invite = API_EXPECTED[persona]
    api = api_as(request, persona)
    slug, pending_slug = world["studio"].slug, world["pending"].slug

    assert api.get(f"/api/organisations/{slug}/").status_code == 200
    response = api.patch(
        f"/api/organisations/{slug}/", {"location": f"{persona} town"}, format="json"
    )
    assert response.status_code == patch, response.content
    location = Organisation.objects.get(slug=slug).location
    assert (location == f"{persona} town") == (patch == 200)

    assert api.get(f"/api/organisations/{pending_slug}/").status_code == get_pending
    assert api.post(f"/api/organisations/{pending_slug}/verify/").status_code == verify
    expected_status = Status.VERIFIED if verify == 200 else Status.PENDING
    assert Organisation.objects.get(slug=pending_slug).status == expected_status

    response = api.post(
        "/api/invitations/",
        {"organisation": slug, "email": f"{persona}-guest@example.org"},
        format="json",
    )
    assert response.status_code == invite, response.content
    assert Invitation.objects.filter(email=f"{persona}-guest@example.org").exists() == (
        invite == 201
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_lists_never_leak_pending_organisations(request, world, persona):
    api = api_as(request, persona)
    response = api.get("/api/organisations/")
    assert response.status_code == 200
    slugs = {row["slug"] for row in response.json()["results"]}
    assert world["studio"].slug in slugs
    assert (world["pending"].slug in slugs) == (persona in ("pending_owner", "platform_admin"))
