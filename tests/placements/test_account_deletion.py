"""When a student deletes their account, studios keep anonymous applications.

Sam applied to Pixel Forge's internship (submitted), holds an offer elsewhere, completed a
placement before, and has a draft. Uma applied to the same internship. Sam deletes his account.
"""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts import erasure
from partnerships.placements.models import (
    Application,
    ApplicationAnswer,
    ApplicationNote,
    ApplicationStatus,
    ApplicationTransition,
    Placement,
    PlacementQuestion,
    PlacementStatus,
    StudentEvaluation,
    SupervisorEvaluation,
)
from partnerships.placements.services import seats_held

from .conftest import ApplicationFactory, PlacementFactory, cv_file

pytestmark = pytest.mark.django_db

A = ApplicationStatus


@pytest.fixture
def sams_applications(placement, other_placement, student, other_student, university, studio):
    question = PlacementQuestion.objects.create(placement=placement, text="Why us?")
    live = ApplicationFactory(
        placement=placement,
        student=student,
        institution=university,
        cover_letter="Dear Pixel Forge",
        portfolio_url="https://sam.example",
        cv=cv_file(),
    )
    ApplicationAnswer.objects.create(application=live, question=question, text="Because")
    ApplicationTransition.objects.create(
        application=live, from_status="draft", to_status="submitted", actor=student,
        message="Looking forward to it",
    )  # fmt: skip
    ApplicationNote.objects.create(application=live, text="Great portfolio")
    offered = ApplicationFactory(
        placement=other_placement, student=student, institution=university, status=A.OFFERED,
        cv=cv_file("offer.pdf"),
    )  # fmt: skip
    done_placement = PlacementFactory(organisation=studio, status=PlacementStatus.FILLED)
    completed = ApplicationFactory(
        placement=done_placement, student=student, institution=university, status=A.COMPLETED
    )
    StudentEvaluation.objects.create(
        application=completed, overall=5, learning=5, support=4, comments="Loved it"
    )
    SupervisorEvaluation.objects.create(
        application=completed, supervisor_name="Oscar", overall=5, skills=5,
        professionalism=5, communication=5, comments="A natural",
    )  # fmt: skip
    draft = ApplicationFactory(
        placement=PlacementFactory(organisation=studio), student=student, status=A.DRAFT,
        submitted_at=None, cv=cv_file("draft.pdf"),
    )  # fmt: skip
    uma = ApplicationFactory(
        placement=placement, student=other_student, cover_letter="Uma's letter", cv=cv_file()
    )
    return {"live": live, "offered": offered, "completed": completed, "draft": draft, "uma": uma}


def delete_sam(student, capture) -> None:
    with capture(execute=True):
        erasure.account_delete(actor=student, user=student, confirm_email=student.email)


def test_applications_are_anonymised_and_organisations_keep_their_records(
    sams_applications, student, django_capture_on_commit_callbacks
):
    apps = sams_applications
    placements_before = Placement.objects.count()
    cvs = [apps[name].cv for name in ("live", "offered", "draft")]
    assert all(cv.storage.exists(cv.name) for cv in cvs)

    delete_sam(student, django_capture_on_commit_callbacks)

    assert Placement.objects.count() == placements_before
    assert not Application.objects.filter(pk=apps["draft"].pk).exists()  # never reached a studio
    live = Application.objects.get(pk=apps["live"].pk)
    assert live.student_id is None and live.status == A.WITHDRAWN
    assert (live.cover_letter, live.portfolio_url, live.cv.name) == ("", "", "")
    assert not ApplicationAnswer.objects.filter(application=live).exists()
    # The studio's own note and the stages stay; the student's message does not.
    assert ApplicationNote.objects.get(application=live).text == "Great portfolio"
    stages = ApplicationTransition.objects.filter(application=live)
    assert [s.to_status for s in stages] == [A.SUBMITTED, A.WITHDRAWN]
    assert stages[0].actor_id is None and stages[0].message == ""
    # A completed placement stays completed (the studio's hire, the impact figures).
    completed = Application.objects.get(pk=apps["completed"].pk)
    assert completed.status == A.COMPLETED and completed.student_id is None
    assert completed.institution_id is not None
    assert StudentEvaluation.objects.get(application=completed).comments == ""
    assert SupervisorEvaluation.objects.get(application=completed).comments == "A natural"
    # The CV files are gone from the disk; Uma's is not.
    assert not any(cv.storage.exists(cv.name) for cv in cvs)
    uma = Application.objects.get(pk=apps["uma"].pk)
    assert uma.cover_letter == "Uma's letter" and uma.cv.storage.exists(uma.cv.name)


def test_an_offer_frees_its_seat(sams_applications, student, django_capture_on_commit_callbacks):
    other_placement = sams_applications["offered"].placement
    assert seats_held(other_placement) == 1
    delete_sam(student, django_capture_on_commit_callbacks)
    assert seats_held(other_placement) == 0
    assert Application.objects.get(pk=sams_applications["offered"].pk).status == A.WITHDRAWN


def test_the_studio_is_told_without_a_name(
    sams_applications, student, studio_owner, django_capture_on_commit_callbacks
):
    from partnerships.notifications.models import Notification

    delete_sam(student, django_capture_on_commit_callbacks)
    titles = list(
        Notification.objects.filter(recipient=studio_owner).values_list("title", flat=True)
    )
    assert "Deleted account withdrew their application for “Junior 3D artist”" in titles


def test_studio_pages_still_work_and_the_cv_is_gone(
    client, sams_applications, student, studio_owner, placement,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    delete_sam(student, django_capture_on_commit_callbacks)
    client.force_login(studio_owner)
    pipeline = client.get(reverse("placements:pipeline", args=[placement.pk]) + "?stage=all")
    assert pipeline.status_code == 200
    live = sams_applications["live"]
    detail = client.get(reverse("placements:application", args=[live.pk]))
    assert detail.status_code == 200 and "Deleted account" in detail.content.decode()
    csv = client.get(reverse("placements:export_csv", args=[placement.pk]))
    assert csv.status_code == 200 and "Deleted account" in csv.content.decode()

    gone = client.get(reverse("placements:cv", args=[live.pk]))
    assert gone.status_code == 410
    assert "deleted their account" in gone.content.decode()
    token = Token.objects.create(user=studio_owner)
    api = Client(headers={"Authorization": f"Token {token.key}"})
    api_gone = api.get(f"/api/applications/{live.pk}/cv/")
    assert api_gone.status_code == 410 and api_gone.json()["code"] == "cv_deleted"
    listed = api.get(f"/api/applications/{live.pk}/").json()
    assert listed["student"] is None and listed["student_name"] == "Deleted account"


def test_the_officer_can_still_complete_an_anonymised_placement(
    client, placement, student, university, officer, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    accepted = ApplicationFactory(
        placement=placement, student=student, institution=university, status=A.ACCEPTED
    )
    delete_sam(student, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("placements:complete", args=[accepted.pk]))
    assert done.status_code == 302
    assert Application.objects.get(pk=accepted.pk).status == A.COMPLETED
    assert all(student.email not in message.to for message in mailoutbox)
