"""Every persona against every curriculum review action, in HTML and in the API.

The world: Northbridge (Lena) has an open review wanting three reviewers, with a syllabus, and a
draft. Mia (Pixel Forge) is an accepted reviewer and has submitted her response; Olga (Other
Studio) is accepted with a response still in draft; Oscar (Pixel Forge) has volunteered and waits.

A review or response a person may not see answers 404; a visible one they may not change answers
403; anonymous visitors are sent to log in (302) and anonymous API callers get 401. Each refusal is
checked to leave the data unchanged.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships.curriculum.models import (
    CurriculumReview,
    Reviewer,
    ReviewerStatus,
    ReviewResponse,
    ReviewStatus,
)

from .conftest import MINIMAL_PDF, ReviewerFactory, make_industry_people, make_response

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
def world(
    open_review,
    draft_review,
    studio,
    other_studio,
    studio_owner,
    studio_member,
    other_owner,
    pending_owner,
    student,
    industry_newcomer,
    platform_admin,
):
    open_review.reviewers_wanted = 3
    open_review.syllabus.save("syllabus.pdf", ContentFile(MINIMAL_PDF))
    mia = ReviewerFactory(
        review=open_review, user=studio_member, organisation=studio, status="accepted"
    )
    olga = ReviewerFactory(
        review=open_review, user=other_owner, organisation=other_studio, status="accepted"
    )
    oscar = ReviewerFactory(review=open_review, user=studio_owner, organisation=studio)
    return {
        "open": open_review,
        "draft": draft_review,
        "oscar": oscar,
        "mia_response": make_response(mia, relevance=4, comments="Mia's private view"),
        "olga_response": make_response(olga, relevance=2, submitted=False),
    }


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

HTML_PAGES = [
    # (name, review key) — GET pages, in the column order of HTML_EXPECTED
    ("curriculum:detail", "open"),
    ("curriculum:detail", "draft"),
    ("curriculum:edit", "draft"),
    ("curriculum:edit", "open"),
    ("curriculum:syllabus", "open"),
    ("curriculum:reviewers", "open"),
    ("curriculum:summary", "open"),
    ("curriculum:export", "open"),
    ("curriculum:response", "open"),
]
HTML_EXPECTED = {
    "anonymous": (302, 302, 302, 302, 302, 302, 302, 302, 302),
    "student": (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "lecturer": (200, 200, 200, 409, 200, 200, 200, 200, 403),
    "studio_owner": (200, 404, 404, 403, 200, 403, 403, 403, 403),
    "studio_member": (200, 404, 404, 403, 200, 403, 403, 403, 200),
    "other_owner": (200, 404, 404, 403, 200, 403, 403, 403, 200),
    "pending_owner": (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "industry_newcomer": (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "platform_admin": (200, 200, 403, 403, 200, 200, 200, 200, 403),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_html_pages(client, request, world, persona):
    client = as_user(client, request, persona)
    got = tuple(
        client.get(reverse(name, args=[world[key].pk])).status_code for name, key in HTML_PAGES
    )
    assert got == HTML_EXPECTED[persona]


def test_anonymous_is_sent_to_log_in(client, world):
    for name in ("curriculum:browse", "curriculum:create"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


HTML_ACTIONS_EXPECTED = {
    # persona: (edit the open review, open the draft, accept Oscar, volunteer again)
    "anonymous": (302, 302, 302, 302),
    "student": (404, 404, 404, 404),
    "lecturer": (409, 302, 302, 403),
    "studio_owner": (403, 404, 403, 409),
    "studio_member": (403, 404, 403, 409),
    "other_owner": (403, 404, 403, 409),
    "pending_owner": (404, 404, 404, 404),
    "industry_newcomer": (404, 404, 404, 404),
    "platform_admin": (403, 403, 403, 403),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_html_actions_and_nothing_changes_when_refused(client, request, world, persona):
    edit, open_draft, accept, volunteer = HTML_ACTIONS_EXPECTED[persona]
    client = as_user(client, request, persona)
    review, draft, oscar = world["open"], world["draft"], world["oscar"]
    reviewers_before = Reviewer.objects.count()

    response = client.post(
        reverse("curriculum:edit", args=[review.pk]),
        {"title": "Hijacked", "course_name": "x", "level": "foundation"},
    )
    assert response.status_code == edit
    assert CurriculumReview.objects.get(pk=review.pk).title == "Review our Games Art BA"

    response = client.post(reverse("curriculum:transition", args=[draft.pk, "open"]))
    assert response.status_code == open_draft
    expected = ReviewStatus.OPEN if open_draft == 302 and persona != "anonymous" else "draft"
    assert CurriculumReview.objects.get(pk=draft.pk).status == expected

    url = reverse("curriculum:reviewer_decide", args=[review.pk, oscar.pk, "accept"])
    assert client.post(url).status_code == accept
    expected = "accepted" if accept == 302 and persona != "anonymous" else "volunteered"
    assert Reviewer.objects.get(pk=oscar.pk).status == expected

    response = client.post(reverse("curriculum:volunteer", args=[review.pk]), {"note": "me"})
    assert response.status_code == volunteer
    assert Reviewer.objects.count() == reviewers_before


def test_a_studio_cannot_edit_or_cancel_a_universitys_review(client, world, studio_owner):
    client.force_login(studio_owner)
    review = world["open"]
    url = reverse("curriculum:transition", args=[review.pk, "cancel"])
    assert client.post(url).status_code == 403
    assert CurriculumReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN


def test_a_visible_review_syllabus_is_refused_to_people_not_involved(client, world):
    ((outsider, _studio),) = make_industry_people(1, prefix="outsider")
    client.force_login(outsider)
    review = world["open"]
    assert client.get(reverse("curriculum:detail", args=[review.pk])).status_code == 200
    response = client.get(reverse("curriculum:syllabus", args=[review.pk]))
    assert response.status_code == 403
    assert b"%PDF" not in response.content


def test_a_reviewer_never_sees_another_reviewers_response_in_html(client, world, other_owner):
    client.force_login(other_owner)
    page = client.get(reverse("curriculum:response", args=[world["open"].pk]))
    assert page.status_code == 200
    assert "Mia's private view" not in page.content.decode()
    assert client.get(reverse("curriculum:summary", args=[world["open"].pk])).status_code == 403


# --- API ------------------------------------------------------------------------------------

API_EXPECTED = {
    # persona: (GET open, GET draft, PATCH draft, open draft, summary, GET Mia's response,
    #           volunteer, accept Oscar)
    "anonymous": (401, 401, 401, 401, 401, 401, 401, 401),
    "student": (404, 404, 404, 404, 404, 404, 404, 404),
    "lecturer": (200, 200, 200, 200, 200, 200, 403, 200),
    "studio_owner": (200, 404, 404, 404, 403, 404, 409, 403),
    "studio_member": (200, 404, 404, 404, 403, 200, 409, 404),
    "other_owner": (200, 404, 404, 404, 403, 404, 409, 404),
    "pending_owner": (404, 404, 404, 404, 404, 404, 404, 404),
    "industry_newcomer": (404, 404, 404, 404, 404, 404, 404, 404),
    "platform_admin": (200, 200, 403, 403, 200, 200, 403, 403),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_actions_and_nothing_changes_when_refused(request, world, persona):
    get_open, get_draft, patch, open_draft, summary, mia, volunteer, accept = API_EXPECTED[persona]
    api = api_as(request, persona)
    review, draft, oscar = world["open"], world["draft"], world["oscar"]
    reviewers_before = Reviewer.objects.count()

    assert api.get(f"/api/curriculum-reviews/{review.pk}/").status_code == get_open
    assert api.get(f"/api/curriculum-reviews/{draft.pk}/").status_code == get_draft

    response = api.patch(
        f"/api/curriculum-reviews/{draft.pk}/", {"title": f"{persona} title"}, format="json"
    )
    assert response.status_code == patch, response.content
    changed = CurriculumReview.objects.get(pk=draft.pk).title == f"{persona} title"
    assert changed == (patch == 200)

    response = api.post(f"/api/curriculum-reviews/{draft.pk}/open/")
    assert response.status_code == open_draft, response.content
    opened = CurriculumReview.objects.get(pk=draft.pk).status == ReviewStatus.OPEN
    assert opened == (open_draft == 200)

    response = api.get(f"/api/curriculum-reviews/{review.pk}/summary/")
    assert response.status_code == summary

    response = api.get(f"/api/curriculum-responses/{world['mia_response'].pk}/")
    assert response.status_code == mia

    response = api.post(
        "/api/curriculum-reviewers/", {"review": review.pk, "note": "again"}, format="json"
    )
    assert response.status_code == volunteer, response.content
    assert Reviewer.objects.count() == reviewers_before

    response = api.post(f"/api/curriculum-reviewers/{oscar.pk}/accept/")
    assert response.status_code == accept, response.content
    status = Reviewer.objects.get(pk=oscar.pk).status
    assert status == (ReviewerStatus.ACCEPTED if accept == 200 else ReviewerStatus.VOLUNTEERED)


RESPONSE_LISTS = {
    # persona: which responses the list shows
    "student": set(),
    "lecturer": {"mia_response"},
    "studio_owner": set(),
    "studio_member": {"mia_response"},
    "other_owner": {"olga_response"},
    "pending_owner": set(),
    "industry_newcomer": set(),
    "platform_admin": {"mia_response"},
}


@pytest.mark.parametrize("persona", RESPONSE_LISTS)
def test_api_response_lists_never_leak(request, world, persona):
    response = api_as(request, persona).get("/api/curriculum-responses/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {world[key].pk for key in RESPONSE_LISTS[persona]}


REVIEW_LISTS = {
    "student": set(),
    "lecturer": {"open", "draft"},
    "studio_owner": {"open"},
    "studio_member": {"open"},
    "other_owner": {"open"},
    "pending_owner": set(),
    "industry_newcomer": set(),
    "platform_admin": {"open", "draft"},
}


@pytest.mark.parametrize("persona", REVIEW_LISTS)
def test_api_and_html_review_lists_never_leak(client, request, world, persona):
    response = api_as(request, persona).get("/api/curriculum-reviews/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {world[key].pk for key in REVIEW_LISTS[persona]}
    client = as_user(client, request, persona)
    page = client.get(reverse("curriculum:browse"), {"scope": "mine"})
    shown = {r.pk for r in page.context["page"].object_list}
    assert shown <= ids


def test_anonymous_api_lists_answer_401(world):
    api = APIClient()
    for path in (
        "/api/curriculum-reviews/",
        "/api/curriculum-reviewers/",
        "/api/curriculum-responses/",
    ):
        assert api.get(path).status_code == 401


def test_a_reviewer_cannot_change_another_reviewers_response(world, other_owner, studio_member):
    api = APIClient()
    api.force_authenticate(other_owner)
    mia_response = world["mia_response"]
    response = api.patch(
        f"/api/curriculum-responses/{mia_response.pk}/", {"relevance": 1}, format="json"
    )
    assert response.status_code == 404
    olga_response = world["olga_response"]
    api.force_authenticate(studio_member)
    response = api.patch(
        f"/api/curriculum-responses/{olga_response.pk}/", {"relevance": 5}, format="json"
    )
    assert response.status_code == 404
    assert ReviewResponse.objects.get(pk=mia_response.pk).relevance == 4
    assert ReviewResponse.objects.get(pk=olga_response.pk).relevance == 2


def test_the_requester_cannot_change_a_reviewers_response(world, lecturer):
    api = APIClient()
    api.force_authenticate(lecturer)
    mia_response = world["mia_response"]
    response = api.patch(
        f"/api/curriculum-responses/{mia_response.pk}/", {"relevance": 1}, format="json"
    )
    assert response.status_code == 403
    assert ReviewResponse.objects.get(pk=mia_response.pk).relevance == 4
