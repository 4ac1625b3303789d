"""The curriculum review API under the same rules as the pages: services, selectors, no mass
assignment, clear 4xx errors and a constant number of queries per list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from partnerships.curriculum.models import (
    CurriculumReview,
    Reviewer,
    ReviewerStatus,
    ReviewResponse,
    ReviewStatus,
)
from partnerships.organisations.models import Kind
from tests.factories import OrganisationFactory, SectorFactory

from .conftest import MINIMAL_PDF, ReviewerFactory, ReviewFactory, in_days

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(**overrides):
    data = {
        "institution": "northbridge",
        "title": "Review our Games Art BA",
        "course_name": "BA Games Art",
        "level": "undergraduate",
        "learning_outcomes": "Model real-time assets.",
        "reviewers_wanted": 3,
        "deadline": in_days(10).isoformat(),
    }
    data.update(overrides)
    return data


def test_create_ignores_status_and_ownership_fields(lecturer, university, platform_admin):
    sector = SectorFactory(slug="games-api")
    response = api_for(lecturer).post(
        "/api/curriculum-reviews/",
        payload(
            status="completed",
            requested_by=platform_admin.pk,
            status_changed_by=platform_admin.pk,
            sectors=["games-api"],
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["sectors"] == ["games-api"]
    assert body["syllabus_url"] is None
    review = CurriculumReview.objects.get(pk=body["id"])
    assert review.requested_by == lecturer
    assert review.status_changed_by == lecturer
    assert list(review.sectors.all()) == [sector]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deadline": in_days(0).isoformat()}, "deadline"),
        ({"reviewers_wanted": 21}, "reviewers_wanted"),
        ({"level": "kindergarten"}, "level"),
        ({"institution": "pixel-forge"}, "institution"),
        ({"sectors": ["no-such-sector"]}, "sectors"),
    ],
)
def test_create_validation_errors(lecturer, studio, overrides, field):
    response = api_for(lecturer).post("/api/curriculum-reviews/", payload(**overrides), "json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not CurriculumReview.objects.exists()


def test_create_for_an_institution_you_do_not_belong_to_is_403(studio_owner, university):
    other = OrganisationFactory(kind=Kind.INSTITUTION, slug="elsewhere")
    response = api_for(studio_owner).post("/api/curriculum-reviews/", payload(), format="json")
    assert response.status_code == 403
    response = api_for(studio_owner).post(
        "/api/curriculum-reviews/", payload(institution=other.slug), format="json"
    )
    assert response.status_code == 403
    assert not CurriculumReview.objects.exists()


def test_syllabus_upload_is_checked_by_content(lecturer, university):
    api = api_for(lecturer)
    fake = SimpleUploadedFile("syllabus.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    response = api.post("/api/curriculum-reviews/", {**payload(), "syllabus": fake})
    assert response.status_code == 400
    assert "syllabus" in response.json()
    real = SimpleUploadedFile("syllabus.pdf", MINIMAL_PDF, "application/pdf")
    response = api.post("/api/curriculum-reviews/", {**payload(), "syllabus": real})
    assert response.status_code == 201, response.content
    review_id = response.json()["id"]
    assert response.json()["syllabus_url"] == f"/curriculum-reviews/{review_id}/syllabus/"


def test_oversized_syllabus_upload_is_refused(lecturer, university, settings):
    settings.MAX_DOCUMENT_UPLOAD_BYTES = 100
    big = SimpleUploadedFile("syllabus.pdf", MINIMAL_PDF + b" " * 300)
    response = api_for(lecturer).post("/api/curriculum-reviews/", {**payload(), "syllabus": big})
    assert response.status_code == 400
    assert "limit" in str(response.json()["syllabus"])


def test_patch_cannot_change_status_or_institution(lecturer, draft_review):
    api = api_for(lecturer)
    url = f"/api/curriculum-reviews/{draft_review.pk}/"
    response = api.patch(url, {"title": "New title", "status": "completed"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    response = api.patch(url, {"institution": "pixel-forge"}, format="json")
    assert response.status_code == 400
    draft_review.refresh_from_db()
    assert (draft_review.title, draft_review.status) == ("New title", ReviewStatus.DRAFT)


def test_status_actions(lecturer, draft_review):
    api = api_for(lecturer)
    base = f"/api/curriculum-reviews/{draft_review.pk}"
    response = api.post(f"{base}/complete/")
    assert response.status_code == 409
    assert "Only a closed review" in response.json()["detail"]
    for action, status in [("open", "open"), ("close", "closed"), ("complete", "completed")]:
        response = api.post(f"{base}/{action}/")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
    assert api.post(f"{base}/cancel/").status_code == 409
    assert api.patch(f"{base}/", {"title": "x"}, format="json").status_code == 409


def test_cancel_through_the_api(lecturer, open_review):
    response = api_for(lecturer).post(f"/api/curriculum-reviews/{open_review.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_volunteer_accept_respond_submit(lecturer, studio_owner, studio, open_review, skills):
    oscar = api_for(studio_owner)
    response = oscar.post(
        "/api/curriculum-reviewers/",
        {
            "review": open_review.pk,
            "organisation": "pixel-forge",
            "note": "Hi",
            "status": "accepted",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "volunteered"
    reviewer_id = response.json()["id"]
    response = oscar.post(
        "/api/curriculum-responses/", {"review": open_review.pk, "relevance": 3}, format="json"
    )
    assert response.status_code == 403  # not accepted yet

    response = api_for(lecturer).post(f"/api/curriculum-reviewers/{reviewer_id}/accept/")
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"

    response = oscar.post(
        "/api/curriculum-responses/",
        {"review": open_review.pk, "relevance": 7, "missing_skills": ["unreal"]},
        format="json",
    )
    assert response.status_code == 400
    assert "relevance" in response.json()
    response = oscar.post(
        "/api/curriculum-responses/",
        {
            "review": open_review.pk,
            "relevance": 3,
            "missing_skills": ["unreal"],
            "submitted_at": "2020-01-01T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["submitted_at"] is None
    assert body["missing_skills"] == ["unreal"]
    url = f"/api/curriculum-responses/{body['id']}/"
    response = oscar.patch(url, {"relevance": 4, "comments": "Edited"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["missing_skills"] == ["unreal"]  # untouched fields are kept
    assert oscar.patch(url, {"review": 999999}, format="json").status_code == 404
    response = oscar.post(f"{url}submit/")
    assert response.status_code == 200
    assert response.json()["submitted_at"] is not None
    response = oscar.patch(url, {"relevance": 1}, format="json")
    assert response.status_code == 409
    assert oscar.post(f"{url}submit/").status_code == 409
    saved = ReviewResponse.objects.get()
    assert (saved.relevance, saved.comments) == (4, "Edited")

    response = oscar.post(f"/api/curriculum-reviewers/{reviewer_id}/withdraw/")
    assert response.status_code == 409  # submitted: too late to withdraw


def test_volunteer_for_an_invisible_review_is_404(studio_owner, draft_review):
    response = api_for(studio_owner).post(
        "/api/curriculum-reviewers/", {"review": draft_review.pk}, format="json"
    )
    assert response.status_code == 404
    response = api_for(studio_owner).post(
        "/api/curriculum-reviewers/", {"review": 987654}, format="json"
    )
    assert response.status_code == 404
    assert not Reviewer.objects.exists()


def test_decline_and_withdraw(lecturer, open_review, volunteer_row, accepted_row, studio_member):
    response = api_for(lecturer).post(f"/api/curriculum-reviewers/{volunteer_row.pk}/decline/")
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    response = api_for(studio_member).post(f"/api/curriculum-reviewers/{accepted_row.pk}/withdraw/")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_reviewer_lists(lecturer, studio_owner, studio_member, volunteer_row, accepted_row):
    ids = {r["id"] for r in api_for(lecturer).get("/api/curriculum-reviewers/").json()["results"]}
    assert ids == {volunteer_row.pk, accepted_row.pk}
    ids = {
        r["id"] for r in api_for(studio_owner).get("/api/curriculum-reviewers/").json()["results"]
    }
    assert ids == {volunteer_row.pk}
    response = api_for(studio_member).get(f"/api/curriculum-reviewers/{volunteer_row.pk}/")
    assert response.status_code == 404


def test_accepting_beyond_the_number_wanted_is_409(lecturer, open_review):
    rows = [ReviewerFactory(review=open_review) for _ in range(3)]
    api = api_for(lecturer)
    for row in rows[:2]:
        assert api.post(f"/api/curriculum-reviewers/{row.pk}/accept/").status_code == 200
    response = api.post(f"/api/curriculum-reviewers/{rows[2].pk}/accept/")
    assert response.status_code == 409
    assert response.json()["code"] == "reviewers_full"
    assert open_review.reviewers.filter(status=ReviewerStatus.ACCEPTED).count() == 2


@pytest.mark.parametrize("rows", [5, 200])
def test_api_list_query_count_is_constant(studio_owner, rows, django_assert_max_num_queries):
    sectors = [SectorFactory(), SectorFactory()]
    for number in range(rows):
        institution = OrganisationFactory(kind=Kind.INSTITUTION, slug=f"uni-{number}")
        ReviewFactory(institution=institution).sectors.set(sectors)
    api = api_for(studio_owner)
    with django_assert_max_num_queries(6):
        response = api.get("/api/curriculum-reviews/", {"page_size": 100})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(rows, 100)
    assert response.json()["count"] == rows
    assert len(response.json()["results"][0]["sectors"]) == 2


def test_api_list_filters(studio_owner, university):
    ReviewFactory(institution=university, title="Games", level="undergraduate")
    ReviewFactory(institution=university, title="UX", level="postgraduate", course_name="MA UX")
    api = api_for(studio_owner)

    def titles(**params):
        return sorted(
            r["title"] for r in api.get("/api/curriculum-reviews/", params).json()["results"]
        )

    assert titles() == ["Games", "UX"]
    assert titles(level="postgraduate") == ["UX"]
    assert titles(search="ma ux") == ["UX"]
