"""iCalendar output: valid RFC 5545 (parsed back with ``icalendar``), right local times across a
daylight-saving change, stable UIDs, SEQUENCE that rises on changes and cancellation, and the
online link only for people holding a place."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from events import calendar, selectors, services
from events.models import EventFormat, RegistrationStatus

from .conftest import EventFactory, RegistrationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_on_commit")]
LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


def parse(data: bytes) -> Calendar:
    cal = Calendar.from_ical(data)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    return cal


def vevents(cal: Calendar) -> list:
    return list(cal.walk("VEVENT"))


def london(year, month, day, hour, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def around_dst(studio):
    """10:00 London the day before and the day after the clocks go forward (28 March 2027)."""
    before = EventFactory(
        organisation=studio,
        starts_at=london(2027, 3, 27, 10),
        ends_at=london(2027, 3, 27, 12),
        title="Before the change",
    )
    after = EventFactory(
        organisation=studio,
        starts_at=london(2027, 3, 29, 10),
        ends_at=london(2027, 3, 29, 12),
        title="After the change",
    )
    return before, after


def test_local_times_survive_a_daylight_saving_change(around_dst):
    cal = parse(calendar.build_calendar(around_dst))
    by_title = {str(e["SUMMARY"]): e for e in vevents(cal)}
    before = by_title["Before the change"]["DTSTART"].dt
    after = by_title["After the change"]["DTSTART"].dt
    # Both at ten o'clock local time, labelled with the zone …
    assert (before.hour, after.hour) == (10, 10)
    assert str(before.tzinfo) == str(after.tzinfo) == "Europe/London"
    assert by_title["Before the change"]["DTSTART"].params["TZID"] == "Europe/London"
    # … which is 10:00 UTC in GMT and 09:00 UTC in BST.
    assert before.astimezone(UTC).hour == 10
    assert after.astimezone(UTC).hour == 9
    # The calendar carries the zone's definition, with both offsets.
    zones = list(cal.walk("VTIMEZONE"))
    assert [str(z["TZID"]) for z in zones] == ["Europe/London"]
    offsets = {c.decoded("TZOFFSETTO") for c in zones[0].subcomponents}
    assert {datetime.timedelta(0), datetime.timedelta(hours=1)} <= offsets


def test_an_event_in_another_zone_keeps_its_own_zone(studio):
    event = EventFactory(
        organisation=studio,
        timezone="America/New_York",
        starts_at=datetime.datetime(2027, 3, 10, 18, tzinfo=ZoneInfo("America/New_York")),
        ends_at=datetime.datetime(2027, 3, 10, 20, tzinfo=ZoneInfo("America/New_York")),
    )
    (component,) = vevents(parse(calendar.build_calendar([event])))
    start = component["DTSTART"].dt
    assert start.hour == 18 and component["DTSTART"].params["TZID"] == "America/New_York"
    assert start.astimezone(UTC).hour == 23  # EST, before the US change on 14 March


def test_uid_is_stable_and_sequence_rises_with_each_change(event, studio_owner, settings):
    settings.SITE_URL = "https://tandem.example.ac.uk"
    (first,) = vevents(parse(calendar.build_calendar([event])))
    assert str(first["UID"]) == f"event-{event.pk}@tandem.example.ac.uk"
    assert first["SEQUENCE"] == 0

    services.event_update(actor=studio_owner, event=event, summary="A new summary")
    event.refresh_from_db()
    assert event.sequence == 0  # not a calendar change

    services.event_update(
        actor=studio_owner, event=event, starts_at=event.starts_at + datetime.timedelta(hours=1)
    )
    event.refresh_from_db()
    (moved,) = vevents(parse(calendar.build_calendar([event])))
    assert str(moved["UID"]) == str(first["UID"])
    assert moved["SEQUENCE"] == 1

    services.event_cancel(actor=studio_owner, event=event, reason="Speaker unwell")
    event.refresh_from_db()
    (cancelled,) = vevents(parse(calendar.build_calendar([event])))
    assert cancelled["SEQUENCE"] == 2
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_online_link_only_when_allowed(studio):
    event = EventFactory(
        organisation=studio,
        format=EventFormat.ONLINE,
        venue_name="",
        venue_address="",
        online_url="https://meet.example.org/secret-room",
    )
    public = calendar.build_calendar([event]).decode()
    assert "secret-room" not in public
    private = calendar.build_calendar([event], links_for=[event.pk]).decode()
    assert "secret-room" in private


def test_feed_lists_confirmed_places_only(event, student, studio):
    waitlisted_event = EventFactory(organisation=studio, title="Full workshop")
    RegistrationFactory(event=event, user=student)
    RegistrationFactory(event=waitlisted_event, user=student, status=RegistrationStatus.WAITLISTED)
    cal = parse(calendar.build_calendar(selectors.feed_events(student), name="Sam"))
    assert [str(e["SUMMARY"]) for e in vevents(cal)] == [event.title]
    assert str(cal["X-WR-CALNAME"]) == "Sam"


def test_feed_keeps_cancelled_events_so_calendars_drop_them(event, student, studio_owner):
    RegistrationFactory(event=event, user=student)
    services.event_cancel(actor=studio_owner, event=event, reason="Venue flooded")
    (component,) = vevents(parse(calendar.build_calendar(selectors.feed_events(student))))
    assert str(component["STATUS"]) == "CANCELLED"


def test_feed_token_reset_revokes_the_old_address(student):
    feed = services.feed_for(student)
    old = feed.token
    assert services.feed_for(student).token == old  # stable until reset
    new = services.feed_reset(student)
    assert new.token != old and len(new.token) == 64


def test_confirmation_email_attaches_a_valid_calendar(event, student):
    from django.core import mail

    services.register(actor=student, event=event)
    _name, content, mimetype = mail.outbox[0].attachments[0]
    assert mimetype.startswith("text/calendar")
    (component,) = vevents(parse(content.encode()))
    assert str(component["UID"]).startswith(f"event-{event.pk}@")


def test_cancellation_email_carries_a_cancel_method(event, student, studio_owner):
    from django.core import mail

    services.register(actor=student, event=event)
    mail.outbox.clear()
    services.event_cancel(actor=studio_owner, event=event, reason="Speaker unwell")
    (message,) = mail.outbox
    assert "Speaker unwell" in message.body
    cal = parse(message.attachments[0][1].encode())
    assert str(cal["METHOD"]) == "CANCEL"
