"""iCalendar (RFC 5545) for events: single ``.ics`` files, email attachments and private feeds.

Times are written in the event's own time zone with a matching VTIMEZONE, so a calendar shows the
right local time on both sides of a daylight-saving change. Each event keeps one UID for life and
its SEQUENCE rises whenever the time, place, link or status changes, so calendar clients replace
the copy they hold instead of adding a second one.
"""

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from .models import Event, EventStatus

PRODID = "-//Tandem//Events//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def event_uid(event: Event) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "tandem.invalid"
    return f"event-{event.pk}@{host}"


def _location(event: Event, include_link: bool) -> str:
    parts = [p for p in (event.venue_name, event.venue_address) if p]
    if include_link and event.online_url:
        parts.append(event.online_url)
    elif event.is_online and not parts:
        parts.append("Online")
    return ", ".join(parts)


def _component(event: Event, *, include_link: bool, now: datetime.datetime) -> VEvent:
    tz = event.tzinfo
    page = f"{settings.SITE_URL}{event.get_absolute_url()}"
    description = event.summary or ""
    if include_link and event.online_url:
        description = f"{description}\n\nJoin online: {event.online_url}".strip()
    description = f"{description}\n\n{page}".strip()
    component = VEvent()
    component.add("uid", event_uid(event))
    component.add("dtstamp", now)
    component.add("last-modified", event.updated_at.astimezone(datetime.UTC))
    component.add("created", event.created_at.astimezone(datetime.UTC))
    component.add("sequence", event.sequence)
    component.add("summary", event.title)
    component.add("dtstart", event.starts_at.astimezone(tz))
    component.add("dtend", event.ends_at.astimezone(tz))
    component.add("description", description)
    component.add("url", page)
    location = _location(event, include_link)
    if location:
        component.add("location", location)
    component.add("organizer", f"{settings.SITE_URL}/organisations/{event.organisation.slug}/")
    component["organizer"].params["CN"] = event.organisation.name
    component.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    component.add("transp", "OPAQUE")
    return component


def build_calendar(
    events: Iterable[Event],
    *,
    links_for: Iterable[int] = (),
    name: str | None = None,
    method: str = "PUBLISH",
) -> bytes:
    """An RFC 5545 calendar of ``events``; the online link only for event ids in ``links_for``."""
    now = timezone.now().astimezone(datetime.UTC)
    allowed = set(links_for)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    events = list(events)
    for event in events:
        calendar.add_component(_component(event, include_link=event.pk in allowed, now=now))
    if events:
        first, last = _zone_window(
            min(e.starts_at for e in events).date(), max(e.ends_at for e in events).date()
        )
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


# VTIMEZONE rules are written for these years at most: the services keep events well inside
# them, and a stray row outside (written before that check) must not crash every feed with it.
ZONE_YEARS = (1970, 2200)


def _zone_window(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """A year either side of the events, within ``ZONE_YEARS`` and at least two years long."""
    low = datetime.date(ZONE_YEARS[0], 1, 1)
    high = datetime.date(ZONE_YEARS[1], 12, 31)
    first = min(max(start, low + datetime.timedelta(days=366)), high) - datetime.timedelta(days=366)
    last = max(min(end, high - datetime.timedelta(days=366)), low) + datetime.timedelta(days=366)
    if last - first < datetime.timedelta(days=731):
        last = min(first + datetime.timedelta(days=731), high)
        first = last - datetime.timedelta(days=731)
    return first, last


def event_filename(event: Event) -> str:
    return f"tandem-event-{event.pk}.ics"
