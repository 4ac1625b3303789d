"""Every role against every placements API endpoint, method and the CV file.

The world: Pixel Forge (Oscar) has an open placement, a draft, a placement Sam accepted for credit
(with a pending Northbridge approval) and one Sam completed. Sam (Northbridge) and Uma (Southgate)
applied to the open placement; Sam's application carries a CV; Sam also has a draft application to
Other Studio's placement. Lena is Northbridge's officer, Sol Southgate's; Olga runs Other Studio;
Ada is a platform admin. Objects a persona may not see answer 404, visible ones they may not
change 403, anonymous calls 401; every refusal is checked to leave the data unchanged.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from partnerships.placements import services
from partnerships.placements.models import (
    Application,
    ApplicationStatus,
    Placement,
    PlacementApproval,
    PlacementStatus,
    StudentEvaluation,
)

from .conftest import MINIMAL_PDF, ApplicationFactory, PlacementFactory, cv_file, in_days

pytestmark = pytest.mark.django_db

A = ApplicationStatus

PERSONAS = [
    "anonymous",
    "student",
    "other_student",
    "studio_owner",
    "other_owner",
    "officer",
    "other_officer",
    "platform_admin",
]


@pytest.fixture
def world(
    studio, studio_owner, other_owner, placement, other_placement, student, other_student,
    university, other_university, officer, other_officer, platform_admin,
):  # fmt: skip
    draft = PlacementFactory(
        organisation=studio, created_by=studio_owner, title="Secret draft",
        status=PlacementStatus.DRAFT,
    )  # fmt: skip
    sam = ApplicationFactory(
        placement=placement, student=student, institution=university, cv=cv_file("sam.pdf")
    )
    uma = ApplicationFactory(
        placement=placement, student=other_student, institution=other_university
    )
    sam_draft = ApplicationFactory(
        placement=other_placement, student=student, status=A.DRAFT, submitted_at=None
    )
    credit = PlacementFactory(organisation=studio, created_by=studio_owner, title="For credit")
    accepted = ApplicationFactory(
        placement=credit, student=student, institution=university, status=A.ACCEPTED,
        for_credit=True,
    )  # fmt: skip
    approval = PlacementApproval.objects.create(application=accepted, institution=university)
    services.checklist_items(university)  # seeded as when the approval is requested
    ended = PlacementFactory(
        organisation=studio, created_by=studio_owner, title="Ended",
        start_date=timezone.localdate() - datetime.timedelta(days=60),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
        deadline=in_days(-90), status=PlacementStatus.FILLED,
    )  # fmt: skip
    completed = ApplicationFactory(
        placement=ended, student=student, institution=university, status=A.COMPLETED
    )
    return SimpleNamespace(
        placement=placement, draft=draft, sam=sam, uma=uma, sam_draft=sam_draft,
        accepted=accepted, approval=approval, completed=completed,
    )  # fmt: skip


def api_as(request, persona: str) -> APIClient:
    client = APIClient()
    if persona != "anonymous":
        client.force_authenticate(request.getfixturevalue(persona))
    return client


def table(**columns):
    """Expectations by persona, from one value per persona (in PERSONAS order) for each column."""
    for name, values in columns.items():
        assert len(values) == len(PERSONAS), name
    return {p: {k: v[i] for k, v in columns.items()} for i, p in enumerate(PERSONAS)}


def snapshot(model, pk, *fields):
    return model.objects.values(*fields).get(pk=pk)


# --- Placements ---------------------------------------------------------------------------------

PLACEMENT = table(
    #          anon  sam   uma   oscar olga  lena  sol   admin
    get_draft=(404, 404, 404, 200, 404, 404, 404, 200),
    mine_draft=(False, False, False, True, False, False, False, False),
    create=(401, 403, 403, 201, 403, 403, 403, 403),
    patch=(401, 403, 403, 200, 403, 403, 403, 200),
    patch_draft=(401, 404, 404, 200, 404, 404, 404, 200),
    publish_draft=(401, 404, 404, 200, 404, 404, 404, 200),
    close=(401, 403, 403, 200, 403, 403, 403, 200),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_placements(request, world, persona):
    expected = PLACEMENT[persona]
    api = api_as(request, persona)

    response = api.get("/api/placements/?page_size=100")
    assert response.status_code == 200
    titles = {row["title"] for row in response.json()["results"]}
    assert "Junior 3D artist" in titles and "Secret draft" not in titles
    mine = api.get("/api/placements/?mine=true&page_size=100").json()["results"]
    assert ("Secret draft" in {row["title"] for row in mine}) == expected["mine_draft"]
    assert api.get(f"/api/placements/{world.placement.pk}/").status_code == 200
    assert api.get(f"/api/placements/{world.draft.pk}/").status_code == expected["get_draft"]

    before = Placement.objects.count()
    body = {
        "organisation": "pixel-forge", "kind": "internship", "title": f"By {persona}",
        "description": "Rigging.", "is_paid": False, "deadline": in_days(10).isoformat(),
    }  # fmt: skip
    response = api.post("/api/placements/", body, format="json")
    assert response.status_code == expected["create"], response.content
    assert Placement.objects.count() == before + (expected["create"] == 201)

    for target, key in ((world.placement, "patch"), (world.draft, "patch_draft")):
        fields = ("title", "updated_at")
        old = snapshot(Placement, target.pk, *fields)
        url = f"/api/placements/{target.pk}/"
        response = api.patch(url, {"title": "Renamed"}, format="json")
        assert response.status_code == expected[key], response.content
        if expected[key] != 200:
            assert snapshot(Placement, target.pk, *fields) == old

    response = api.post(f"/api/placements/{world.draft.pk}/publish/")
    assert response.status_code == expected["publish_draft"], response.content
    world.draft.refresh_from_db()
    published = expected["publish_draft"] == 200
    assert world.draft.status == (PlacementStatus.OPEN if published else PlacementStatus.DRAFT)

    response = api.post(f"/api/placements/{world.placement.pk}/close/", {}, format="json")
    assert response.status_code == expected["close"], response.content
    world.placement.refresh_from_db()
    closed = expected["close"] == 200
    assert world.placement.status == (PlacementStatus.CLOSED if closed else PlacementStatus.OPEN)


# --- Applications -------------------------------------------------------------------------------

APPLICATION = table(
    #          anon  sam   uma   oscar olga  lena  sol   admin
    listed=(
        None,
        {"sam", "sam_draft", "accepted", "completed"},
        {"uma"},
        {"sam", "uma", "accepted", "completed"},
        set(),
        {"sam", "accepted", "completed"},
        {"uma"},
        {"sam", "uma", "accepted", "completed"},
    ),
    get_sam=(401, 200, 404, 200, 404, 200, 404, 200),
    get_draft=(401, 200, 404, 404, 404, 404, 404, 404),
    cv=(401, 200, 404, 200, 404, 200, 404, 200),
    create=(401, 201, 201, 403, 403, 403, 403, 403),
    patch_sam=(401, 409, 404, 403, 404, 403, 404, 403),
    patch_draft=(401, 200, 404, 404, 404, 404, 404, 404),
    shortlist=(401, 403, 404, 200, 404, 403, 404, 403),
    withdraw=(401, 200, 404, 403, 404, 403, 404, 403),
    bulk_reject=(401, 403, 403, 200, 403, 403, 403, 403),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_applications(request, world, persona, placement):
    expected = APPLICATION[persona]
    api = api_as(request, persona)
    names = {getattr(world, n).pk: n for n in ("sam", "uma", "sam_draft", "accepted", "completed")}

    response = api.get("/api/applications/?page_size=100")
    if expected["listed"] is None:
        assert response.status_code == 401
    else:
        assert response.status_code == 200
        assert {names[row["id"]] for row in response.json()["results"]} == expected["listed"]
    assert api.get(f"/api/applications/{world.sam.pk}/").status_code == expected["get_sam"]
    assert api.get(f"/api/applications/{world.sam_draft.pk}/").status_code == expected["get_draft"]

    response = api.get(f"/api/applications/{world.sam.pk}/cv/")
    assert response.status_code == expected["cv"]
    if expected["cv"] == 200:
        assert b"".join(response.streaming_content) == MINIMAL_PDF
        assert response["Cache-Control"] == "private, no-store"
    else:
        assert b"%PDF" not in response.content

    # A fresh draft to a new placement (only students may apply).
    fresh = PlacementFactory(organisation=placement.organisation, title="Fresh")
    before = Application.objects.count()
    body = {"placement": fresh.pk, "cover_letter": "Hello"}
    response = api.post("/api/applications/", body, format="json")
    assert response.status_code == expected["create"], response.content
    assert Application.objects.count() == before + (expected["create"] == 201)

    fields = ("cover_letter", "status", "updated_at")
    for target, key in ((world.sam, "patch_sam"), (world.sam_draft, "patch_draft")):
        old = snapshot(Application, target.pk, *fields)
        response = api.patch(
            f"/api/applications/{target.pk}/", {"cover_letter": "Changed"}, format="json"
        )
        assert response.status_code == expected[key], response.content
        if expected[key] != 200:
            assert snapshot(Application, target.pk, *fields) == old

    for action, key, target, to in (
        ("shortlist", "shortlist", world.sam, A.SHORTLISTED),
        ("withdraw", "withdraw", world.sam, A.WITHDRAWN),
    ):
        world.sam.refresh_from_db()
        if world.sam.status != A.SUBMITTED:
            Application.objects.filter(pk=world.sam.pk).update(status=A.SUBMITTED)
        transitions = target.transitions.count()
        response = api.post(f"/api/applications/{target.pk}/{action}/", {}, format="json")
        assert response.status_code == expected[key], (action, response.content)
        target.refresh_from_db()
        if expected[key] == 200:
            assert target.status == to
        else:
            assert target.status == A.SUBMITTED
            assert target.transitions.count() == transitions

    Application.objects.filter(pk=world.sam.pk).update(status=A.SUBMITTED)
    body = {"placement": placement.pk, "applications": [world.uma.pk], "message": "Sorry"}
    response = api.post("/api/applications/bulk-reject/", body, format="json")
    assert response.status_code == expected["bulk_reject"], response.content
    world.uma.refresh_from_db()
    if expected["bulk_reject"] == 200:
        assert response.json() == {"rejected": 1}
        assert world.uma.status == A.REJECTED
    else:
        assert world.uma.status == A.SUBMITTED


# --- Approvals ----------------------------------------------------------------------------------

APPROVAL = table(
    #          anon  sam   uma   oscar olga  lena  sol   admin
    listed=(None, 0, 0, 0, 0, 1, 0, 1),
    get=(401, 404, 404, 404, 404, 200, 404, 200),
    refuse=(401, 404, 404, 404, 404, 200, 404, 403),
    approve=(401, 404, 404, 404, 404, 200, 404, 403),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_approvals(request, world, persona):
    expected = APPROVAL[persona]
    api = api_as(request, persona)
    url = f"/api/approvals/{world.approval.pk}/"

    response = api.get("/api/approvals/")
    if expected["listed"] is None:
        assert response.status_code == 401
    else:
        assert response.json()["count"] == expected["listed"]
    assert api.get(url).status_code == expected["get"]

    fields = ("status", "reason", "decided_by", "low_risk")
    old = snapshot(PlacementApproval, world.approval.pk, *fields)
    response = api.post(f"{url}refuse/", {"reason": "No insurance."}, format="json")
    assert response.status_code == expected["refuse"], response.content
    if expected["refuse"] != 200:
        assert snapshot(PlacementApproval, world.approval.pk, *fields) == old
    else:
        assert response.json()["status"] == "refused"
        PlacementApproval.objects.filter(pk=world.approval.pk).update(
            status="pending", reason="", decided_by=None
        )

    items = list(world.approval.institution.approval_checklist.values_list("pk", flat=True))
    old = snapshot(PlacementApproval, world.approval.pk, *fields)
    response = api.post(f"{url}approve/", {"checked_items": items}, format="json")
    assert response.status_code == expected["approve"], response.content
    if expected["approve"] != 200:
        assert snapshot(PlacementApproval, world.approval.pk, *fields) == old
    else:
        assert response.json()["status"] == "approved"


# --- Evaluations --------------------------------------------------------------------------------

EVALUATION = table(
    #          anon  sam   uma   oscar olga  lena  sol   admin
    create=(401, 201, 404, 403, 404, 403, 404, 403),
    listed=(None, 1, 0, 0, 0, 0, 0, 0),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_student_evaluations(request, world, persona):
    expected = EVALUATION[persona]
    api = api_as(request, persona)
    body = {"application": world.completed.pk, "overall": 5, "learning": 4, "support": 4}
    response = api.post("/api/student-evaluations/", body, format="json")
    assert response.status_code == expected["create"], response.content
    assert StudentEvaluation.objects.count() == (expected["create"] == 201)
    response = api.get("/api/student-evaluations/")
    if expected["listed"] is None:
        assert response.status_code == 401
    else:
        assert response.json()["count"] == expected["listed"]
