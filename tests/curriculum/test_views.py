"""The curriculum review pages as people use them: forms keep input and answer 400, domain errors
answer their 4xx, uploads are checked by content, lists cost a constant number of queries."""

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import StudyLevel
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


def create_data(**overrides):
    data = {
        "title": "Review our Games Art BA",
        "course_name": "BA Games Art",
        "level": StudyLevel.UNDERGRADUATE,
        "learning_outcomes": "Model real-time assets.",
        "questions": "",
        "reviewers_wanted": "3",
        "deadline": in_days(10).isoformat(),
    }
    data.update(overrides)
    return data


# --- Browse ---------------------------------------------------------------------------------


def test_browse_lists_open_reviews_and_filters(client, university, lecturer, studio_owner):
    animation = SectorFactory(name="Animation", slug="animation-test")
    games = ReviewFactory(
        institution=university, title="Games Art BA review", course_name="BA Games Art"
    )
    games.sectors.add(animation)
    ReviewFactory(
        institution=university,
        title="Interaction design",
        course_name="MA UX",
        level=StudyLevel.POSTGRADUATE,
    )
    ReviewFactory(institution=university, title="A draft", status=ReviewStatus.DRAFT)
    ReviewFactory(institution=university, title="A closed one", status=ReviewStatus.CLOSED)
    client.force_login(studio_owner)

    def titles(**params):
        response = client.get(reverse("curriculum:browse"), params)
        assert response.status_code == 200
        return sorted(r.title for r in response.context["page"].object_list)

    assert titles() == ["Games Art BA review", "Interaction design"]
    assert titles(level="postgraduate") == ["Interaction design"]
    assert titles(sector="animation-test") == ["Games Art BA review"]
    assert titles(q="ma ux") == ["Interaction design"]
    assert titles(q="games art") == ["Games Art BA review"]
    assert titles(q="nothing-like-this") == []
    assert titles(level="spaceship", page="x") == ["Games Art BA review", "Interaction design"]


def test_browse_mine_shows_the_institutions_drafts(client, lecturer, draft_review, open_review):
    client.force_login(lecturer)
    response = client.get(reverse("curriculum:browse"), {"scope": "mine"})
    assert {r.pk for r in response.context["page"].object_list} == {
        draft_review.pk,
        open_review.pk,
    }
    assert "Curriculum reviews" in response.content.decode()


def test_browse_reviewing_shows_what_i_volunteered_for(client, volunteer_row, studio_owner):
    client.force_login(studio_owner)
    response = client.get(reverse("curriculum:browse"), {"scope": "reviewing"})
    assert [r.pk for r in response.context["page"].object_list] == [volunteer_row.review_id]


def _many_reviews(count: int) -> None:
    sectors = [SectorFactory(), SectorFactory()]
    for number in range(count):
        institution = OrganisationFactory(
            kind=Kind.INSTITUTION, name=f"University {number}", slug=f"university-{number}"
        )
        review = ReviewFactory(institution=institution)
        review.sectors.set(sectors)
        ReviewerFactory(review=review, status=ReviewerStatus.ACCEPTED)


@pytest.mark.parametrize("rows", [5, 200])
def test_browse_query_count_is_constant(client, studio_owner, rows, django_assert_max_num_queries):
    _many_reviews(rows)
    client.force_login(studio_owner)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("curriculum:browse"))
    assert len(response.context["page"].object_list) == min(rows, 20)
    assert "1 of 2 reviewers" in response.content.decode()


# --- Create and edit ------------------------------------------------------------------------


