"""The placement pages as people use them: browse, post, apply, pipeline, sign-off, evaluations.

Forms keep their input and answer 400; refused actions answer their 4xx and change nothing; the
CV is served only through the permission-checked view; lists cost a constant number of queries.
"""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships.placements import services
from partnerships.placements.models import (
    Application,
    ApplicationStatus,
    ApprovalChecklistItem,
    ApprovalStatus,
    Placement,
    PlacementQuestion,
    PlacementStatus,
    StudentEvaluation,
    SupervisorEvaluation,
)
from partnerships.placements.views.pipeline import neutralise
from partnerships.projects.search import refresh_search_vector

from .conftest import ApplicationFactory, PlacementFactory, cv_file, in_days

pytestmark = pytest.mark.django_db
A = ApplicationStatus


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def placement_form(contact, **overrides) -> dict:
    data = {
        "kind": "internship",
        "title": "Junior animator",
        "description": "Animate characters for our next game.",
        "location": "Leeds",
        "mode": "hybrid",
        "is_paid": "on",
        "pay_amount": "1800",
        "pay_currency": "GBP",
        "pay_period": "month",
        "positions": "2",
        "deadline": local_input(in_days(20)),
        "contact": contact.pk,
        "questions": "Why us?\nFavourite tool?",
    }
    data.update(overrides)
    return data


# --- Browse and read ------------------------------------------------------------------------


def test_browse_shows_pay_plainly_and_filters(client, placement, studio):
    PlacementFactory(
        organisation=studio, title="Volunteer tester", is_paid=False, pay_amount=None, pay_period=""
    )
    response = client.get(reverse("placements:browse"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Paid: £450.00 per week" in body
    assert "Unpaid" in body
    paid = client.get(reverse("placements:browse"), {"paid_only": "on"}).content.decode()
    assert "Volunteer tester" not in paid and "Junior 3D artist" in paid
    remote = client.get(reverse("placements:browse"), {"mode": "remote"}).content.decode()
    assert "Junior 3D artist" not in remote


def test_browse_search_and_deadline_soon(client, placement, studio):
    sound = PlacementFactory(organisation=studio, title="Sound designer", deadline=in_days(60))
    for row in (sound, placement):
        refresh_search_vector(Placement, row.pk, Placement.SEARCH_WEIGHTS)
    found = client.get(reverse("placements:browse"), {"q": "sound"}).content.decode()
    assert "Sound designer" in found and "Junior 3D artist" not in found
    soon = client.get(reverse("placements:browse"), {"deadline_soon": "on"}).content.decode()
    assert "Junior 3D artist" in soon and "Sound designer" not in soon


def test_browse_query_count_is_constant(client, studio):
    """The same number of queries with 5 placements as with 200 (one page of 20 shown)."""
    PlacementFactory.create_batch(5, organisation=studio)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("placements:browse"))
    PlacementFactory.create_batch(195, organisation=studio)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("placements:browse"))
    assert response.content.decode().count("placement-card") >= 20
    assert len(many) == len(few)


def test_draft_is_404_for_outsiders_and_visible_to_its_studio(
    client, studio, studio_owner, student
):
    draft = PlacementFactory(organisation=studio, status=PlacementStatus.DRAFT)
    url = reverse("placements:detail", args=[draft.pk])
    client.force_login(student)
    assert client.get(url).status_code == 404
    client.force_login(studio_owner)
    assert client.get(url).status_code == 200


# --- Studio: post, edit, publish, close, reopen ----------------------------------------------


def test_studio_creates_edits_and_publishes(client, studio, studio_owner, university):
    client.force_login(studio_owner)
    response = client.post(reverse("placements:create"), placement_form(studio_owner))
    placement = Placement.objects.get(title="Junior animator")
    assert response.status_code == 302
    assert placement.status == PlacementStatus.DRAFT
    assert [q.text for q in placement.questions.all()] == ["Why us?", "Favourite tool?"]
    assert client.get(reverse("placements:edit", args=[placement.pk])).status_code == 200
    edit = client.post(
        reverse("placements:edit", args=[placement.pk]),
        placement_form(
            studio_owner, title="Senior animator", eligible_institutions=[university.pk]
        ),
    )
    assert edit.status_code == 302
    assert list(placement.eligible_institutions.all()) == [university]
    client.post(reverse("placements:transition", args=[placement.pk, "publish"]))
    placement.refresh_from_db()
    assert placement.title == "Senior animator" and placement.status == PlacementStatus.OPEN
    client.post(reverse("placements:transition", args=[placement.pk, "close"]))
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.CLOSED
    client.post(reverse("placements:transition", args=[placement.pk, "reopen"]))
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.OPEN


