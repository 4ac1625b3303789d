"""The placements API under the same rules as the pages: the whole journey, every stage move
valid and invalid (409 with a message), CV uploads checked by content and size, no mass
assignment, bodies that are not JSON objects, filters and full-text search, the supervisor's
token endpoint and a query count that does not grow with the rows."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from partnerships.placements import services
from partnerships.placements.models import (
    Application,
    ApplicationStatus,
    Placement,
    PlacementApproval,
    PlacementQuestion,
    PlacementStatus,
    StudentEvaluation,
    SupervisorEvaluation,
)
from partnerships.projects.search import is_postgres, refresh_search_vector
from tests.conftest import needs_service
from tests.factories import SectorFactory, SkillFactory

from .conftest import (
    MINIMAL_PDF,
    ApplicationFactory,
    PlacementFactory,
    cv_file,
    in_days,
    make_students,
)

pytestmark = pytest.mark.django_db

A = ApplicationStatus
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode"
)


def as_(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- The journey --------------------------------------------------------------------------------


def test_student_applies_studio_offers_officer_approves_and_both_evaluate(
    placement, student, studio_owner, officer, university
):
    question = PlacementQuestion.objects.create(placement=placement, text="Favourite tool?")
    sam, oscar, lena = as_(student), as_(studio_owner), as_(officer)

    response = sam.post(
        "/api/applications/",
        {"placement": placement.pk, "cover_letter": "Hire me", "for_credit": True,
         "cv": cv_file()},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    app = response.json()
    assert app["status"] == "draft" and app["cv_url"] == f"/api/applications/{app['id']}/cv/"
    url = f"/api/applications/{app['id']}/"
    response = sam.post(f"{url}submit/")
    assert response.status_code == 400 and "answers" in response.json()
    response = sam.patch(url, {"answer_texts": {str(question.pk): "Blender"}}, format="json")
    assert response.status_code == 200
    assert response.json()["answers"][0]["text"] == "Blender"
    assert sam.post(f"{url}submit/").json()["status"] == "submitted"
    assert sam.get(f"{url}cv/").status_code == 200
    assert oscar.get(f"{url}cv/").status_code == 200

    assert oscar.post(f"{url}review/").json()["status"] == "under_review"
    assert oscar.post(f"{url}shortlist/", {"message": "Nice"}, format="json").status_code == 200
    assert oscar.post(f"{url}interview/", {}, format="json").json()["status"] == "interview"
    assert oscar.post(f"{url}offer/", {"message": "Join us"}, format="json").status_code == 200
    assert sam.post(f"{url}accept/").json()["status"] == "accepted"

    approval = PlacementApproval.objects.get(application_id=app["id"])
    response = lena.get(f"/api/approvals/{approval.pk}/")
    checklist = response.json()["checklist"]
    assert len(checklist) == 3
    required = [i["id"] for i in checklist if i["required_for_low_risk"]]
    response = lena.post(f"/api/approvals/{approval.pk}/approve/", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "checklist_incomplete"
    response = lena.post(
        f"/api/approvals/{approval.pk}/approve/",
        {"checked_items": required, "low_risk": True},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["low_risk"] is True
    response = lena.post(f"/api/approvals/{approval.pk}/refuse/", {"reason": "x"}, format="json")
    assert response.status_code == 409  # already decided

    assert oscar.post(f"{url}complete/").json()["status"] == "completed"
    body = {"application": app["id"], "overall": 5, "learning": 4, "support": 5}
    assert sam.post("/api/student-evaluations/", body, format="json").status_code == 201
    assert sam.post("/api/student-evaluations/", body, format="json").status_code == 409

    token = services.supervisor_token(Application.objects.get(pk=app["id"]))
    body = {"token": token, "supervisor_name": "Oscar", "overall": 5, "skills": 4,
            "professionalism": 5, "communication": 4, "comments": "Great"}  # fmt: skip
    response = as_(None).post("/api/supervisor-evaluations/", body, format="json")
    assert response.status_code == 201, response.content
    assert "token" not in response.json()
    evaluation = SupervisorEvaluation.objects.get()
    assert evaluation.via_link and evaluation.submitted_by is None
    response = as_(None).post("/api/supervisor-evaluations/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "used"


def test_supervisor_token_endpoint_refuses_forged_and_bad_ratings_and_is_throttled(
    application,
):
    Application.objects.filter(pk=application.pk).update(status=A.COMPLETED)
    body = {"token": "forged", "supervisor_name": "X", "overall": 5, "skills": 5,
            "professionalism": 5, "communication": 5}  # fmt: skip
    response = as_(None).post("/api/supervisor-evaluations/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    good = {**body, "token": services.supervisor_token(application), "skills": 9}
    response = as_(None).post("/api/supervisor-evaluations/", good, format="json")
    assert response.status_code == 400 and "skills" in response.json()
    assert as_(None).post("/api/supervisor-evaluations/", [1], format="json").status_code == 400
    for _ in range(30):
        response = as_(None).post("/api/supervisor-evaluations/", body, format="json")
    assert response.status_code == 429
    assert not SupervisorEvaluation.objects.exists()


# --- Stage transitions --------------------------------------------------------------------------

ACTIONS = {
    "submit": (A.SUBMITTED, "student"),
    "review": (A.UNDER_REVIEW, "studio"),
    "shortlist": (A.SHORTLISTED, "studio"),
    "interview": (A.INTERVIEW, "studio"),
    "offer": (A.OFFERED, "studio"),
    "reject": (A.REJECTED, "studio"),
    "accept": (A.ACCEPTED, "student"),
    "decline": (A.DECLINED, "student"),
    "withdraw": (A.WITHDRAWN, "student"),
    "complete": (A.COMPLETED, "studio"),
}
CASES = [(current, name) for current in A.values for name in ACTIONS]


@pytest.mark.parametrize(("current", "name"), CASES)
def test_every_stage_move_through_the_api(placement, student, studio_owner, university, current,
                                          name):  # fmt: skip
    application = ApplicationFactory(
        placement=placement, student=student, institution=university, status=current,
        cv=cv_file(),
    )  # fmt: skip
    to, party = ACTIONS[name]
    actor = student if party == "student" else studio_owner
    allowed = to in services.APPLICATION_TRANSITIONS[current]
    transitions = application.transitions.count()

    response = as_(actor).post(f"/api/applications/{application.pk}/{name}/", {}, format="json")

    application.refresh_from_db()
    if current == A.DRAFT and party == "studio":
        assert response.status_code == 404  # drafts are the student's alone
        assert application.status == current
    elif allowed:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == to == application.status
        assert application.transitions.count() == transitions + 1
    else:
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "invalid_transition"
        assert response.json()["detail"].startswith("An application that is")
        assert application.status == current
        assert application.transitions.count() == transitions


def test_wrong_party_is_refused(application, student, studio_owner):
    url = f"/api/applications/{application.pk}/"
    response = as_(student).post(f"{url}shortlist/", {}, format="json")
    assert response.status_code == 403 and "Pixel Forge" in response.json()["detail"]
    Application.objects.filter(pk=application.pk).update(status=A.OFFERED)
    assert as_(studio_owner).post(f"{url}accept/").status_code == 403
    application.refresh_from_db()
    assert application.status == A.OFFERED


def test_offers_are_limited_to_free_positions(placement, studio_owner, university):
    placement.positions = 1
    placement.save()
    one, two = (
        ApplicationFactory(placement=placement, institution=university, status=A.SHORTLISTED)
        for _ in range(2)
    )
    oscar = as_(studio_owner)
    assert oscar.post(f"/api/applications/{one.pk}/offer/", {}, format="json").status_code == 200
    response = oscar.post(f"/api/applications/{two.pk}/offer/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "no_free_position"
    two.refresh_from_db()
    assert two.status == A.SHORTLISTED


def test_submit_after_the_deadline_is_refused(placement, student):
    draft = ApplicationFactory(placement=placement, student=student, status=A.DRAFT, cv=cv_file())
    Placement.objects.filter(pk=placement.pk).update(deadline=in_days(-1))
    response = as_(student).post(f"/api/applications/{draft.pk}/submit/")
    assert response.status_code == 409 and response.json()["code"] == "deadline_passed"
    draft.refresh_from_db()
    assert draft.status == A.DRAFT


@pytest.mark.parametrize(
    ("status", "action", "code", "result"),
    [
        ("draft", "publish", 200, "open"),
        ("open", "publish", 409, "open"),
        ("open", "close", 200, "closed"),
        ("closed", "close", 409, "closed"),
        ("closed", "reopen", 200, "open"),
        ("open", "reopen", 409, "open"),
        ("filled", "close", 409, "filled"),
        ("filled", "reopen", 409, "filled"),
    ],
)
def test_placement_moves(studio, studio_owner, status, action, code, result):
    placement = PlacementFactory(organisation=studio, status=status)
    response = as_(studio_owner).post(f"/api/placements/{placement.pk}/{action}/")
    assert response.status_code == code, response.content
    if code == 409:
        assert response.json()["detail"]
    placement.refresh_from_db()
    assert placement.status == result


def test_publish_needs_a_future_deadline(studio, studio_owner):
    placement = PlacementFactory(organisation=studio, status="draft", deadline=in_days(-1))
    response = as_(studio_owner).post(f"/api/placements/{placement.pk}/publish/")
    assert response.status_code == 400 and "deadline" in response.json()


# --- CV uploads ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["disguised", "oversized"])
def test_bad_cv_is_refused_and_nothing_is_stored(placement, student, settings, kind):
    if kind == "disguised":
        upload = cv_file("cv.pdf", EXECUTABLE)
    else:
        settings.MAX_CV_UPLOAD_BYTES = 1024
        upload = cv_file("cv.pdf", MINIMAL_PDF + b"%" * 2048)
    response = as_(student).post(
        "/api/applications/",
        {"placement": placement.pk, "cover_letter": "Hi", "cv": upload},
        format="multipart",
    )
    assert response.status_code == 400 and "cv" in response.json()
    assert not Application.objects.exists()
    assert stored_files() == []


def test_bad_cv_on_a_draft_keeps_the_old_one(placement, student):
    sam = as_(student)
    app = sam.post(
        "/api/applications/", {"placement": placement.pk, "cv": cv_file()}, format="multipart"
    ).json()
    before = Application.objects.get(pk=app["id"]).cv.name
    response = sam.patch(
        f"/api/applications/{app['id']}/", {"cv": cv_file("x.pdf", EXECUTABLE)}, format="multipart"
    )
    assert response.status_code == 400
    assert Application.objects.get(pk=app["id"]).cv.name == before
    assert len(stored_files()) == 1


def test_cv_download_404_without_a_cv(application, student):
    assert as_(student).get(f"/api/applications/{application.pk}/cv/").status_code == 404


# --- Mass assignment and bodies -----------------------------------------------------------------


def test_application_mass_assignment_is_ignored(
    placement, student, other_student, other_university
):
    body = {"placement": placement.pk, "cover_letter": "Hi", "status": "accepted",
            "student": other_student.pk, "institution": "southgate",
            "submitted_at": timezone.now().isoformat()}  # fmt: skip
    response = as_(student).post("/api/applications/", body, format="json")
    assert response.status_code == 201
    application = Application.objects.get()
    assert application.status == A.DRAFT and application.student == student
    assert application.institution is None and application.submitted_at is None


def test_application_placement_cannot_move(placement, other_placement, student):
    draft = ApplicationFactory(placement=placement, student=student, status=A.DRAFT)
    url = f"/api/applications/{draft.pk}/"
    response = as_(student).patch(url, {"placement": other_placement.pk}, format="json")
    assert response.status_code == 400 and "placement" in response.json()
    draft.refresh_from_db()
    assert draft.placement == placement


def test_placement_mass_assignment_is_ignored_or_refused(studio_owner, placement, other_studio):
    oscar = as_(studio_owner)
    body = {"organisation": "pixel-forge", "kind": "internship", "title": "New",
            "description": "D", "is_paid": False, "deadline": in_days(5).isoformat(),
            "status": "open", "published_at": timezone.now().isoformat(),
            "created_at": "2000-01-01T00:00:00Z"}  # fmt: skip
    response = oscar.post("/api/placements/", body, format="json")
    assert response.status_code == 201, response.content
    created = Placement.objects.get(pk=response.json()["id"])
    assert created.status == PlacementStatus.DRAFT and created.published_at is None
    assert created.created_by == studio_owner and created.created_at.year > 2000

    url = f"/api/placements/{placement.pk}/"
    response = oscar.patch(url, {"organisation": "other-studio"}, format="json")
    assert response.status_code == 400 and "organisation" in response.json()
    response = oscar.patch(url, {"status": "filled", "title": "Renamed"}, format="json")
    assert response.status_code == 200
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.OPEN and placement.title == "Renamed"
    assert placement.organisation.slug == "pixel-forge"


def test_placement_rules_answer_400(studio_owner, placement):
    response = as_(studio_owner).patch(
        f"/api/placements/{placement.pk}/", {"eligible_levels": ["wizard"]}, format="json"
    )
    assert response.status_code == 400 and "eligible_levels" in response.json()
    response = as_(studio_owner).patch(
        f"/api/placements/{placement.pk}/", {"is_paid": True, "pay_amount": None}, format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/applications/{app}/shortlist/",
        "/api/applications/{app}/reject/",
        "/api/applications/bulk-reject/",
        "/api/placements/{placement}/close/",
        "/api/approvals/{approval}/approve/",
        "/api/approvals/{approval}/refuse/",
    ],
)
@pytest.mark.parametrize("body", [[1, 2], "text", 3])
def test_bodies_that_are_not_objects_answer_400(
    path, body, application, placement, studio_owner, officer, university
):
    accepted = ApplicationFactory(placement=placement, institution=university, status=A.ACCEPTED)
    approval = PlacementApproval.objects.create(application=accepted, institution=university)
    user = officer if "approvals" in path else studio_owner
    url = path.format(app=application.pk, placement=placement.pk, approval=approval.pk)
    response = as_(user).post(url, body, format="json")
    assert response.status_code == 400, response.content
    application.refresh_from_db()
    approval.refresh_from_db()
    assert application.status == A.SUBMITTED and approval.status == "pending"


def test_bulk_reject_is_limited_to_own_placements(
    application, placement, other_placement, other_owner, studio_owner,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    ours = ApplicationFactory(placement=placement)
    body = {"placement": other_placement.pk, "applications": [application.pk, ours.pk],
            "message": "No"}  # fmt: skip
    response = as_(other_owner).post("/api/applications/bulk-reject/", body, format="json")
    assert response.json() == {"rejected": 0}
    body["placement"] = placement.pk
    response = as_(other_owner).post("/api/applications/bulk-reject/", body, format="json")
    assert response.status_code == 403
    assert Application.objects.filter(status=A.REJECTED).count() == 0
    mail.outbox.clear()
    body["message"] = ""
    response = as_(studio_owner).post("/api/applications/bulk-reject/", body, format="json")
    assert response.status_code == 400
    body["message"] = "Thank you"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_(studio_owner).post("/api/applications/bulk-reject/", body, format="json")
    assert response.json() == {"rejected": 2}
    assert len(mail.outbox) == 2


def test_approval_refusal_needs_a_reason(placement, university, officer):
    accepted = ApplicationFactory(placement=placement, institution=university, status=A.ACCEPTED)
    approval = PlacementApproval.objects.create(application=accepted, institution=university)
    url = f"/api/approvals/{approval.pk}/refuse/"
    assert as_(officer).post(url, {"reason": "  "}, format="json").status_code == 400
    assert as_(officer).post(url, {"reason": "No cover."}, format="json").status_code == 200
    approval.refresh_from_db()
    assert approval.status == "refused" and approval.reason == "No cover."


def test_student_evaluation_needs_completion(application, student):
    body = {"application": application.pk, "overall": 5, "learning": 4, "support": 5}
    response = as_(student).post("/api/student-evaluations/", body, format="json")
    assert response.status_code == 409
    assert not StudentEvaluation.objects.exists()


# --- Filters and search -------------------------------------------------------------------------


def test_placement_filters(studio, other_studio):
    sector = SectorFactory(slug="games")
    skill = SkillFactory(slug="rigging")
    PlacementFactory(organisation=studio, title="Rigger", sector=sector, mode="remote",
                     eligible_levels=["postgraduate"]).required_skills.add(skill)  # fmt: skip
    PlacementFactory(organisation=other_studio, title="Unpaid", is_paid=False, pay_amount=None,
                     pay_period="")  # fmt: skip
    PlacementFactory(organisation=studio, title="Closed", status="closed")

    def titles(query):
        response = as_(None).get(f"/api/placements/?{query}")
        assert response.status_code == 200
        return {row["title"] for row in response.json()["results"]}

    assert titles("") == {"Rigger", "Unpaid"}
    assert titles("include_closed=true") == {"Rigger", "Unpaid", "Closed"}
    assert titles("sector=games") == {"Rigger"}
    assert titles("skill=rigging") == {"Rigger"}
    assert titles("mode=remote") == {"Rigger"}
    assert titles("paid_only=true") == {"Rigger"}
    assert titles("level=postgraduate") == {"Rigger", "Unpaid"}
    assert titles("level=undergraduate") == {"Unpaid"}
    assert titles("organisation=other-studio") == {"Unpaid"}


def test_q_searches_placements_ranked(studio):
    if not is_postgres():
        needs_service("PostgreSQL", "?q= ranks with PostgreSQL full-text search")
    rows = [
        PlacementFactory(organisation=studio, title="Photogrammetry intern",
                         description="Scan props."),
        PlacementFactory(organisation=studio, title="Museum scanning",
                         description="Digitise objects with photogrammetry."),
        PlacementFactory(organisation=studio, title="Sound design", description="Foley."),
        PlacementFactory(organisation=studio, title="Draft photogrammetry", status="draft"),
    ]  # fmt: skip
    for row in rows:
        refresh_search_vector(Placement, row.pk, Placement.SEARCH_WEIGHTS)
    response = as_(None).get("/api/placements/", {"q": "photogrammetry"})
    titles = [row["title"] for row in response.json()["results"]]
    assert titles == ["Photogrammetry intern", "Museum scanning"]
    response = as_(None).get("/api/placements/", {"q": "digitise"})
    assert [row["title"] for row in response.json()["results"]] == ["Museum scanning"]
    assert as_(None).get("/api/placements/", {"q": "knitting"}).json()["results"] == []


# --- Query counts -------------------------------------------------------------------------------

LIST_QUERY_BOUND = 6  # count, page, and one per prefetched relation (placements: 4)


@pytest.mark.parametrize("rows", [5, 200])
@pytest.mark.parametrize("persona", [None, "student"])
def test_placement_list_queries_do_not_grow(
    request, studio, studio_owner, rows, persona, django_assert_max_num_queries
):
    skills = [SkillFactory(), SkillFactory()]
    for placement in PlacementFactory.create_batch(rows, organisation=studio, contact=studio_owner):
        placement.required_skills.set(skills)
        PlacementQuestion.objects.create(placement=placement, text="Why?")
    client = as_(request.getfixturevalue(persona) if persona else None)
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get("/api/placements/?page_size=100")
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(rows, 100)


@pytest.mark.parametrize("rows", [5, 200])
@pytest.mark.parametrize("persona", ["studio_owner", "officer"])
def test_application_list_queries_do_not_grow(
    request, placement, university, rows, persona, django_assert_max_num_queries
):
    placement.positions = 300
    placement.save()
    for student in make_students(rows, university):
        ApplicationFactory(placement=placement, student=student, institution=university,
                           cv=cv_file())  # fmt: skip
    client = as_(request.getfixturevalue(persona))
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get("/api/applications/?page_size=100")
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(rows, 100)


@pytest.mark.parametrize("rows", [5, 40])
def test_approval_list_queries_do_not_grow(
    placement, university, officer, rows, django_assert_max_num_queries
):
    services.checklist_items(university)
    for student in make_students(rows, university):
        accepted = ApplicationFactory(
            placement=placement, student=student, institution=university, status=A.ACCEPTED
        )
        PlacementApproval.objects.create(application=accepted, institution=university)
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = as_(officer).get("/api/approvals/?page_size=100")
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