def test_lecturer_creates_a_draft_with_a_syllabus(client, lecturer, university):
    client.force_login(lecturer)
    assert client.get(reverse("curriculum:create")).status_code == 200
    sector = SectorFactory(name="Games", slug="games-test")
    data = create_data(
        sectors=[sector.pk],
        syllabus=SimpleUploadedFile("syllabus.pdf", MINIMAL_PDF, "application/pdf"),
    )
    response = client.post(reverse("curriculum:create"), data)
    assert response.status_code == 302
    review = CurriculumReview.objects.get()
    assert response["Location"] == reverse("curriculum:detail", args=[review.pk])
    assert review.status == ReviewStatus.DRAFT
    assert review.institution == university
    assert list(review.sectors.all()) == [sector]
    assert review.syllabus.name.startswith("private/syllabi/")
    page = client.get(response["Location"])
    assert "Open for reviewers" in page.content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("syllabus.pdf", b"MZ\x90\x00" + b"\x00" * 300), "not a PDF document"),
        (SimpleUploadedFile("syllabus.exe", MINIMAL_PDF), "Upload a PDF"),
    ],
)
def test_disguised_uploads_are_refused_and_input_kept(client, lecturer, upload, message):
    client.force_login(lecturer)
    response = client.post(
        reverse("curriculum:create"), create_data(title="Typed title kept", syllabus=upload)
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert "Typed title kept" in content
    assert not CurriculumReview.objects.exists()


def test_oversized_syllabus_is_refused(client, lecturer, settings):
    settings.MAX_DOCUMENT_UPLOAD_BYTES = 200
    client.force_login(lecturer)
    big = SimpleUploadedFile("syllabus.pdf", MINIMAL_PDF + b" " * 500)
    response = client.post(reverse("curriculum:create"), create_data(syllabus=big))
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    assert not CurriculumReview.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"deadline": in_days(-1).isoformat()}, "Choose a date after today"),
        ({"reviewers_wanted": "21"}, "less than or equal to 20"),
        ({"reviewers_wanted": "0"}, "greater than or equal to 1"),
        ({"level": "kindergarten"}, "Select a valid choice"),
        ({"learning_outcomes": ""}, "This field is required"),
    ],
)
def test_invalid_create_forms_answer_400(client, lecturer, overrides, message):
    client.force_login(lecturer)
    response = client.post(reverse("curriculum:create"), create_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CurriculumReview.objects.exists()


@pytest.mark.parametrize("persona", ["studio_owner", "student", "pending_owner"])
def test_only_institution_staff_see_the_create_form(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("curriculum:create")).status_code == 403
    assert client.post(reverse("curriculum:create"), create_data()).status_code == 403
    assert not CurriculumReview.objects.exists()


def test_edit_a_draft(client, lecturer, draft_review):
    client.force_login(lecturer)
    url = reverse("curriculum:edit", args=[draft_review.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, create_data(title="Renamed draft"))
    assert response.status_code == 302
    draft_review.refresh_from_db()
    assert draft_review.title == "Renamed draft"
    response = client.post(url, create_data(title="", course_name="Kept course"))
    assert response.status_code == 400
    assert "Kept course" in response.content.decode()
    draft_review.refresh_from_db()
    assert draft_review.title == "Renamed draft"


# --- Status changes -------------------------------------------------------------------------


def test_status_actions_through_the_pages(client, lecturer, draft_review):
    client.force_login(lecturer)

    def act(action):
        return client.post(reverse("curriculum:transition", args=[draft_review.pk, action]))

    assert act("complete").status_code == 409  # a draft cannot be completed
    draft_review.refresh_from_db()
    assert draft_review.status == ReviewStatus.DRAFT
    for action, status in [("open", "open"), ("close", "closed"), ("complete", "completed")]:
        response = act(action)
        assert response.status_code == 302, action
        draft_review.refresh_from_db()
        assert draft_review.status == status
    response = act("cancel")
    assert response.status_code == 409
    assert "Only a draft or open review can be cancelled" in response.content.decode()
    assert act("explode").status_code == 404


def test_opening_with_a_past_deadline_explains_why(client, lecturer, draft_review):
    CurriculumReview.objects.filter(pk=draft_review.pk).update(deadline=in_days(-2))
    client.force_login(lecturer)
    response = client.post(reverse("curriculum:transition", args=[draft_review.pk, "open"]))
    assert response.status_code == 400
    assert "deadline must be after today" in response.content.decode()
    draft_review.refresh_from_db()
    assert draft_review.status == ReviewStatus.DRAFT


def test_detail_shows_history_to_the_institution(client, lecturer, draft_review):
    client.force_login(lecturer)
    client.post(reverse("curriculum:transition", args=[draft_review.pk, "open"]))
    page = client.get(reverse("curriculum:detail", args=[draft_review.pk])).content.decode()
    assert "History" in page
    assert "Lena" in page


# --- Volunteering, reviewers and responses --------------------------------------------------


def test_the_whole_journey_through_the_pages(
    client, lecturer, studio_owner, open_review, skills, django_capture_on_commit_callbacks
):
    client.force_login(studio_owner)
    detail = client.get(reverse("curriculum:detail", args=[open_review.pk])).content.decode()
    assert "Volunteer to review" in detail
    url = reverse("curriculum:volunteer", args=[open_review.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"note": "Art director at Pixel Forge"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [lecturer.email]
    reviewer = Reviewer.objects.get(user=studio_owner)

    client.force_login(lecturer)
    page = client.get(reverse("curriculum:reviewers", args=[open_review.pk]))
    assert "Art director at Pixel Forge" in page.content.decode()
    decide = reverse("curriculum:reviewer_decide", args=[open_review.pk, reviewer.pk, "accept"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(decide).status_code == 302
    assert mail.outbox[-1].to == [studio_owner.email]
    bad = reverse("curriculum:reviewer_decide", args=[open_review.pk, reviewer.pk, "maybe"])
    assert client.post(bad).status_code == 404

    client.force_login(studio_owner)
    answer = reverse("curriculum:response", args=[open_review.pk])
    assert client.get(answer).status_code == 200
    response = client.post(answer, {"missing_skills_other": "Typed text kept", "action": "save"})
    assert response.status_code == 400  # relevance is required
    assert "Typed text kept" in response.content.decode()
    response = client.post(
        answer,
        {
            "relevance": "4",
            "missing_skills": [skills["unreal"].pk],
            "suggested_changes": "Teach USD pipelines.",
            "action": "save",
        },
    )
    assert response.status_code == 302
    saved = ReviewResponse.objects.get()
    assert saved.submitted_at is None
    assert "Teach USD pipelines." in client.get(answer).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            answer, {"relevance": "5", "suggested_changes": "Final.", "action": "submit"}
        )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.submitted_at is not None and saved.relevance == 5
    assert "submitted a review" in mail.outbox[-1].subject
    page = client.get(answer).content.decode()
    assert "Submitted responses are final" in page
    response = client.post(answer, {"relevance": "1", "action": "save"})
    assert response.status_code == 409
    saved.refresh_from_db()
    assert saved.relevance == 5


def test_withdraw_through_the_page(client, volunteer_row, studio_owner, other_owner):
    client.force_login(other_owner)
    url = reverse("curriculum:withdraw", args=[volunteer_row.review_id])
    assert client.post(url).status_code == 404  # Olga never volunteered
    client.force_login(studio_owner)
    assert client.post(url).status_code == 302
    volunteer_row.refresh_from_db()
    assert volunteer_row.status == ReviewerStatus.WITHDRAWN
    assert client.post(url).status_code == 409


def test_volunteering_twice_answers_409(client, volunteer_row, studio_owner):
    client.force_login(studio_owner)
    response = client.post(reverse("curriculum:volunteer", args=[volunteer_row.review_id]))
    assert response.status_code == 409
    assert Reviewer.objects.count() == 1


# --- Syllabus -------------------------------------------------------------------------------


def test_syllabus_download_is_a_safe_attachment(client, lecturer, open_review):
    open_review.syllabus.save("whatever.pdf", ContentFile(MINIMAL_PDF))
    client.force_login(lecturer)
    response = client.get(reverse("curriculum:syllabus", args=[open_review.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="BA-Games-Art-syllabus.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert open_review.syllabus.name.startswith("private/syllabi/")
    # Nothing serves private/ directly.
    assert client.get(f"/media/{open_review.syllabus.name}").status_code == 404


def test_syllabus_missing_answers_404(client, lecturer, open_review):
    client.force_login(lecturer)
    assert client.get(reverse("curriculum:syllabus", args=[open_review.pk])).status_code == 404


# --- Dashboards and navigation --------------------------------------------------------------


def test_university_dashboard_panel(client, lecturer, draft_review, open_review, volunteer_row):
    client.force_login(lecturer)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Reviews your institution requested" in page
    assert draft_review.title in page and open_review.title in page
    assert "1 volunteer waiting" in page
    assert reverse("curriculum:browse") in page  # the main navigation link


def test_industry_dashboard_panel(client, studio_member, accepted_row, university):
    other = ReviewFactory(institution=university, title="An open call for Mia")
    client.force_login(studio_member)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Reviews you are doing" in page
    assert accepted_row.review.title in page
    assert "Write your response" in page
    assert "Open calls for reviewers" in page
    assert other.title in page


def test_admin_dashboard_panel(client, platform_admin, open_review, draft_review):
    client.force_login(platform_admin)
    page = client.get(reverse("dashboard")).content.decode()
    assert "All reviews on Tandem" in page
    assert "Draft: 1" in page


def test_student_dashboard_has_no_panel(client, student, open_review):
    client.force_login(student)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Reviews you are doing" not in page