def test_create_form_keeps_input_on_service_refusal(client, studio, studio_owner):
    client.force_login(studio_owner)
    response = client.post(
        reverse("placements:create"), placement_form(studio_owner, pay_period="")
    )
    assert response.status_code == 400
    assert "Say what period the pay is for." in response.content.decode()
    assert 'value="Junior animator"' in response.content.decode()
    assert not Placement.objects.exists()


def test_invalid_transition_answers_409_and_changes_nothing(client, placement, studio_owner):
    client.force_login(studio_owner)
    response = client.post(reverse("placements:transition", args=[placement.pk, "publish"]))
    assert response.status_code == 409
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.OPEN


def test_other_studio_cannot_edit(client, placement, other_owner):
    client.force_login(other_owner)
    assert client.get(reverse("placements:edit", args=[placement.pk])).status_code == 403
    response = client.post(reverse("placements:transition", args=[placement.pk, "close"]))
    assert response.status_code == 403
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.OPEN


# --- Student: apply --------------------------------------------------------------------------


def test_student_saves_draft_then_submits_with_cv(client, placement, student):
    question = PlacementQuestion.objects.create(placement=placement, text="Why us?")
    client.force_login(student)
    url = reverse("placements:apply", args=[placement.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"cover_letter": "Hello", "cv": cv_file(), f"q_{question.pk}": "Art"})
    application = Application.objects.get(student=student)
    assert application.status == A.DRAFT and application.cv
    response = client.post(
        url, {"cover_letter": "Hello again", "submit": "1", f"q_{question.pk}": "Your art"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == A.SUBMITTED and application.cover_letter == "Hello again"
    page = client.get(reverse("placements:my_applications")).content.decode()
    assert "Submitted" in page and "Junior 3D artist" in page


def test_disguised_cv_is_refused_and_input_kept(client, placement, student):
    client.force_login(student)
    response = client.post(
        reverse("placements:apply", args=[placement.pk]),
        {"cover_letter": "Keep me", "cv": cv_file("cv.pdf", b"MZ\x90\x00" + b"\x00" * 200)},
    )
    assert response.status_code == 400
    assert "Keep me" in response.content.decode()
    assert not Application.objects.filter(student=student).exclude(cv="").exists()


def test_cannot_apply_to_closed_placement(client, studio, student):
    closed = PlacementFactory(organisation=studio, status=PlacementStatus.CLOSED)
    client.force_login(student)
    response = client.post(
        reverse("placements:apply", args=[closed.pk]), {"cover_letter": "x", "submit": "1"}
    )
    assert response.status_code == 409
    assert "no longer takes applications" in response.content.decode()


def test_student_accepts_declines_withdraws(client, placement, student, university):
    offered = ApplicationFactory(
        placement=placement, student=student, institution=university, status=A.OFFERED
    )
    client.force_login(student)
    client.post(reverse("placements:respond", args=[offered.pk, "accept"]))
    offered.refresh_from_db()
    assert offered.status == A.ACCEPTED
    response = client.post(reverse("placements:respond", args=[offered.pk, "withdraw"]))
    assert response.status_code == 409


def test_student_declines_and_withdraws(client, studio, student, university):
    one = ApplicationFactory(
        placement=PlacementFactory(organisation=studio),
        student=student,
        institution=university,
        status=A.OFFERED,
    )
    two = ApplicationFactory(
        placement=PlacementFactory(organisation=studio), student=student, institution=university
    )
    client.force_login(student)
    client.post(reverse("placements:respond", args=[one.pk, "decline"]))
    client.post(reverse("placements:respond", args=[two.pk, "withdraw"]), {"message": "Sorry"})
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, two.status) == (A.DECLINED, A.WITHDRAWN)


# --- Studio pipeline -------------------------------------------------------------------------


def test_pipeline_stage_actions_notes_and_filter(client, application, studio_owner, student):
    client.force_login(studio_owner)
    url = reverse("placements:pipeline", args=[application.placement_id])
    assert "Sam" in client.get(url).content.decode()
    client.post(reverse("placements:stage", args=[application.pk, "review"]))
    client.post(
        reverse("placements:stage", args=[application.pk, "shortlist"]),
        {"message": "Great portfolio"},
    )
    client.post(reverse("placements:stage", args=[application.pk, "interview"]))
    client.post(reverse("placements:stage", args=[application.pk, "offer"]))
    application.refresh_from_db()
    assert application.status == A.OFFERED
    client.post(reverse("placements:note", args=[application.pk]), {"text": "Strong hire"})
    assert "Strong hire" in client.get(url).content.decode()
    assert "Sam" not in client.get(url, {"stage": "rejected"}).content.decode().split("<main")[-1]
    # The student sees the timeline, never the studio's notes.
    client.force_login(student)
    page = client.get(reverse("placements:my_applications")).content.decode()
    assert "Great portfolio" in page and "Strong hire" not in page
    detail = client.get(reverse("placements:application", args=[application.pk])).content.decode()
    assert "Strong hire" not in detail


def test_bulk_reject_needs_a_message(client, placement, studio_owner, university):
    apps = ApplicationFactory.create_batch(3, placement=placement, institution=university)
    client.force_login(studio_owner)
    url = reverse("placements:bulk_reject", args=[placement.pk])
    response = client.post(url, {"applications": [apps[0].pk, apps[1].pk]})
    assert response.status_code == 400
    client.post(url, {"applications": [apps[0].pk, apps[1].pk], "message": "Thank you"})
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == [A.REJECTED, A.REJECTED, A.SUBMITTED]


def test_csv_export_neutralises_formulas(client, placement, studio_owner, university):
    ApplicationFactory(
        placement=placement,
        institution=university,
        portfolio_url="https://x.example",
        student__display_name="=HYPERLINK(1)",
    )
    client.force_login(studio_owner)
    response = client.get(reverse("placements:export_csv", args=[placement.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert neutralise("+1") == "'+1" and neutralise("-1") == "'-1" and neutralise("@x") == "'@x"
    assert neutralise("fine") == "fine"


def test_cv_download_for_studio_and_404_for_others(client, application, studio_owner, other_owner):
    application.cv = cv_file()
    application.save()
    client.force_login(studio_owner)
    response = client.get(reverse("placements:cv", args=[application.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(other_owner)
    assert client.get(reverse("placements:cv", args=[application.pk])).status_code == 404


# --- University and evaluations ---------------------------------------------------------------


@pytest.fixture
def approval(placement, student, university, officer):
    ApprovalChecklistItem.objects.create(institution=university, text="Agreement signed")
    ApprovalChecklistItem.objects.create(
        institution=university, text="Insurance confirmed", required_for_low_risk=False
    )
    row = ApplicationFactory(
        placement=placement,
        student=student,
        institution=university,
        status=A.OFFERED,
        for_credit=True,
    )
    services.application_accept(actor=student, application=row)
    return row.approval


def test_officer_sees_students_and_approves_low_risk(client, approval, officer):
    client.force_login(officer)
    page = client.get(reverse("placements:officer")).content.decode()
    assert "Sam" in page and "Awaiting your approval" in page
    url = reverse("placements:approval", args=[approval.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {})
    assert response.status_code == 400
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    agreement = ApprovalChecklistItem.objects.get(text="Agreement signed")
    client.post(url, {"checked_items": [agreement.pk], "low_risk": "on"})
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED and approval.low_risk


def test_officer_refuses_with_reason(client, approval, officer):
    client.force_login(officer)
    url = reverse("placements:approval_refuse", args=[approval.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    client.post(url, {"reason": "No risk assessment"})
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.REFUSED


def test_other_university_cannot_decide(client, approval, other_officer):
    client.force_login(other_officer)
    assert client.get(reverse("placements:approval", args=[approval.pk])).status_code == 404
    client.post(reverse("placements:approval_refuse", args=[approval.pk]), {"reason": "x"})
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


@pytest.fixture
def completed(studio, studio_owner, student, university):
    ended = PlacementFactory(
        organisation=studio,
        contact=studio_owner,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 6, 1),
    )
    return ApplicationFactory(
        placement=ended, student=student, institution=university, status=A.COMPLETED
    )


def test_student_and_supervisor_evaluations(client, completed, student):
    client.force_login(student)
    url = reverse("placements:student_evaluation", args=[completed.pk])
    assert client.post(url, {"overall": "9"}).status_code == 400
    client.post(url, {"overall": "5", "learning": "4", "support": "5", "comments": "Great"})
    assert StudentEvaluation.objects.filter(application=completed).exists()
    client.logout()
    token = services.supervisor_token(completed)
    link = reverse("placements:supervisor_evaluation", args=[token])
    assert link == f"/placements/supervisor-evaluation/{token}/"
    assert client.get(link).status_code == 200
    data = {"supervisor_name": "Oscar", "overall": "5", "skills": "4",
            "professionalism": "5", "communication": "4"}  # fmt: skip
    assert client.post(link, data).status_code == 200
    assert SupervisorEvaluation.objects.get(application=completed).via_link
    assert client.get(link).status_code == 400  # used once


def test_forged_supervisor_token_is_refused(client, completed):
    link = reverse("placements:supervisor_evaluation", args=["forged-token"])
    assert client.get(link).status_code == 400


def test_dashboards_show_placement_panels(client, application, student, studio_owner, officer):
    client.force_login(student)
    assert "Your placement applications" in client.get(reverse("dashboard")).content.decode()
    client.force_login(studio_owner)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Your placements" in page and "1 live applicant" in page
    client.force_login(officer)
    assert "Placements awaiting your approval" in client.get(reverse("dashboard")).content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_pipeline_and_my_applications_query_counts_are_constant(
    client, placement, studio_owner, student, university, studio
):
    url = reverse("placements:pipeline", args=[placement.pk])
    for row in ApplicationFactory.create_batch(2, placement=placement, institution=university):
        services.application_note_add(actor=studio_owner, application=row, text="Note")
    client.force_login(studio_owner)
    few = _queries(client, url)
    for row in ApplicationFactory.create_batch(6, placement=placement, institution=university):
        services.application_note_add(actor=studio_owner, application=row, text="Note")
    assert _queries(client, url) == few

    mine = reverse("placements:my_applications")
    ApplicationFactory(placement=placement, student=student, institution=university)
    client.force_login(student)
    few = _queries(client, mine)
    for _ in range(5):
        ApplicationFactory(placement=PlacementFactory(organisation=studio), student=student)
    assert _queries(client, mine) == few


def test_officer_marks_ended_placement_completed(client, studio, student, university, officer):
    ended = PlacementFactory(
        organisation=studio,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 6, 1),
    )
    accepted = ApplicationFactory(
        placement=ended, student=student, institution=university, status=A.ACCEPTED
    )
    client.force_login(student)
    assert client.post(reverse("placements:complete", args=[accepted.pk])).status_code == 403
    client.force_login(officer)
    assert "Mark completed" in client.get(reverse("placements:officer")).content.decode()
    client.post(reverse("placements:complete", args=[accepted.pk]))
    accepted.refresh_from_db()
    assert accepted.status == A.COMPLETED


def test_apply_page_to_closed_placement_says_so(client, studio, student):
    closed = PlacementFactory(organisation=studio, status=PlacementStatus.CLOSED)
    client.force_login(student)
    response = client.get(reverse("placements:apply", args=[closed.pk]))
    assert response.status_code == 409
    assert "no longer takes applications" in response.content.decode()


def test_required_question_blocks_submit_but_not_a_draft(client, placement, student):
    question = PlacementQuestion.objects.create(placement=placement, text="Why us?")
    client.force_login(student)
    url = reverse("placements:apply", args=[placement.pk])
    assert client.post(url, {"cover_letter": "Draft", "cv": cv_file()}).status_code == 302
    response = client.post(url, {"cover_letter": "Now", "submit": "1"})
    assert response.status_code == 400
    assert Application.objects.get(student=student).status == A.DRAFT
    client.post(url, {"cover_letter": "Now", "submit": "1", f"q_{question.pk}": "Your games"})
    assert Application.objects.get(student=student).status == A.SUBMITTED
