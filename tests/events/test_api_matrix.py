"""Every persona against every events API endpoint and method.

The world: Pixel Forge (Oscar owner, Mia member) runs a public hybrid lecture with an online link
(Sam holds a confirmed place), a draft, a students-only workshop, a members-only seminar for
Northbridge, an approval-only showcase (Uma awaits approval), an event starting tonight (Sam
confirmed, for check-in), one that is running now, and one to cancel. Pending Studio (Pete, not
verified) has a draft of its own. Uma studies at Southgate, Lena works at Northbridge, Olga runs
Other Studio, Ada is a platform admin. Objects a persona may not see answer 404, visible ones
they may not change 403, anonymous calls 401 (reads of public events excepted); every refusal
is checked to leave the data unchanged.
"""

import datetime
from types import SimpleNamespace

import pytest
from icalendar import Calendar
from rest_framework.test import APIClient

from events.models import (
    Audience,
    Event,
    EventFormat,
    EventMessage,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
    Speaker,
)

from .conftest import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db

R = RegistrationStatus
S = EventStatus
LINK = "https://meet.example/lecture"

PERSONAS = [
    "anonymous",
    "student",
    "other_student",
    "studio_owner",
    "studio_member",
    "other_owner",
    "lecturer",
    "pending_owner",
    "platform_admin",
]


