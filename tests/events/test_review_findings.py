"""Regression tests for the defects found in the review of the events capability.

One test per defect; each failed before its fix (a 500, a leak or a wrong state).
"""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from accounts.models import Role
from events import notify, services
from events.calendar import build_calendar
from events.models import CalendarFeed, Event, EventSession, EventStatus, RegistrationStatus
from partnerships.core.errors import Conflict
from partnerships.projects.models import Partnership, PartnershipStatus
from tests.factories import UserFactory

from .conftest import EventFactory, RegistrationFactory, in_days
from .test_views import NEXT_YEAR, event_form

pytestmark = pytest.mark.django_db
R = RegistrationStatus
S = EventStatus
UTC = datetime.UTC


def as_(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def api_event_body(**overrides) -> dict:
    start = in_days(20).replace(microsecond=0)
    body = {
        "organisation": "pixel-forge",
        "kind": "workshop",
        "title": "Lighting for games",
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


def test_event_form_answers_400_for_a_time_in_an_unknown_format(client, studio, studio_owner):
    """The fallback parser named ``forms.BaseTemporalField``, which does not exist: any time
    that was not ISO 8601 (a typo, a browser without a date picker) was a 500, and the
    day-first format the form advertises never worked."""
    client.force_login(studio_owner)
    for value in ("tomorrow evening", "31/02/2030 18:00", "-1"):
        response = client.post(
            reverse("events:create"), event_form(organisation=studio.pk, starts_at=value)
        )
        assert response.status_code == 400, value
        assert "starts_at" in response.context["form"].errors
    assert not Event.objects.exists()
    # The other formats of the active language work, read in the event's own zone (New York).
    response = client.post(
        reverse("events:create"),
        event_form(
            organisation=studio.pk,
            starts_at=f"01/06/{NEXT_YEAR} 18:00",
            ends_at=f"01/06/{NEXT_YEAR} 20:00",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    starts = Event.objects.get().starts_at.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert (starts.year, starts.hour, starts.minute) == (NEXT_YEAR, 18, 0)


def test_event_and_session_forms_refuse_far_out_years_instead_of_crashing(
    client, event, studio_owner
):
    """9999-12-31 23:59 in New York is past the last moment Python can hold in UTC: the
    event form and the agenda's session form answered 500 (OverflowError)."""
    client.force_login(studio_owner)
    for field in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        response = client.post(reverse("events:create"), event_form(**{field: "9999-12-31T23:59"}))
        assert response.status_code == 400, field
        assert field in response.context["form"].errors
    response = client.post(
        reverse("events:agenda", args=[event.pk]),
        {
            "form": "session",
            "session-title": "Keynote",
            "session-starts_at": "9999-12-31T23:00",
            "session-ends_at": "9999-12-31T23:59",
        },
    )
    assert response.status_code == 400
    assert not EventSession.objects.exists()


def test_events_in_absurd_years_are_refused_and_never_break_calendar_files(
    client, studio, studio_owner
):
    """The API accepted an event in the year 9999 (or starting in year 1); its .ics file, and
    the feed of everyone registered, then crashed with an OverflowError."""
    api = as_(studio_owner)
    for body in (
        api_event_body(starts_at="9999-12-30T00:00:00Z", ends_at="9999-12-31T00:00:00Z"),
        api_event_body(starts_at="0001-01-02T00:00:00Z"),
        api_event_body(registration_closes_at="1999-01-01T00:00:00Z"),
    ):
        response = api.post("/api/events/", body, format="json")
        assert response.status_code == 400, body
    assert not Event.objects.exists()
    # Old rows written before the check still give a calendar file.
    far = EventFactory(
        organisation=studio,
        timezone="Europe/London",
        starts_at=datetime.datetime(9999, 12, 30, tzinfo=UTC),
        ends_at=datetime.datetime(9999, 12, 30, 2, tzinfo=UTC),
    )
    assert Calendar.from_ical(build_calendar([far])).walk("VEVENT")
    assert client.get(reverse("events:ics", args=[far.pk])).status_code == 200


def test_date_filters_far_in_the_future_answer_400_not_500(client):
    """``date_to=9999-12-31`` overflowed when the list added a day to it (page and API)."""
    response = client.get(reverse("events:browse"), {"date_to": "9999-12-31"})
    assert response.status_code == 200  # the page shows the form error, like other bad filters
    assert "date_to" in response.context["form"].errors
    response = APIClient().get("/api/events/", {"date_to": "9999-12-31"})
    assert response.status_code == 400 and "date_to" in response.json()
    response = APIClient().get("/api/events/", {"date_from": "2031-01-02", "date_to": "2031-01-01"})
    assert response.status_code == 400 and "date_to" in response.json()


def test_capacity_beyond_the_database_integer_is_a_form_error(client, event, studio_owner):
    """A capacity of 2147483648 passed the form (no maximum) and the UPDATE failed with a
    DataError: 500 on the edit page; the API gave 400 only thanks to the model's validator."""
    client.force_login(studio_owner)
    form = event_form(capacity="2147483648", timezone="Europe/London")
    response = client.post(reverse("events:edit", args=[event.pk]), form)
    assert response.status_code == 400
    assert "capacity" in response.context["form"].errors
    response = as_(studio_owner).patch(
        f"/api/events/{event.pk}/", {"capacity": 1_000_000}, format="json"
    )
    assert response.status_code == 400 and "capacity" in response.json()
    event.refresh_from_db()
    assert event.capacity == 60


def test_check_in_search_with_a_nul_character_answers_400(client, event, studio_owner):
    """``?q=%00`` reached PostgreSQL, which refuses NUL in a string literal: a 500."""
    client.force_login(studio_owner)
    response = client.get(reverse("events:check_in", args=[event.pk]), {"q": "sam\x00"})
    assert response.status_code == 400
    assert "control characters" in response.content.decode()


def test_api_registrant_filters_are_validated(event, studio_owner, student):
    """The API's registrant list passed ``q`` and ``status`` straight to the query: a NUL
    character was a 500, and an unknown status silently answered an empty list."""
    RegistrationFactory(event=event, user=student)
    api = as_(studio_owner)
    url = f"/api/events/{event.pk}/registrants/"
    assert api.get(url, {"q": "sam\x00"}).status_code == 400
    response = api.get(url, {"status": "confirmd"})
    assert response.status_code == 400 and "status" in response.json()
    assert api.get(url, {"q": "x" * 201}).status_code == 400
    assert api.get(url, {"status": "confirmed"}).json()["count"] == 1


def test_calendar_feed_with_a_malformed_token_is_404(client, student):
    """A token with a NUL character reached the database lookup: a 500 on a public URL."""
    CalendarFeed.objects.create(user=student)
    assert client.get(reverse("events:feed", args=["abc\x00def"])).status_code == 404
    assert client.get(reverse("events:feed", args=["z" * 5000])).status_code == 404


def test_approval_request_emails_each_organiser_separately(
    university, lecturer, studio, studio_owner, student, immediate_on_commit
):
    """``tell_organisers`` sent one email to every manager of both partner organisations, so
    each saw the others' addresses (``send_templated_email`` puts all of ``to`` together)."""
    partnership = Partnership.objects.create(
        institution=university,
        industry_partner=studio,
        title="Northbridge × Pixel Forge",
        status=PartnershipStatus.ACTIVE,
    )
    event = EventFactory(
        organisation=studio, partnership=partnership, created_by=None, requires_approval=True
    )
    mail.outbox.clear()
    services.register(actor=student, event=event)
    approval = [m for m in mail.outbox if "awaits your approval" in m.subject]
    assert sorted(m.to[0] for m in approval) == sorted([lecturer.email, studio_owner.email])
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in approval)


def test_a_cancelled_event_cannot_decline_registrations(
    event, studio_owner, student, immediate_on_commit
):
    """Declining was allowed after the event was cancelled (approving was not): people already
    told of the cancellation then got a “not approved” email."""
    event.requires_approval = True
    event.save()
    registration = services.register(actor=student, event=event)
    services.event_cancel(actor=studio_owner, event=event, reason="The venue flooded.")
    mail.outbox.clear()
    with pytest.raises(Conflict):
        services.decline_registration(actor=studio_owner, registration=registration)
    registration.refresh_from_db()
    assert registration.status == R.PENDING
    assert mail.outbox == []


def test_queued_reminder_is_dropped_when_the_event_was_cancelled_meanwhile(
    event, studio_owner, student, immediate_on_commit
):
    """The reminder task re-checked the registration but not the event: with a busy queue, a
    reminder claimed before a cancellation still told people the event was coming up."""
    registration = RegistrationFactory(event=event, user=student)
    services.event_cancel(actor=studio_owner, event=event, reason="Speaker ill.")
    mail.outbox.clear()
    assert notify.deliver(event.pk, "events/reminder", [registration.pk], {}) == 0
    assert mail.outbox == []


def test_api_reads_times_without_offset_in_the_event_zone_not_the_callers(
    client, event, studio, studio_owner
):
    """The forms read typed times in the event's own zone, but the API read a time without a
    UTC offset in the caller's profile zone: a co-organiser in Tokyo creating a New York
    evening event got it 13 hours early."""
    studio_owner.profile.timezone = "Asia/Tokyo"
    studio_owner.profile.save()
    client.force_login(studio_owner)
    body = api_event_body(
        starts_at=f"{NEXT_YEAR}-06-01T18:00",
        ends_at=f"{NEXT_YEAR}-06-01T20:00",
        timezone="America/New_York",
    )
    response = client.post("/api/events/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    created = Event.objects.get(pk=response.json()["id"])
    assert created.starts_at == datetime.datetime(NEXT_YEAR, 6, 1, 22, 0, tzinfo=UTC)
    # Sessions too, in their event's zone; and a time the clocks skip is refused.
    local = timezone.localtime(event.starts_at, zoneinfo.ZoneInfo(event.timezone))
    session = {
        "event": event.pk,
        "title": "Panel",
        "starts_at": local.replace(tzinfo=None).isoformat(),
        "ends_at": (local + datetime.timedelta(hours=1)).replace(tzinfo=None).isoformat(),
    }
    response = client.post("/api/event-sessions/", session, content_type="application/json")
    assert response.status_code == 201, response.content
    assert EventSession.objects.get().starts_at == event.starts_at
    # Europe/London skips 01:00-02:00 on the last Sunday of March.
    day = max(d for d in range(25, 32) if datetime.date(NEXT_YEAR, 3, d).weekday() == 6)
    skipped = api_event_body(
        starts_at=f"{NEXT_YEAR}-03-{day}T01:30", ends_at=f"{NEXT_YEAR}-03-{day}T05:00"
    )
    response = client.post("/api/events/", skipped, content_type="application/json")
    assert response.status_code == 400 and "starts_at" in response.json()


def test_speaker_form_only_links_people_whose_profile_the_organiser_may_see(
    client, event, studio_owner, other_student
):
    """The agenda form linked any active account by email (the API only visible profiles), so
    an organiser could confirm that a private student has an account and publish their
    profile link on the event page."""
    other_student.profile.discoverable = False
    other_student.profile.save()
    client.force_login(studio_owner)
    response = client.post(
        reverse("events:agenda", args=[event.pk]),
        {"form": "speaker", "speaker-email": other_student.email, "speaker-name": ""},
    )
    assert response.status_code == 400
    assert "email" in response.context["speaker_form"].errors
    assert not event.speakers.exists()
    # A person whose profile they may see is still linked.
    colleague = UserFactory(email="lee@pixelforge.example", display_name="Lee", role=Role.INDUSTRY)
    response = client.post(
        reverse("events:agenda", args=[event.pk]),
        {"form": "speaker", "speaker-email": colleague.email, "speaker-name": ""},
    )
    assert response.status_code == 302
    assert event.speakers.get().user == colleague


def test_a_registrant_keeps_seeing_the_event_after_the_audience_narrows(client, event, student):
    """Found in review (not fixed then): narrowing the audience locked registrants out."""
    from django.urls import reverse

    from events import selectors, services
    from events.models import Audience

    registration = services.register(actor=student, event=event)
    event.audience = Audience.MEMBERS
    event.save()  # a stale copy (seats_taken 0 in memory) must not rewind the seat count
    event.refresh_from_db()
    assert event.seats_taken == 1
    client.force_login(student)
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 200
    assert event in selectors.visible_events(student)
    services.cancel_registration(actor=student, registration=registration)


def test_a_multi_day_event_email_names_the_end_day(event, student, immediate_on_commit):
    import datetime

    from django.core import mail

    from events import services

    event.ends_at = event.starts_at + datetime.timedelta(days=2)
    event.save()
    services.register(actor=student, event=event)
    end = event.ends_at.astimezone(event.tzinfo)
    assert end.strftime("%A") in mail.outbox[0].body


@pytest.mark.parametrize("path", ["/api/event-sessions/", "/api/event-speakers/"])
def test_agenda_list_filters_refuse_non_numeric_ids(client, path):
    """Found in review (not fixed then): ``?event=abc`` was ignored and returned everything."""
    assert client.get(path, {"event": "abc"}).status_code == 400
    assert client.get(path, {"event": "1"}).status_code == 200
