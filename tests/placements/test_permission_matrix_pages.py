"""Who may open which placement page or file, persona by persona.

Personas: anonymous, the student who applied, another student (another university), the studio's
owner and member, another studio, the student's placement officer, another university's officer,
and a platform admin. Invisible things answer 404, visible-but-forbidden 403, anonymous people go
to log in. Refused actions leave the data unchanged.
"""

import pytest
from django.urls import reverse

from partnerships.placements import services
from partnerships.placements.models import (
    Application,
    ApplicationNote,
    ApplicationStatus,
    ApprovalStatus,
    Placement,
)

from .conftest import ApplicationFactory, cv_file

pytestmark = pytest.mark.django_db
A = ApplicationStatus
LOGIN = "login"

PERSONAS = [
    "anonymous", "student", "other_student", "studio_owner", "studio_member", "other_owner",
    "officer", "other_officer", "platform_admin",
]  # fmt: skip


@pytest.fixture
def world(placement, student, university, officer, other_student, other_officer, other_owner,
          studio_member, platform_admin):  # fmt: skip
    application = ApplicationFactory(
        placement=placement, student=student, institution=university, for_credit=True,
        status=A.OFFERED, cv=cv_file(),
    )  # fmt: skip
    services.application_accept(actor=student, application=application)
    application.refresh_from_db()
    return application


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == expected


PAGES = {
    # name: (url builder, expected by persona)
    "placements:detail": (
        lambda a: reverse("placements:detail", args=[a.placement_id]),
        dict.fromkeys(PERSONAS, 200),
    ),
    "placements:edit": (
        lambda a: reverse("placements:edit", args=[a.placement_id]),
        {"anonymous": LOGIN, "student": 403, "other_student": 403, "studio_owner": 200,
         "studio_member": 200, "other_owner": 403, "officer": 403, "other_officer": 403,
         "platform_admin": 200},
    ),
    "placements:pipeline": (
        lambda a: reverse("placements:pipeline", args=[a.placement_id]),
        {"anonymous": LOGIN, "student": 403, "other_student": 403, "studio_owner": 200,
         "studio_member": 200, "other_owner": 403, "officer": 403, "other_officer": 403,
         "platform_admin": 200},
    ),
    "placements:export_csv": (
        lambda a: reverse("placements:export_csv", args=[a.placement_id]),
        {"anonymous": LOGIN, "student": 403, "other_student": 403, "studio_owner": 200,
         "studio_member": 200, "other_owner": 403, "officer": 403, "other_officer": 403,
         "platform_admin": 200},
    ),
    "placements:application": (
        lambda a: reverse("placements:application", args=[a.pk]),
        {"anonymous": LOGIN, "student": 200, "other_student": 404, "studio_owner": 200,
         "studio_member": 200, "other_owner": 404, "officer": 200, "other_officer": 404,
         "platform_admin": 200},
    ),
    "placements:cv": (
        lambda a: reverse("placements:cv", args=[a.pk]),
        {"anonymous": LOGIN, "student": 200, "other_student": 404, "studio_owner": 200,
         "studio_member": 200, "other_owner": 404, "officer": 200, "other_officer": 404,
         "platform_admin": 200},
    ),
    "placements:approval": (
        lambda a: reverse("placements:approval", args=[a.approval.pk]),
        {"anonymous": LOGIN, "student": 403, "other_student": 404, "studio_owner": 403,
         "studio_member": 403, "other_owner": 404, "officer": 200, "other_officer": 404,
         "platform_admin": 403},
    ),
    "placements:officer": (
        lambda a: reverse("placements:officer"),
        {"anonymous": LOGIN, "student": 403, "other_student": 403, "studio_owner": 403,
         "studio_member": 403, "other_owner": 403, "officer": 200, "other_officer": 200,
         "platform_admin": 403},
    ),
    "placements:my_applications": (
        lambda a: reverse("placements:my_applications"),
        {p: (LOGIN if p == "anonymous" else 200) for p in PERSONAS},
    ),
}  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_matrix(client, request, world, persona, page):
    url_for, expected = PAGES[page]
    login(client, request, persona)
    check(client.get(url_for(world)), expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_officers_students_are_listed(client, request, world, persona):
    if persona not in ("officer", "other_officer"):
        return
    login(client, request, persona)
    body = client.get(reverse("placements:officer")).content.decode()
    assert ("Sam" in body) is (persona == "officer")


@pytest.mark.parametrize(
    "persona", [p for p in PERSONAS if p not in ("studio_owner", "studio_member")]
)
def test_refused_pipeline_actions_change_nothing(client, request, world, placement, persona):
    live = ApplicationFactory(placement=placement, institution=world.institution)
    login(client, request, persona)
    client.post(reverse("placements:stage", args=[live.pk, "reject"]), {"message": "no"})
    client.post(reverse("placements:note", args=[live.pk]), {"text": "sneaky"})
    client.post(reverse("placements:bulk_reject", args=[placement.pk]),
                {"applications": [live.pk], "message": "no"})  # fmt: skip
    client.post(reverse("placements:transition", args=[placement.pk, "close"]))
    live.refresh_from_db()
    assert live.status == A.SUBMITTED
    assert not ApplicationNote.objects.exists()
    if persona != "platform_admin":  # admins may moderate postings
        assert Placement.objects.get(pk=placement.pk).status == placement.status


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("student",)])
def test_only_the_student_answers_an_offer(client, request, world, placement, persona):
    other = ApplicationFactory(placement=placement, institution=world.institution, status=A.OFFERED)
    login(client, request, persona)
    response = client.post(reverse("placements:respond", args=[other.pk, "decline"]))
    assert response.status_code in (302, 403, 404)
    if persona != "anonymous":
        assert response.status_code in (403, 404)
    other.refresh_from_db()
    assert other.status == A.OFFERED


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "officer"])
def test_refused_approval_decisions_change_nothing(client, request, world, persona):
    login(client, request, persona)
    client.post(reverse("placements:approval", args=[world.approval.pk]), {"low_risk": "on"})
    client.post(reverse("placements:approval_refuse", args=[world.approval.pk]), {"reason": "x"})
    world.approval.refresh_from_db()
    assert world.approval.status == ApprovalStatus.PENDING


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "student"])
def test_only_the_student_evaluates(client, request, world, persona):
    Application.objects.filter(pk=world.pk).update(status=A.COMPLETED)
    login(client, request, persona)
    response = client.post(
        reverse("placements:student_evaluation", args=[world.pk]),
        {"overall": "5", "learning": "5", "support": "5"},
    )
    assert response.status_code in ((302,) if persona == "anonymous" else (403, 404))
    assert not hasattr(Application.objects.get(pk=world.pk), "student_evaluation")