@pytest.fixture
def world(
    studio, studio_owner, studio_member, other_owner, pending_studio, pending_owner, university,
    student, other_student, lecturer, platform_admin, event, draft_event,
):  # fmt: skip
    Event.objects.filter(pk=event.pk).update(format=EventFormat.HYBRID, online_url=LINK)
    students_only = EventFactory(
        organisation=studio, title="Students only", audience=Audience.STUDENTS
    )
    members_only = EventFactory(
        organisation=studio, title="Members only", audience=Audience.MEMBERS
    )
    members_only.audience_organisations.add(university)
    approval = EventFactory(organisation=studio, title="Approval", requires_approval=True)
    tonight = EventFactory(organisation=studio, title="Tonight", starts_at=in_days(0.1))
    running = EventFactory(
        organisation=studio, title="Running", starts_at=in_days(-0.05), ends_at=in_days(0.05)
    )
    doomed = EventFactory(organisation=studio, title="Doomed")
    pending_draft = EventFactory(
        organisation=pending_studio, title="Pending draft", status=S.DRAFT, published_at=None
    )
    session = EventSession.objects.create(
        event=event, title="Keynote", starts_at=event.starts_at,
        ends_at=event.starts_at + datetime.timedelta(hours=1),
    )  # fmt: skip
    draft_session = EventSession.objects.create(
        event=draft_event, title="Draft talk", starts_at=draft_event.starts_at,
        ends_at=draft_event.ends_at,
    )  # fmt: skip
    speaker = Speaker.objects.create(event=event, session=session, name="Grace Guest")
    return SimpleNamespace(
        event=event, draft=draft_event, students_only=students_only, members_only=members_only,
        approval=approval, tonight=tonight, running=running, doomed=doomed,
        pending_draft=pending_draft, session=session, draft_session=draft_session,
        speaker=speaker,
        sam=RegistrationFactory(event=event, user=student),
        sam_tonight=RegistrationFactory(event=tonight, user=student),
        uma_pending=RegistrationFactory(event=approval, user=other_student, status=R.PENDING),
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


EVENT_FIELDS = ("title", "status", "sequence", "updated_at", "cancellation_reason")

# --- Events: reading ----------------------------------------------------------------------------

OWN = {"Students only", "Members only", "Draft portfolio clinic"}  # Pixel Forge's, drafts too

READ = table(
    #       anon   sam    uma    oscar  mia    olga   lena   pete   admin
    listed=(
        set(),
        {"Students only", "Members only"},
        {"Students only"},
        {"Students only", "Members only"},
        {"Students only", "Members only"},
        set(),
        {"Members only"},
        set(),
        {"Students only", "Members only"},
    ),
    mine=(set(), set(), set(), OWN, OWN, set(), set(), {"Pending draft"}, set()),
    get_draft=(404, 404, 404, 200, 200, 404, 404, 404, 200),
    get_pending_draft=(404, 404, 404, 404, 404, 404, 404, 200, 200),
    get_students=(404, 200, 200, 200, 200, 404, 404, 404, 200),
    get_members=(404, 200, 404, 200, 200, 404, 200, 404, 200),
    link=(False, True, False, True, True, False, False, False, True),
    ics_draft=(404, 404, 404, 200, 200, 404, 404, 404, 200),
    registrants=(401, 403, 403, 200, 200, 403, 403, 403, 200),
    registrants_draft=(401, 404, 404, 200, 200, 404, 404, 404, 200),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_event_reads(request, world, persona):
    expected = READ[persona]
    api = api_as(request, persona)
    restricted = {"Students only", "Members only", "Draft portfolio clinic", "Pending draft"}

    response = api.get("/api/events/?page_size=100")
    assert response.status_code == 200
    titles = {row["title"] for row in response.json()["results"]}
    assert {"Real-time rendering in practice", "Approval", "Tonight"} <= titles
    assert titles & restricted == expected["listed"]
    mine = api.get("/api/events/?mine=true&page_size=100").json()["results"]
    assert {row["title"] for row in mine} & restricted == expected["mine"]

    for key, target in (
        ("get_draft", world.draft),
        ("get_pending_draft", world.pending_draft),
        ("get_students", world.students_only),
        ("get_members", world.members_only),
    ):
        assert api.get(f"/api/events/{target.pk}/").status_code == expected[key], key

    response = api.get(f"/api/events/{world.event.pk}/")
    assert response.status_code == 200
    assert (response.json()["online_url"] == LINK) == expected["link"]
    assert (response.json()["my_registration"] is not None) == (persona == "student")
    response = api.get(f"/api/events/{world.event.pk}/ics/")
    assert response.status_code == 200
    (component,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert (LINK in str(component["description"])) == expected["link"]
    assert api.get(f"/api/events/{world.draft.pk}/ics/").status_code == expected["ics_draft"]

    response = api.get(f"/api/events/{world.event.pk}/registrants/")
    assert response.status_code == expected["registrants"]
    if response.status_code == 200:
        assert [row["id"] for row in response.json()["results"]] == [world.sam.pk]
    else:
        assert "results" not in response.json()
    response = api.get(f"/api/events/{world.draft.pk}/registrants/")
    assert response.status_code == expected["registrants_draft"]


# --- Events: writing ----------------------------------------------------------------------------

WRITE = table(
    #       anon   sam    uma    oscar  mia    olga   lena   pete   admin
    create=(401, 403, 403, 201, 201, 403, 403, 403, 403),
    patch=(401, 403, 403, 200, 200, 403, 403, 403, 200),
    patch_draft=(401, 404, 404, 200, 200, 404, 404, 404, 200),
    patch_pending_draft=(401, 404, 404, 404, 404, 404, 404, 403, 200),
    publish_draft=(401, 404, 404, 200, 200, 404, 404, 404, 200),
    publish_pending_draft=(401, 404, 404, 404, 404, 404, 404, 403, 200),
    cancel=(401, 403, 403, 200, 200, 403, 403, 403, 200),
    complete=(401, 403, 403, 200, 200, 403, 403, 403, 200),
    message=(401, 403, 403, 201, 201, 403, 403, 403, 201),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_event_writes(request, world, persona, studio):
    expected = WRITE[persona]
    api = api_as(request, persona)

    before = Event.objects.count()
    body = {
        "organisation": "pixel-forge", "kind": "workshop", "title": f"By {persona}",
        "description": "Hands-on.", "starts_at": in_days(5).isoformat(),
        "ends_at": in_days(5.1).isoformat(), "venue_name": "Studio",
    }  # fmt: skip
    response = api.post("/api/events/", body, format="json")
    assert response.status_code == expected["create"], response.content
    assert Event.objects.count() == before + (expected["create"] == 201)

    for target, key in (
        (world.event, "patch"),
        (world.draft, "patch_draft"),
        (world.pending_draft, "patch_pending_draft"),
    ):
        old = snapshot(Event, target.pk, *EVENT_FIELDS)
        response = api.patch(f"/api/events/{target.pk}/", {"title": "Renamed"}, format="json")
        assert response.status_code == expected[key], (key, response.content)
        if expected[key] != 200:
            assert snapshot(Event, target.pk, *EVENT_FIELDS) == old

    for target, key in (
        (world.draft, "publish_draft"),
        (world.pending_draft, "publish_pending_draft"),
    ):
        response = api.post(f"/api/events/{target.pk}/publish/")
        assert response.status_code == expected[key], (key, response.content)
        target.refresh_from_db()
        assert target.status == (S.PUBLISHED if expected[key] == 200 else S.DRAFT)

    for target, action, key, after in (
        (world.doomed, "cancel", "cancel", S.CANCELLED),
        (world.running, "complete", "complete", S.COMPLETED),
    ):
        old = snapshot(Event, target.pk, *EVENT_FIELDS)
        response = api.post(
            f"/api/events/{target.pk}/{action}/", {"reason": "Flooded."}, format="json"
        )
        assert response.status_code == expected[key], (key, response.content)
        if expected[key] == 200:
            assert response.json()["status"] == after
        else:
            assert snapshot(Event, target.pk, *EVENT_FIELDS) == old

    body = {"subject": "Parking", "body": "Use the north gate.", "recipients": "all"}
    response = api.post(f"/api/events/{world.event.pk}/message/", body, format="json")
    assert response.status_code == expected["message"], response.content
    assert EventMessage.objects.count() == (expected["message"] == 201)


# --- Registering --------------------------------------------------------------------------------

REGISTER = table(
    #       anon   sam    uma    oscar  mia    olga   lena   pete   admin
    public=(401, 200, 201, 201, 201, 201, 201, 201, 201),
    students=(401, 201, 201, 403, 403, 404, 404, 404, 403),
    members=(401, 201, 404, 403, 403, 404, 201, 404, 403),
    draft=(401, 404, 404, 409, 409, 404, 404, 404, 409),
    cancel_own=(401, 200, 409, 409, 409, 409, 409, 409, 409),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_register(request, world, persona):
    expected = REGISTER[persona]
    api = api_as(request, persona)

    for target, key in (
        (world.event, "public"),
        (world.students_only, "students"),
        (world.members_only, "members"),
        (world.draft, "draft"),
    ):
        before = Registration.objects.filter(event=target).count()
        response = api.post(f"/api/events/{target.pk}/register/")
        assert response.status_code == expected[key], (key, response.content)
        created = expected[key] == 201
        assert Registration.objects.filter(event=target).count() == before + created
        if expected[key] in (200, 201):
            assert response.json()["status"] == "confirmed"

    # Cancel the place just taken (for Sam: the one he already held); others have none left.
    Registration.objects.filter(event=world.event).exclude(pk=world.sam.pk).update(
        status=R.CANCELLED
    )
    response = api.post(f"/api/events/{world.event.pk}/cancel-registration/")
    assert response.status_code == expected["cancel_own"], response.content
    world.sam.refresh_from_db()
    assert world.sam.status == (R.CANCELLED if expected["cancel_own"] == 200 else R.CONFIRMED)


# --- Registrations ------------------------------------------------------------------------------

REGISTRATION = table(
    #       anon   sam    uma    oscar  mia    olga   lena   pete   admin
    listed=(
        None,
        {"sam", "sam_tonight"},
        {"uma_pending"},
        set(),
        set(),
        set(),
        set(),
        set(),
        set(),
    ),
    get_sam=(401, 200, 404, 200, 200, 404, 404, 404, 200),
    get_uma=(401, 404, 200, 200, 200, 404, 404, 404, 200),
    approve=(401, 404, 403, 200, 200, 404, 404, 404, 200),
    decline=(401, 404, 403, 200, 200, 404, 404, 404, 200),
    check_in=(401, 403, 404, 200, 200, 404, 404, 404, 200),
    cancel=(401, 200, 404, 200, 200, 404, 404, 404, 200),
)
REGISTRATION_FIELDS = ("status", "checked_in_at", "decided_by", "cancelled_at", "updated_at")


@pytest.mark.parametrize("persona", PERSONAS)
def test_registrations(request, world, persona):
    expected = REGISTRATION[persona]
    api = api_as(request, persona)
    names = {getattr(world, n).pk: n for n in ("sam", "sam_tonight", "uma_pending")}

    response = api.get("/api/event-registrations/?page_size=100")
    if expected["listed"] is None:
        assert response.status_code == 401
    else:
        assert response.status_code == 200
        assert {names[row["id"]] for row in response.json()["results"]} == expected["listed"]
    assert api.get(f"/api/event-registrations/{world.sam.pk}/").status_code == expected["get_sam"]
    response = api.get(f"/api/event-registrations/{world.uma_pending.pk}/")
    assert response.status_code == expected["get_uma"]

    for action, target, key, after in (
        ("approve", world.uma_pending, "approve", R.CONFIRMED),
        ("decline", world.uma_pending, "decline", R.DECLINED),
        ("check-in", world.sam_tonight, "check_in", R.CONFIRMED),
        ("cancel", world.sam, "cancel", R.CANCELLED),
    ):
        Registration.objects.filter(pk=world.uma_pending.pk).update(status=R.PENDING)
        Event.objects.filter(pk=world.approval.pk).update(seats_taken=0)
        old = snapshot(Registration, target.pk, *REGISTRATION_FIELDS)
        url = f"/api/event-registrations/{target.pk}/{action}/"
        response = api.post(url, {}, format="json")
        assert response.status_code == expected[key], (action, response.content)
        if expected[key] == 200:
            assert response.json()["status"] == after
            if action == "check-in":
                assert response.json()["checked_in_at"] is not None
        else:
            assert snapshot(Registration, target.pk, *REGISTRATION_FIELDS) == old


# --- Agenda -------------------------------------------------------------------------------------

AGENDA = table(
    #       anon   sam    uma    oscar  mia    olga   lena   pete   admin
    draft_sessions=(0, 0, 0, 1, 1, 0, 0, 0, 1),
    get_draft_session=(404, 404, 404, 200, 200, 404, 404, 404, 200),
    create_session=(401, 403, 403, 201, 201, 403, 403, 403, 201),
    create_draft_session=(401, 404, 404, 201, 201, 404, 404, 404, 201),
    patch_session=(401, 403, 403, 200, 200, 403, 403, 403, 200),
    delete_session=(401, 403, 403, 204, 204, 403, 403, 403, 204),
    create_speaker=(401, 403, 403, 201, 201, 403, 403, 403, 201),
    delete_speaker=(401, 403, 403, 204, 204, 403, 403, 403, 204),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_agenda(request, world, persona):
    expected = AGENDA[persona]
    api = api_as(request, persona)

    response = api.get(f"/api/event-sessions/?event={world.draft.pk}")
    assert response.status_code == 200
    assert response.json()["count"] == expected["draft_sessions"]
    assert api.get(f"/api/event-sessions/{world.session.pk}/").status_code == 200
    response = api.get(f"/api/event-sessions/{world.draft_session.pk}/")
    assert response.status_code == expected["get_draft_session"]
    assert api.get(f"/api/event-speakers/{world.speaker.pk}/").status_code == 200
    listed = api.get(f"/api/event-speakers/?event={world.event.pk}").json()["results"]
    assert [row["display_name"] for row in listed] == ["Grace Guest"]

    for target, key in ((world.event, "create_session"), (world.draft, "create_draft_session")):
        before = EventSession.objects.count()
        body = {
            "event": target.pk,
            "title": f"By {persona}",
            "starts_at": target.starts_at.isoformat(),
            "ends_at": target.ends_at.isoformat(),
        }
        response = api.post("/api/event-sessions/", body, format="json")
        assert response.status_code == expected[key], (key, response.content)
        assert EventSession.objects.count() == before + (expected[key] == 201)

    url = f"/api/event-sessions/{world.session.pk}/"
    old = snapshot(EventSession, world.session.pk, "title", "starts_at")
    response = api.patch(url, {"title": "Renamed"}, format="json")
    assert response.status_code == expected["patch_session"], response.content
    if expected["patch_session"] != 200:
        assert snapshot(EventSession, world.session.pk, "title", "starts_at") == old

    before = Speaker.objects.count()
    body = {"event": world.event.pk, "name": f"Guest of {persona}"}
    response = api.post("/api/event-speakers/", body, format="json")
    assert response.status_code == expected["create_speaker"], response.content
    assert Speaker.objects.count() == before + (expected["create_speaker"] == 201)

    response = api.delete(f"/api/event-speakers/{world.speaker.pk}/")
    assert response.status_code == expected["delete_speaker"], response.content
    assert Speaker.objects.filter(pk=world.speaker.pk).exists() == (
        expected["delete_speaker"] != 204
    )
    response = api.delete(url)
    assert response.status_code == expected["delete_session"], response.content
    assert EventSession.objects.filter(pk=world.session.pk).exists() == (
        expected["delete_session"] != 204
    )
