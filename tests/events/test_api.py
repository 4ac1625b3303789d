"""The events API under the same rules as the pages: creating with clear 400s, the life cycle,
registering (confirmed, waitlisted, pending; twice is once), the waitlist moving up, the online
link kept from people without a confirmed place, the organisers' registrants list, check-in,
messages with their daily limit, the .ics file, the agenda, filters, and query counts that do
not grow with the rows."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from events import services
from events.models import (
    Audience,
    Event,
    EventFormat,
    EventKind,
    EventMessage,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
    Speaker,
)
from partnerships.projects.models import Partnership, PartnershipStatus
from partnerships.projects.search import is_postgres, refresh_search_vector
from tests.conftest import needs_service
from tests.factories import SectorFactory, UserFactory

from .conftest import EventFactory, RegistrationFactory, in_days, make_students

pytestmark = pytest.mark.django_db

R = RegistrationStatus
S = EventStatus
LINK = "https://meet.example/pixel-forge-lecture"


def as_(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def event_body(**overrides) -> dict:
    start = in_days(20).replace(microsecond=0)
    body = {
        "organisation": "pixel-forge",
        "kind": "workshop",
        "title": "Lighting for games",
        "summary": "Hands-on.",
        "description": "Bring a laptop.",
        "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=3)).isoformat(),
        "timezone": "Europe/London",
        "format": "in_person",
        "venue_name": "Pixel Forge studio",
        "capacity": 20,
    }
    body.update(overrides)
    return body


@pytest.fixture
def hybrid_event(studio, studio_owner):
    return EventFactory(
        organisation=studio,
        created_by=studio_owner,
        title="Hybrid lecture",
        format=EventFormat.HYBRID,
        online_url=LINK,
    )


# --- Creating and editing -----------------------------------------------------------------------


def test_create_event_as_a_draft_with_mass_assignment_ignored(studio_owner):
    body = event_body(
        status="published", seats_taken=50, sequence=9, published_at=timezone.now().isoformat()
    )
    body["sectors"] = [SectorFactory(slug="games").slug]
    response = as_(studio_owner).post("/api/events/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft" and data["seats_taken"] == 0 and data["sequence"] == 0
    assert data["organisers"] == [{"slug": "pixel-forge", "name": "Pixel Forge"}]
    assert data["sectors"] == ["games"] and data["my_registration"] is None
    assert data["registration_state"] == "unavailable"
    event = Event.objects.get(pk=data["id"])
    assert event.created_by == studio_owner and event.published_at is None
    assert event.search_vector is not None or not is_postgres()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"kind": "party"}, "kind"),
        ({"ends_at": in_days(19).isoformat()}, "ends_at"),
        ({"format": "in_person", "online_url": LINK}, "online_url"),
        ({"format": "hybrid", "venue_name": "", "venue_address": ""}, "venue_address"),
        ({"capacity": 0}, "capacity"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"online_url": "not a link"}, "online_url"),
        ({"registration_closes_at": in_days(30).isoformat()}, "registration_closes_at"),
        ({"audience": "members"}, "audience_organisations"),
        ({"sectors": ["no-such-sector"]}, "sectors"),
    ],
)
def test_create_with_validation_errors_answers_400_with_the_field(studio_owner, overrides, field):
    body = event_body(**overrides)
    response = as_(studio_owner).post("/api/events/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Event.objects.exists()


def test_create_needs_the_required_fields(studio_owner):
    response = as_(studio_owner).post(
        "/api/events/", {"organisation": "pixel-forge"}, format="json"
    )
    assert response.status_code == 400
    assert {"kind", "title", "description", "starts_at", "ends_at"} <= set(response.json())


def test_create_for_an_organisation_you_cannot_host_for(
    other_owner, pending_owner, studio, pending_studio
):
    response = as_(other_owner).post("/api/events/", event_body(), format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_verified_member"
    body = event_body(organisation="pending-studio")
    response = as_(pending_owner).post("/api/events/", body, format="json")
    assert response.status_code == 403
    body = event_body(organisation="no-such-studio")
    assert as_(other_owner).post("/api/events/", body, format="json").status_code == 404
    # A pending organisation is not even visible to outsiders.
    assert as_(other_owner).post("/api/events/", event_body(organisation="pending-studio"),
                                 format="json").status_code == 404  # fmt: skip
    assert not Event.objects.exists()


def test_members_audience_and_partnership_by_reference(
    studio_owner, university, lecturer, student, other_student, other_studio
):
    partnership = Partnership.objects.create(
        institution=university, industry_partner=studio_owner.memberships.get().organisation,
        title="Northbridge × Pixel Forge", status=PartnershipStatus.ACTIVE,
    )  # fmt: skip
    body = event_body(
        audience="members", audience_organisations=["northbridge"], partnership=partnership.pk
    )
    response = as_(studio_owner).post("/api/events/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["audience_organisations"] == ["northbridge"]
    assert [o["slug"] for o in data["organisers"]] == ["pixel-forge", "northbridge"]
    url = f"/api/events/{data['id']}/"
    # The other side of the partnership runs it too.
    assert as_(lecturer).post(f"{url}publish/").status_code == 200
    assert as_(student).get(url).status_code == 200
    assert as_(other_student).get(url).status_code == 404

    response = as_(lecturer).patch(url, {"audience_organisations": []}, format="json")
    assert response.status_code == 400 and "audience_organisations" in response.json()
    response = as_(studio_owner).patch(url, {"partnership": 99999}, format="json")
    assert response.status_code == 404
    other = Partnership.objects.create(
        institution=university, industry_partner=other_studio, title="Other",
        status=PartnershipStatus.ACTIVE,
    )  # fmt: skip
    response = as_(lecturer).patch(url, {"partnership": other.pk}, format="json")
    assert response.status_code == 400 and "partnership" in response.json()


def test_create_in_the_past_is_refused(studio_owner):
    body = event_body(starts_at=in_days(-2).isoformat(), ends_at=in_days(-1).isoformat())
    response = as_(studio_owner).post("/api/events/", body, format="json")
    assert response.status_code == 400 and "ends_at" in response.json()


def test_partial_update_goes_through_the_service(event, studio_owner, student, other_studio):
    RegistrationFactory(event=event, user=student)
    url = f"/api/events/{event.pk}/"
    oscar = as_(studio_owner)
    response = oscar.patch(url, {"title": "Renamed", "status": "cancelled"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Renamed" and response.json()["status"] == "published"
    assert response.json()["sequence"] == 1  # the title is in people's calendars

    response = oscar.patch(url, {"organisation": "other-studio"}, format="json")
    assert response.status_code == 400 and "organisation" in response.json()
    response = oscar.patch(url, {"capacity": 0}, format="json")
    assert response.status_code == 400 and "capacity" in response.json()
    response = oscar.patch(url, {"ends_at": in_days(1).isoformat()}, format="json")
    assert response.status_code == 400 and "ends_at" in response.json()
    event.refresh_from_db()
    assert event.title == "Renamed" and event.status == S.PUBLISHED and event.sequence == 1


def test_raising_the_capacity_moves_the_waitlist_in(event, studio_owner):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    first, waiting = make_students(2)
    RegistrationFactory(event=event, user=first)
    queued = RegistrationFactory(event=event, user=waiting, status=R.WAITLISTED)
    response = as_(studio_owner).patch(f"/api/events/{event.pk}/", {"capacity": 2}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["seats_taken"] == 2 and response.json()["is_full"] is True
    queued.refresh_from_db()
    assert queued.status == R.CONFIRMED and queued.promoted_at is not None
    response = as_(studio_owner).patch(f"/api/events/{event.pk}/", {"capacity": 1}, format="json")
    assert response.status_code == 409 and "capacity" in response.json()


# --- Life cycle ---------------------------------------------------------------------------------


def test_publish_cancel_and_complete(draft_event, studio_owner, event):
    oscar = as_(studio_owner)
    url = f"/api/events/{draft_event.pk}/"
    response = oscar.post(f"{url}publish/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert response.json()["registration_state"] == "open"
    response = oscar.post(f"{url}publish/")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"

    response = oscar.post(f"{url}cancel/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = oscar.post(f"{url}cancel/", {"reason": "The speaker is ill."}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "cancelled" and data["cancellation_reason"] == "The speaker is ill."
    assert data["sequence"] == 1
    assert oscar.post(f"{url}cancel/", {"reason": "x"}, format="json").status_code == 409

    response = oscar.post(f"/api/events/{event.pk}/complete/")
    assert response.status_code == 409  # it has not started yet
    Event.objects.filter(pk=event.pk).update(
        starts_at=in_days(-0.1), ends_at=in_days(0.1), registration_closes_at=None
    )
    response = oscar.post(f"/api/events/{event.pk}/complete/")
    assert response.status_code == 200 and response.json()["status"] == "completed"


def test_publish_when_registration_already_closed(studio, studio_owner):
    draft = EventFactory(
        organisation=studio, status=S.DRAFT, starts_at=in_days(-0.1), ends_at=in_days(0.1)
    )
    response = as_(studio_owner).post(f"/api/events/{draft.pk}/publish/")
    assert response.status_code == 400 and response.json()["code"] == "in_the_past"
    assert "starts_at" in response.json()


# --- Registering --------------------------------------------------------------------------------


def test_register_confirmed_then_again_returns_the_same_registration(event, student):
    sam = as_(student)
    response = sam.post(f"/api/events/{event.pk}/register/")
    assert response.status_code == 201, response.content
    first = response.json()
    assert first["status"] == "confirmed" and first["waitlist_position"] is None
    assert first["event"] == event.pk and first["user"] == student.pk

    response = sam.post(f"/api/events/{event.pk}/register/")
    assert response.status_code == 200
    assert response.json()["id"] == first["id"] and response.json()["status"] == "confirmed"
    assert Registration.objects.count() == 1
    event.refresh_from_db()
    assert event.seats_taken == 1
    detail = sam.get(f"/api/events/{event.pk}/").json()
    assert detail["my_registration"] == {
        "id": first["id"],
        "status": "confirmed",
        "waitlist_position": None,
    }
    assert detail["seats_left"] == 59


def test_register_joins_the_waitlist_when_full(event, student, other_student):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    taken = make_students(1)[0]
    RegistrationFactory(event=event, user=taken)
    response = as_(student).post(f"/api/events/{event.pk}/register/")
    assert response.status_code == 201
    assert response.json()["status"] == "waitlisted" and response.json()["waitlist_position"] == 1
    response = as_(other_student).post(f"/api/events/{event.pk}/register/")
    assert response.json()["waitlist_position"] == 2
    detail = as_(other_student).get(f"/api/events/{event.pk}/").json()
    assert detail["is_full"] is True and detail["seats_left"] == 0
    assert detail["my_registration"]["status"] == "waitlisted"
    assert detail["my_registration"]["waitlist_position"] == 2
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_register_is_pending_when_organisers_approve(event, student, studio_owner):
    Event.objects.filter(pk=event.pk).update(requires_approval=True)
    response = as_(student).post(f"/api/events/{event.pk}/register/")
    assert response.status_code == 201 and response.json()["status"] == "pending"
    registration = response.json()["id"]
    url = f"/api/event-registrations/{registration}/"
    assert as_(student).post(f"{url}approve/").status_code == 403
    response = as_(studio_owner).post(f"{url}approve/")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert as_(studio_owner).post(f"{url}approve/").status_code == 409
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_decline_a_pending_registration(event, student, studio_owner):
    registration = RegistrationFactory(event=event, user=student, status=R.PENDING)
    url = f"/api/event-registrations/{registration.pk}/decline/"
    response = as_(studio_owner).post(url, {"reason": "Staff only, sorry."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    response = as_(student).post(f"/api/events/{event.pk}/register/")
    assert response.status_code == 403 and response.json()["code"] == "declined"


def test_register_refusals(event, draft_event, student, lecturer, studio):
    students_only = EventFactory(organisation=studio, audience=Audience.STUDENTS)
    response = as_(lecturer).post(f"/api/events/{students_only.pk}/register/")
    assert response.status_code == 404  # not in the audience: not even visible
    assert as_(student).post(f"/api/events/{draft_event.pk}/register/").status_code == 404
    Event.objects.filter(pk=event.pk).update(registration_opens_at=in_days(2))
    response = as_(student).post(f"/api/events/{event.pk}/register/")
    assert response.status_code == 409 and response.json()["code"] == "registration_not_yet"
    Event.objects.filter(pk=event.pk).update(status=S.CANCELLED)
    response = as_(student).post(f"/api/events/{event.pk}/register/")
    assert response.status_code == 409 and response.json()["code"] == "registration_unavailable"
    assert as_(None).post(f"/api/events/{event.pk}/register/").status_code == 401
    assert not Registration.objects.exists()


def test_cancelling_promotes_the_first_waitlisted(event, student, other_student):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    later = make_students(1, prefix="later")[0]
    sam, uma = as_(student), as_(other_student)
    assert sam.post(f"/api/events/{event.pk}/register/").json()["status"] == "confirmed"
    uma_reg = uma.post(f"/api/events/{event.pk}/register/").json()
    later_reg = as_(later).post(f"/api/events/{event.pk}/register/").json()
    assert (uma_reg["waitlist_position"], later_reg["waitlist_position"]) == (1, 2)

    response = sam.post(f"/api/events/{event.pk}/cancel-registration/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert uma.get(f"/api/event-registrations/{uma_reg['id']}/").json()["status"] == "confirmed"
    later_now = as_(later).get(f"/api/event-registrations/{later_reg['id']}/").json()
    assert later_now["status"] == "waitlisted" and later_now["waitlist_position"] == 1
    assert sam.post(f"/api/events/{event.pk}/cancel-registration/").status_code == 409
    event.refresh_from_db()
    assert event.seats_taken == 1
    services.validate_capacity(event)

    # Through the registrations endpoint, the same rule.
    response = uma.post(f"/api/event-registrations/{uma_reg['id']}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Registration.objects.get(pk=later_reg["id"]).status == R.CONFIRMED

    # Registering again after cancelling is allowed while seats are free.
    response = uma.post(f"/api/events/{event.pk}/register/")
    assert response.status_code == 201 and response.json()["id"] == uma_reg["id"]
    assert response.json()["status"] == "waitlisted"


def test_cancel_registration_without_one_is_404(event, student):
    response = as_(student).post(f"/api/events/{event.pk}/cancel-registration/")
    assert response.status_code == 404


def test_waitlist_positions_match_the_service(event):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    people = make_students(4)
    RegistrationFactory(event=event, user=people[0])
    moment = timezone.now()
    queued = [
        RegistrationFactory(event=event, user=person, status=R.WAITLISTED, waitlisted_at=moment)
        for person in people[1:]
    ]
    Registration.objects.filter(pk=queued[2].pk).update(
        waitlisted_at=moment - datetime.timedelta(minutes=1)
    )
    for registration in queued:
        registration.refresh_from_db()
        data = as_(registration.user).get(f"/api/event-registrations/{registration.pk}/").json()
        assert data["waitlist_position"] == services.waitlist_position(registration)
    assert [services.waitlist_position(r) for r in queued] == [2, 3, 1]


# --- The online link ----------------------------------------------------------------------------


def test_online_link_only_for_confirmed_places_and_organisers(
    hybrid_event, student, other_student, studio_owner, studio_member, other_owner, platform_admin
):
    Event.objects.filter(pk=hybrid_event.pk).update(capacity=1)
    url = f"/api/events/{hybrid_event.pk}/"
    assert as_(student).post(f"{url}register/").json()["status"] == "confirmed"
    assert as_(other_student).post(f"{url}register/").json()["status"] == "waitlisted"

    def link(user):
        return as_(user).get(url).json()["online_url"]

    assert link(student) == LINK
    for outsider in (None, other_student, other_owner):
        assert link(outsider) is None
    for organiser in (studio_owner, studio_member, platform_admin):
        assert link(organiser) == LINK

    rows = as_(other_student).get("/api/events/").json()["results"]
    assert [row["online_url"] for row in rows if row["id"] == hybrid_event.pk] == [None]
    rows = as_(student).get("/api/events/").json()["results"]
    assert [row["online_url"] for row in rows if row["id"] == hybrid_event.pk] == [LINK]

    # A pending registration does not show it either.
    Event.objects.filter(pk=hybrid_event.pk).update(capacity=None, requires_approval=True)
    pending = make_students(1)[0]
    assert as_(pending).post(f"{url}register/").json()["status"] == "pending"
    assert link(pending) is None


# --- The .ics file ------------------------------------------------------------------------------


def test_ics_parses_and_carries_the_link_only_for_confirmed(hybrid_event, student, draft_event):
    url = f"/api/events/{hybrid_event.pk}/ics/"
    response = as_(None).get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    (component,) = calendar.walk("VEVENT")
    assert str(component["summary"]) == "Hybrid lecture"
    assert LINK not in str(component["description"]) + str(component.get("location", ""))
    assert LINK not in response.content.decode().replace("\r\n ", "")  # unfolded

    RegistrationFactory(event=hybrid_event, user=student)
    response = as_(student).get(url)
    assert LINK in Calendar.from_ical(response.content).walk("VEVENT")[0]["description"]
    assert as_(None).get(f"/api/events/{draft_event.pk}/ics/").status_code == 404


# --- Organisers: registrants, check-in, messages ------------------------------------------------


def test_registrants_search_and_status_filter(event, studio_owner, student, university):
    RegistrationFactory(event=event, user=student)
    waiting = UserFactory(email="zed@elsewhere.example", role="student", display_name="Zed Quinn")
    RegistrationFactory(event=event, user=waiting, status=R.WAITLISTED)
    url = f"/api/events/{event.pk}/registrants/"
    oscar = as_(studio_owner)

    response = oscar.get(url)
    assert response.status_code == 200 and response.json()["count"] == 2
    rows = {row["email"]: row for row in response.json()["results"]}
    assert rows[student.email]["institution"] == "Northbridge University"
    assert rows["zed@elsewhere.example"]["waitlist_position"] == 1

    def emails(**params):
        return [row["email"] for row in oscar.get(url, params).json()["results"]]

    assert emails(q="quinn") == ["zed@elsewhere.example"]
    assert emails(q="northbridge") == [student.email]
    assert emails(status="confirmed") == [student.email]
    assert emails(status="waitlisted", q="sam") == []
    assert as_(student).get(url).status_code == 403


def test_check_in_at_the_door(studio, studio_owner, student, other_student):
    tonight = EventFactory(organisation=studio, starts_at=in_days(0.1))
    confirmed = RegistrationFactory(event=tonight, user=student)
    waiting = RegistrationFactory(event=tonight, user=other_student, status=R.WAITLISTED)
    oscar = as_(studio_owner)
    url = f"/api/event-registrations/{confirmed.pk}/check-in/"

    response = oscar.post(url, {}, format="json")
    assert response.status_code == 200 and response.json()["checked_in_at"]
    first = response.json()["checked_in_at"]
    assert oscar.post(url, {}, format="json").json()["checked_in_at"] == first  # twice is once
    rows = oscar.get(f"/api/events/{tonight.pk}/registrants/?status=confirmed").json()["results"]
    assert rows[0]["checked_in_by_name"] == "Oscar"
    response = oscar.post(url, {"undo": True}, format="json")
    assert response.status_code == 200 and response.json()["checked_in_at"] is None

    response = oscar.post(f"/api/event-registrations/{waiting.pk}/check-in/", {}, format="json")
    assert response.status_code == 409
    assert as_(student).post(url, {}, format="json").status_code == 403

    later = EventFactory(organisation=studio, starts_at=in_days(3))
    early = RegistrationFactory(event=later, user=student)
    response = oscar.post(f"/api/event-registrations/{early.pk}/check-in/", {}, format="json")
    assert response.status_code == 409
    early.refresh_from_db()
    assert early.checked_in_at is None


def test_message_registrants_with_a_daily_limit(
    event, studio_owner, student, settings, django_capture_on_commit_callbacks
):
    settings.EVENT_MESSAGES_PER_DAY = 2
    url = f"/api/events/{event.pk}/message/"
    oscar = as_(studio_owner)
    body = {"subject": "Room change", "body": "We moved to LT2.", "recipients": "confirmed"}
    response = oscar.post(url, body, format="json")
    assert response.status_code == 409 and "recipients" in response.json()  # nobody yet

    RegistrationFactory(event=event, user=student)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = oscar.post(url, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["recipient_count"] == 1 and response.json()["sender_name"] == "Oscar"
    assert [m.to for m in mail.outbox] == [[student.email]]
    assert "Room change" in mail.outbox[0].subject

    assert oscar.post(url, body, format="json").status_code == 201
    response = oscar.post(url, body, format="json")
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert EventMessage.objects.count() == 2

    assert oscar.post(url, {**body, "subject": ""}, format="json").status_code == 400
    assert (
        oscar.post(url, {**body, "recipients": "all-the-world"}, format="json").status_code == 400
    )
    assert as_(student).post(url, body, format="json").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/api/events/{event}/cancel/",
        "/api/events/{event}/message/",
        "/api/event-registrations/{registration}/decline/",
        "/api/event-registrations/{registration}/check-in/",
    ],
)
@pytest.mark.parametrize("body", [[1, 2], "text", 3])
def test_bodies_that_are_not_objects_answer_400(path, body, event, student, studio_owner):
    registration = RegistrationFactory(event=event, user=student, status=R.PENDING)
    url = path.format(event=event.pk, registration=registration.pk)
    response = as_(studio_owner).post(url, body, format="json")
    assert response.status_code == 400, response.content
    event.refresh_from_db()
    registration.refresh_from_db()
    assert event.status == S.PUBLISHED and registration.status == R.PENDING


# --- The agenda ---------------------------------------------------------------------------------


def test_sessions_within_the_event_times(event, studio_owner, student, draft_event):
    oscar = as_(studio_owner)
    start = event.starts_at
    body = {
        "event": event.pk,
        "title": "Keynote",
        "starts_at": (start - datetime.timedelta(minutes=30)).isoformat(),
        "ends_at": (start + datetime.timedelta(minutes=30)).isoformat(),
        "room": "LT1",
    }
    response = oscar.post("/api/event-sessions/", body, format="json")
    assert response.status_code == 400 and "starts_at" in response.json()
    body["starts_at"] = start.isoformat()
    response = oscar.post("/api/event-sessions/", body, format="json")
    assert response.status_code == 201, response.content
    session = response.json()
    assert session["speakers"] == [] and session["room"] == "LT1"
    url = f"/api/event-sessions/{session['id']}/"

    late = (event.ends_at + datetime.timedelta(minutes=5)).isoformat()
    response = oscar.patch(url, {"ends_at": late}, format="json")
    assert response.status_code == 400
    response = oscar.patch(url, {"title": "Opening keynote", "event": event.pk}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Opening keynote"
    response = oscar.patch(url, {"event": draft_event.pk}, format="json")
    assert response.status_code == 400 and "event" in response.json()
    assert as_(student).patch(url, {"title": "Mine"}, format="json").status_code == 403
    assert as_(student).delete(url).status_code == 403

    # Moving the event away from its agenda is refused.
    response = oscar.patch(
        f"/api/events/{event.pk}/",
        {"starts_at": in_days(30).isoformat(), "ends_at": in_days(30.1).isoformat()},
        format="json",
    )
    assert response.status_code == 400 and "starts_at" in response.json()

    listed = as_(None).get(f"/api/event-sessions/?event={event.pk}").json()["results"]
    assert [row["title"] for row in listed] == ["Opening keynote"]
    assert oscar.delete(url).status_code == 204
    assert not EventSession.objects.exists()


def test_speakers_are_people_or_names(event, studio_owner, studio_member, student, other_owner):
    oscar = as_(studio_owner)
    session = EventSession.objects.create(
        event=event, title="Panel", starts_at=event.starts_at, ends_at=event.ends_at
    )
    response = oscar.post(
        "/api/event-speakers/",
        {"event": event.pk, "name": "Grace Guest", "affiliation": "Freelance"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["display_name"] == "Grace Guest" and response.json()["user"] is None
    body = {"event": event.pk, "user": studio_member.pk, "session": session.pk}
    response = oscar.post("/api/event-speakers/", body, format="json")
    assert response.status_code == 201 and response.json()["display_name"] == "Mia"
    assert oscar.post("/api/event-speakers/", body, format="json").status_code == 409

    response = oscar.post("/api/event-speakers/", {"event": event.pk}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    other = EventFactory(organisation=event.organisation)
    elsewhere = EventSession.objects.create(
        event=other, title="Other", starts_at=other.starts_at, ends_at=other.ends_at
    )
    body = {"event": event.pk, "name": "X", "session": elsewhere.pk}
    response = oscar.post("/api/event-speakers/", body, format="json")
    assert response.status_code == 400 and "session" in response.json()
    # Studios cannot see Sam's profile, so they cannot name him by id either.
    body = {"event": event.pk, "user": student.pk}
    assert oscar.post("/api/event-speakers/", body, format="json").status_code == 404

    sessions = as_(None).get(f"/api/event-sessions/{session.pk}/").json()
    assert [s["display_name"] for s in sessions["speakers"]] == ["Mia"]
    listed = as_(None).get(f"/api/event-speakers/?event={event.pk}").json()["results"]
    assert [row["display_name"] for row in listed] == ["Grace Guest", "Mia"]
    only = as_(None).get(f"/api/event-speakers/?session={session.pk}").json()["results"]
    assert [row["display_name"] for row in only] == ["Mia"]

    speaker = Speaker.objects.get(name="Grace Guest")
    assert as_(other_owner).delete(f"/api/event-speakers/{speaker.pk}/").status_code == 403
    assert oscar.delete(f"/api/event-speakers/{speaker.pk}/").status_code == 204
    assert Speaker.objects.count() == 1


def test_agenda_of_a_cancelled_event_is_frozen(event, studio_owner):
    Event.objects.filter(pk=event.pk).update(status=S.CANCELLED)
    body = {"event": event.pk, "title": "Late", "starts_at": event.starts_at.isoformat(),
            "ends_at": event.ends_at.isoformat()}  # fmt: skip
    assert as_(studio_owner).post("/api/event-sessions/", body, format="json").status_code == 409


# --- Lists, filters and search ------------------------------------------------------------------


def test_event_filters(studio, other_studio, studio_owner):
    games = SectorFactory(slug="games")
    EventFactory(organisation=studio, title="Games night", kind=EventKind.NETWORKING,
                 starts_at=in_days(3)).sectors.add(games)  # fmt: skip
    EventFactory(organisation=other_studio, title="Online talk", format=EventFormat.ONLINE,
                 venue_name="", venue_address="", starts_at=in_days(40))  # fmt: skip
    EventFactory(organisation=studio, title="Hybrid fair", kind=EventKind.CAREERS_FAIR,
                 format=EventFormat.HYBRID, starts_at=in_days(60))  # fmt: skip
    EventFactory(organisation=studio, title="Last year", starts_at=in_days(-300))
    EventFactory(organisation=studio, title="Called off", status=S.CANCELLED)
    EventFactory(organisation=studio, title="Unpublished", status=S.DRAFT)

    def titles(query, user=None):
        response = as_(user).get(f"/api/events/?{query}")
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["results"]]

    assert titles("") == ["Games night", "Online talk", "Hybrid fair"]
    assert titles("when=past") == ["Last year"]
    assert titles("kind=networking") == ["Games night"]
    assert titles("sector=games") == ["Games night"]
    assert titles("organiser=other-studio") == ["Online talk"]
    assert titles("attendance=online") == ["Online talk", "Hybrid fair"]
    assert titles("attendance=in_person") == ["Games night", "Hybrid fair"]
    day = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()
    assert titles(f"date_from={day}&date_to={day}") == ["Online talk"]
    assert titles(f"date_from={day}") == ["Online talk", "Hybrid fair"]
    assert "Unpublished" in titles("mine=true", studio_owner)
    assert titles("mine=true") == []
    for bad in ("date_from=tomorrow", "when=soon", "kind=party", "attendance=telepathy"):
        assert as_(None).get(f"/api/events/?{bad}").status_code == 400


def test_q_searches_events_ranked(studio):
    if not is_postgres():
        needs_service("PostgreSQL", "?q= ranks with PostgreSQL full-text search")
    rows = [
        EventFactory(organisation=studio, title="Photogrammetry masterclass",
                     summary="", description="Scan props."),
        EventFactory(organisation=studio, title="Museum evening", summary="",
                     description="Digitise objects with photogrammetry."),
        EventFactory(organisation=studio, title="Sound design", summary="", description="Foley."),
        EventFactory(organisation=studio, title="Draft photogrammetry", status=S.DRAFT),
    ]  # fmt: skip
    for row in rows:
        refresh_search_vector(Event, row.pk, Event.SEARCH_WEIGHTS)
    response = as_(None).get("/api/events/", {"q": "photogrammetry"})
    titles = [row["title"] for row in response.json()["results"]]
    assert titles == ["Photogrammetry masterclass", "Museum evening"]
    assert as_(None).get("/api/events/", {"q": "knitting"}).json()["results"] == []


def test_my_registrations_upcoming_then_past(studio, student):
    soon = RegistrationFactory(event=EventFactory(organisation=studio, starts_at=in_days(2)),
                               user=student)  # fmt: skip
    later = RegistrationFactory(event=EventFactory(organisation=studio, starts_at=in_days(9)),
                                user=student, status=R.WAITLISTED)  # fmt: skip
    past = RegistrationFactory(
        event=EventFactory(organisation=studio, starts_at=in_days(-9), status=S.COMPLETED),
        user=student,
    )
    older = RegistrationFactory(
        event=EventFactory(organisation=studio, starts_at=in_days(-30), status=S.COMPLETED),
        user=student,
    )
    RegistrationFactory(event=EventFactory(organisation=studio), user=student, status=R.CANCELLED)
    RegistrationFactory(event=EventFactory(organisation=studio))  # someone else's
    sam = as_(student)

    def ids(query=""):
        response = sam.get(f"/api/event-registrations/{query}")
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [soon.pk, later.pk, past.pk, older.pk]
    assert ids("?when=upcoming") == [soon.pk, later.pk]
    assert ids("?when=past") == [past.pk, older.pk]


# --- Query counts -------------------------------------------------------------------------------

LIST_QUERY_BOUND = 7  # count, page, and one per prefetched relation, plus memberships once


def _populate(studio, rows: int, people: list) -> list[Event]:
    sectors = [SectorFactory(), SectorFactory()]
    events = EventFactory.create_batch(
        rows, organisation=studio, format=EventFormat.HYBRID, online_url=LINK, capacity=1
    )
    for number, event in enumerate(events):
        event.sectors.set(sectors)
        EventSession.objects.create(
            event=event, title="Talk", starts_at=event.starts_at, ends_at=event.ends_at
        )
        Speaker.objects.create(event=event, name="Guest")
        status = R.CONFIRMED if number % 2 else R.WAITLISTED
        for person in people:
            RegistrationFactory(event=event, user=person, status=status)
            status = R.WAITLISTED
    return events


@pytest.mark.parametrize("rows", [5, 40])
@pytest.mark.parametrize("persona", [None, "student", "studio_owner"])
def test_event_list_queries_do_not_grow(
    request, studio, student, other_student, rows, persona, django_assert_max_num_queries
):
    _populate(studio, rows, [student, other_student])
    user = request.getfixturevalue(persona) if persona else None
    client = as_(user)
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get("/api/events/?page_size=100")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == rows
    if persona == "student":
        assert {row["my_registration"]["status"] for row in results} == {"confirmed", "waitlisted"}
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        assert len(client.get("/api/events/?mine=true&page_size=100").json()["results"]) == (
            rows if persona == "studio_owner" else 0
        )
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get("/api/event-sessions/?page_size=100")
    assert len(response.json()["results"]) == rows
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get("/api/event-speakers/?page_size=100")
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [5, 40])
def test_registration_lists_queries_do_not_grow(
    studio, student, studio_owner, university, rows, django_assert_max_num_queries
):
    _populate(studio, rows, [student])
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = as_(student).get("/api/event-registrations/?page_size=100")
    assert response.status_code == 200 and len(response.json()["results"]) == rows

    big = EventFactory(organisation=studio, capacity=rows // 2, starts_at=in_days(0.5))
    for number, person in enumerate(make_students(rows, university, prefix="crowd")):
        confirmed = number < rows // 2
        registration = RegistrationFactory(
            event=big, user=person, status=R.CONFIRMED if confirmed else R.WAITLISTED
        )
        if confirmed and number % 2:
            Registration.objects.filter(pk=registration.pk).update(
                checked_in_at=timezone.now(), checked_in_by=studio_owner
            )
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = as_(studio_owner).get(f"/api/events/{big.pk}/registrants/?page_size=100")
    assert response.status_code == 200 and len(response.json()["results"]) == rows
    positions = sorted(r["waitlist_position"] for r in response.json()["results"]
                       if r["status"] == "waitlisted")  # fmt: skip
    assert positions == list(range(1, rows - rows // 2 + 1))
