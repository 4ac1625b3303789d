"""The event pages as people use them: find, read, register, organise, check in, subscribe.

Forms keep their input and answer 400 (or the service's 4xx); times are typed in the event's own
time zone; the online link reaches only confirmed attendees and organisers; calendar files parse;
lists cost a constant number of queries.
"""

import csv
import datetime
import io
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import selectors, services
from events.models import (
    Audience,
    CalendarFeed,
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
from events.views._common import waitlist_positions
from partnerships.projects.search import refresh_search_vector
from tests.factories import SectorFactory, UserFactory

from .conftest import EventFactory, RegistrationFactory, in_days, make_students

pytestmark = pytest.mark.django_db
R = RegistrationStatus
S = EventStatus
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
LONDON = zoneinfo.ZoneInfo("Europe/London")
NEXT_YEAR = timezone.now().year + 1


def event_form(**overrides) -> dict:
    data = {
        "kind": EventKind.WORKSHOP,
        "title": "Portfolio clinic",
        "summary": "Bring your work.",
        "description": "Reviews of **student portfolios**.",
        "timezone": "America/New_York",
        "starts_at": f"{NEXT_YEAR}-06-01T18:00",
        "ends_at": f"{NEXT_YEAR}-06-01T20:30",
        "format": EventFormat.IN_PERSON,
        "venue_name": "Studio 4",
        "venue_address": "12 Canal Street",
        "capacity": "30",
        "audience": Audience.PUBLIC,
    }
    data.update(overrides)
    return data


def body(response) -> str:
    return response.content.decode()


def main(response) -> str:
    """The page without the header and navigation."""
    return body(response).split('<main id="main"', 1)[-1]


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx)


@pytest.fixture
def hybrid(studio, studio_owner):
    return EventFactory(
        organisation=studio,
        created_by=studio_owner,
        title="Hybrid showcase",
        format=EventFormat.HYBRID,
        online_url="https://meet.example/secret-room",
    )


# --- Browse, month, detail --------------------------------------------------------------------


def test_browse_lists_upcoming_published_events_with_filters(
    client, event, draft_event, studio, other_studio
):
    games = SectorFactory(name="Games", slug="games")
    event.sectors.add(games)
    online = EventFactory(
        organisation=other_studio, title="Remote seminar", kind=EventKind.SEMINAR,
        format=EventFormat.ONLINE, venue_name="", venue_address="", starts_at=in_days(40),
    )  # fmt: skip
    EventFactory(
        organisation=studio, title="Last year's fair", starts_at=in_days(-30), status=S.COMPLETED
    )
    url = reverse("events:browse")
    page = main(client.get(url))
    assert "Real-time rendering in practice" in page and "Remote seminar" in page
    assert "Draft portfolio clinic" not in page and "Last year&#x27;s fair" not in page
    past = main(client.get(url, {"when": "past"}))
    assert "Last year&#x27;s fair" in past and "Remote seminar" not in past
    assert "Remote seminar" not in main(client.get(url, {"kind": "guest_lecture"}))
    assert "Real-time" not in main(client.get(url, {"attendance": "online"}))
    assert "Remote seminar" not in main(client.get(url, {"attendance": "in_person"}))
    assert "Remote seminar" not in main(client.get(url, {"sector": "games"}))
    by_org = main(client.get(url, {"organiser": "other-studio"}))
    assert "Remote seminar" in by_org and "Real-time" not in by_org
    later = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    dated = main(client.get(url, {"date_from": later}))
    assert "Remote seminar" in dated and "Real-time" not in dated
    for row in (event, online):
        refresh_search_vector(Event, row.pk, Event.SEARCH_WEIGHTS)
    found = main(client.get(url, {"q": "seminar"}))
    assert "Remote seminar" in found and "Real-time" not in found


def test_browse_shows_times_in_the_event_zone_and_the_viewers(client, studio, student):
    starts = datetime.datetime(NEXT_YEAR, 6, 1, 18, 0, tzinfo=NEW_YORK)
    EventFactory(
        organisation=studio, title="New York night", timezone="America/New_York",
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
    )  # fmt: skip
    client.force_login(student)  # Europe/London
    page = main(client.get(reverse("events:browse")))
    assert "18:00" in page and "(America/New_York)" in page
    assert "Your time:" in page and "23:00" in page and "(Europe/London)" in page


def test_browse_empty_state_and_invalid_dates(client, event):
    empty = main(client.get(reverse("events:browse"), {"kind": "careers_fair"}))
    assert "No events match these filters." in empty
    bad = client.get(reverse("events:browse"), {"date_from": "not-a-date"})
    assert bad.status_code == 200
    assert "There is a problem" in body(bad)


def test_students_only_events_are_hidden_from_anonymous_visitors(client, studio, student):
    EventFactory(organisation=studio, title="Students only crit", audience=Audience.STUDENTS)
    assert "Students only crit" not in main(client.get(reverse("events:browse")))
    client.force_login(student)
    assert "Students only crit" in main(client.get(reverse("events:browse")))


def test_month_view_puts_events_on_their_days(client, studio):
    start = timezone.localtime(in_days(40)).replace(hour=10, minute=0, second=0, microsecond=0)
    EventFactory(
        organisation=studio, title="Two-day summit", starts_at=start,
        ends_at=start + datetime.timedelta(days=1, hours=2),
    )  # fmt: skip
    EventFactory(organisation=studio, title="Hidden draft", starts_at=start, status=S.DRAFT)
    response = client.get(reverse("events:month"), {"year": start.year, "month": start.month})
    page = main(response)
    assert response.status_code == 200
    assert '<th scope="col">' in page and 'rel="prev"' in page and 'rel="next"' in page
    assert "Hidden draft" not in page
    table = page.split('class="month-list"')[0]
    same_month = (start + datetime.timedelta(days=1)).month == start.month
    assert table.count("Two-day summit") == (2 if same_month else 1)  # on each of its days
    assert "10:00" in table
    assert "aria-current" in main(client.get(reverse("events:month")))


def test_month_view_filters_by_kind(client, studio):
    start = in_days(40)
    EventFactory(organisation=studio, title="A seminar", kind=EventKind.SEMINAR, starts_at=start)
    local = timezone.localtime(start)
    params = {"year": local.year, "month": local.month}
    assert "A seminar" in main(client.get(reverse("events:month"), params))
    params["kind"] = EventKind.WORKSHOP
    assert "A seminar" not in main(client.get(reverse("events:month"), params))


@pytest.mark.parametrize(
    "params", [{"year": "abc"}, {"month": "13"}, {"month": "0"}, {"year": "99999"}]
)
def test_month_view_refuses_bad_parameters_with_400(client, params):
    response = client.get(reverse("events:month"), params)
    assert response.status_code == 400
    assert "Choose a month from 1 to 12" in body(response)


def test_detail_shows_everything_a_visitor_needs(client, event, studio_owner):
    session = EventSession.objects.create(
        event=event, title="Keynote", starts_at=event.starts_at,
        ends_at=event.starts_at + datetime.timedelta(minutes=45), room="Hall A",
    )  # fmt: skip
    Speaker.objects.create(event=event, session=session, user=studio_owner, affiliation="Lead")
    Speaker.objects.create(event=event, name="Guest Star", affiliation="Freelance")
    page = main(client.get(reverse("events:detail", args=[event.pk])))
    assert "Real-time rendering in practice" in page and "Pixel Forge" in page
    assert "Guest lecture" in page and "Northbridge Lecture Theatre 1" in page
    assert "<strong>real-time</strong>" in page  # markdown
    assert "60 of 60 places left" in page
    assert "Agenda" in page and "Keynote" in page and "Hall A" in page and "Oscar" in page
    assert "Guest Star" in page
    assert reverse("events:ics", args=[event.pk]) in page
    assert "Log in to register" in page
    assert reverse("events:edit", args=[event.pk]) not in page


def test_detail_of_a_partnership_event_names_both_sides(client, event, partnership, lecturer):
    Event.objects.filter(pk=event.pk).update(partnership=partnership)
    page = main(client.get(reverse("events:detail", args=[event.pk])))
    assert "Pixel Forge" in page and "Northbridge University" in page
    client.force_login(lecturer)
    assert reverse("events:edit", args=[event.pk]) in main(
        client.get(reverse("events:detail", args=[event.pk]))
    )


def test_online_link_only_for_confirmed_people_and_organisers(
    client, hybrid, student, other_student, studio_member
):
    url = reverse("events:detail", args=[hybrid.pk])
    secret = "https://meet.example/secret-room"
    assert secret not in body(client.get(url))
    client.force_login(other_student)
    assert secret not in body(client.get(url))
    assert "The link appears here for people with a confirmed place." in body(client.get(url))
    RegistrationFactory(event=hybrid, user=other_student, status=R.WAITLISTED)
    assert secret not in body(client.get(url))
    client.force_login(student)
    client.post(reverse("events:register", args=[hybrid.pk]))
    assert secret in body(client.get(url))
    client.force_login(studio_member)
    assert secret in body(client.get(url))


# --- Create, edit, life cycle --------------------------------------------------------------


def test_studio_creates_an_event_typed_in_its_own_time_zone(
    client, studio, studio_owner, university
):
    games = SectorFactory(name="Games", slug="games")
    client.force_login(studio_owner)
    assert client.get(reverse("events:create")).status_code == 200
    response = client.post(
        reverse("events:create"),
        event_form(
            organisation=studio.pk,
            sectors=[games.pk],
            audience=Audience.MEMBERS,
            audience_organisations=[university.pk],
            registration_closes_at=f"{NEXT_YEAR}-06-01T12:00",
        ),
    )
    event = Event.objects.get(title="Portfolio clinic")
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert event.status == S.DRAFT and event.organisation == studio
    assert event.starts_at == datetime.datetime(NEXT_YEAR, 6, 1, 18, 0, tzinfo=NEW_YORK)
    assert event.ends_at == datetime.datetime(NEXT_YEAR, 6, 1, 20, 30, tzinfo=NEW_YORK)
    assert event.registration_closes_at == datetime.datetime(
        NEXT_YEAR, 6, 1, 12, 0, tzinfo=NEW_YORK
    )
    assert event.timezone == "America/New_York" and event.capacity == 30
    assert list(event.sectors.all()) == [games]
    assert list(event.audience_organisations.all()) == [university]
    assert "Draft saved" in body(client.get(response["Location"]))


def test_create_form_keeps_input_and_answers_400_on_refusal(client, studio, studio_owner):
    client.force_login(studio_owner)
    response = client.post(
        reverse("events:create"),
        event_form(organisation=studio.pk, ends_at=f"{NEXT_YEAR}-06-01T17:00"),
    )
    assert response.status_code == 400
    assert "The event must end after it starts." in body(response)
    assert 'value="Portfolio clinic"' in body(response)
    response = client.post(
        reverse("events:create"),
        event_form(organisation=studio.pk, venue_name="", venue_address=""),
    )
    assert response.status_code == 400
    assert "Say where it takes place" in body(response)
    response = client.post(reverse("events:create"), event_form(organisation=studio.pk, title=""))
    assert response.status_code == 400
    assert not Event.objects.exists()


def test_a_time_the_clocks_skip_is_refused(client, studio, studio_owner):
    client.force_login(studio_owner)
    # Clocks in London jump from 01:00 to 02:00 on the last Sunday of March.
    march_end = datetime.date(NEXT_YEAR, 3, 31)
    last_sunday = march_end - datetime.timedelta(days=(march_end.weekday() + 1) % 7)
    day = last_sunday.isoformat()
    response = client.post(
        reverse("events:create"),
        event_form(
            organisation=studio.pk, timezone="Europe/London",
            starts_at=f"{day}T01:30", ends_at=f"{day}T04:00",
        ),
    )  # fmt: skip
    assert response.status_code == 400
    assert "does not exist in Europe/London" in body(response)


def test_people_without_a_verified_organisation_get_guidance(
    client, student, pending_owner, industry_newcomer
):
    client.force_login(student)
    response = client.get(reverse("events:create"))
    assert response.status_code == 200
    assert "Students attend events rather than host them" in body(response)
    assert client.post(reverse("events:create"), event_form()).status_code == 403
    client.force_login(pending_owner)
    page = body(client.get(reverse("events:create")))
    assert "Pending Studio" in page and "not verified yet" in page
    assert client.post(reverse("events:create"), event_form()).status_code == 403
    client.force_login(industry_newcomer)
    assert reverse("organisations:create") in body(client.get(reverse("events:create")))
    assert not Event.objects.exists()


def test_event_with_a_partnership_is_run_by_both_sides(
    client, studio, studio_owner, partnership, lecturer
):
    client.force_login(studio_owner)
    client.post(
        reverse("events:create"), event_form(organisation=studio.pk, partnership=partnership.pk)
    )
    event = Event.objects.get()
    assert event.partnership == partnership
    client.force_login(lecturer)
    assert client.get(reverse("events:edit", args=[event.pk])).status_code == 200


def test_edit_shows_event_local_times_and_saves(client, studio, studio_owner):
    starts = datetime.datetime(NEXT_YEAR, 6, 1, 18, 0, tzinfo=NEW_YORK)
    event = EventFactory(
        organisation=studio, timezone="America/New_York", starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
    )  # fmt: skip
    client.force_login(studio_owner)
    url = reverse("events:edit", args=[event.pk])
    page = body(client.get(url))
    assert f'value="{NEXT_YEAR}-06-01T18:00"' in page
    response = client.post(
        url,
        event_form(
            title="Renamed", timezone="America/New_York", starts_at=f"{NEXT_YEAR}-06-01T19:00",
            ends_at=f"{NEXT_YEAR}-06-01T21:00", capacity="",
        ),
    )  # fmt: skip
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Renamed" and event.capacity is None
    assert event.starts_at == datetime.datetime(NEXT_YEAR, 6, 1, 19, 0, tzinfo=NEW_YORK)
    assert event.sequence == 1  # the time changed on a published event
    bad = client.post(url, event_form(capacity="0"))
    assert bad.status_code == 400


def test_edit_keeps_capacity_above_the_seats_taken(client, event, studio_owner):
    RegistrationFactory.create_batch(2, event=event)
    client.force_login(studio_owner)
    local = event.local_starts_at
    response = client.post(
        reverse("events:edit", args=[event.pk]),
        event_form(
            timezone="Europe/London", capacity="1",
            starts_at=local.strftime("%Y-%m-%dT%H:%M"),
            ends_at=event.local_ends_at.strftime("%Y-%m-%dT%H:%M"),
        ),
    )  # fmt: skip
    assert response.status_code == 409
    assert "keep at least that many seats" in body(response)


def test_cancelled_event_cannot_be_edited(client, event, studio_owner):
    Event.objects.filter(pk=event.pk).update(status=S.CANCELLED)
    client.force_login(studio_owner)
    response = client.get(reverse("events:edit", args=[event.pk]), follow=True)
    assert response.redirect_chain[-1][0] == event.get_absolute_url()
    assert "can no longer be edited" in body(response)


def test_publish_cancel_and_complete(client, draft_event, event, studio_owner, student):
    client.force_login(studio_owner)
    publish = reverse("events:transition", args=[draft_event.pk, "publish"])
    assert client.get(publish).status_code == 405
    assert client.post(publish).status_code == 302
    draft_event.refresh_from_db()
    assert draft_event.status == S.PUBLISHED
    assert client.post(publish).status_code == 409  # only a draft can be published
    assert client.post(reverse("events:transition", args=[event.pk, "archive"])).status_code == 404
    # Completing needs the event to have started.
    complete = reverse("events:transition", args=[event.pk, "complete"])
    assert client.post(complete).status_code == 409
    # Cancelling asks for a reason once people may have registered.
    RegistrationFactory(event=event, user=student)
    cancel = reverse("events:transition", args=[event.pk, "cancel"])
    page = client.get(cancel)
    assert page.status_code == 200 and "1 person is registered" in body(page)
    refused = client.post(cancel, {"reason": ""})
    assert refused.status_code == 400
    assert "Tell the people registered why" in body(refused)
    assert client.post(cancel, {"reason": "The speaker is ill."}).status_code == 302
    event.refresh_from_db()
    assert event.status == S.CANCELLED and event.cancellation_reason == "The speaker is ill."
    assert "The speaker is ill." in body(client.get(event.get_absolute_url()))
    started = EventFactory(organisation=event.organisation, starts_at=in_days(-0.1))
    client.post(reverse("events:transition", args=[started.pk, "complete"]))
    started.refresh_from_db()
    assert started.status == S.COMPLETED


# --- Agenda -----------------------------------------------------------------------------------


def test_organisers_build_the_agenda(client, studio, studio_owner, student):
    starts = in_days(10).replace(second=0, microsecond=0)
    event = EventFactory(organisation=studio, starts_at=starts, kind=EventKind.CONFERENCE)
    client.force_login(studio_owner)
    url = reverse("events:agenda", args=[event.pk])
    assert client.get(url).status_code == 200
    local = event.local_starts_at
    response = client.post(
        url,
        {
            "form": "session", "session-title": "Opening talk",
            "session-starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "session-ends_at": (local + datetime.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            "session-room": "Hall A",
        },
    )  # fmt: skip
    assert response.status_code == 302
    session = EventSession.objects.get(event=event)
    assert session.starts_at == event.starts_at
    outside = client.post(
        url,
        {
            "form": "session", "session-title": "Afterparty",
            "session-starts_at": (local + datetime.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
            "session-ends_at": (local + datetime.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
        },
    )  # fmt: skip
    assert outside.status_code == 400
    assert "A session must fall within the event" in body(outside)
    unknown = client.post(url, {"form": "speaker", "speaker-email": "nobody@nowhere.example"})
    assert unknown.status_code == 400
    assert "No one on Tandem uses that address; type their name instead" in body(unknown)
    # Sam lets industry find his profile, so the studio may link it (the API's rule too).
    student.profile.discoverable = True
    student.profile.save(update_fields=["discoverable"])
    client.post(
        url,
        {"form": "speaker", "speaker-email": student.email.upper(), "speaker-session": session.pk},
    )
    client.post(url, {"form": "speaker", "speaker-name": "Guest Star", "speaker-affiliation": "X"})
    assert client.post(url, {"form": "speaker"}).status_code == 400
    on_tandem, guest = Speaker.objects.filter(event=event).order_by("pk")
    assert on_tandem.user == student and on_tandem.session == session
    assert guest.name == "Guest Star" and guest.session is None
    detail = main(client.get(event.get_absolute_url()))
    assert "Opening talk" in detail and "Sam" in detail and "Guest Star" in detail

    other = EventFactory(organisation=event.organisation)
    foreign = EventSession.objects.create(
        event=other, title="Elsewhere", starts_at=other.starts_at, ends_at=other.ends_at
    )
    delete = reverse("events:session_delete", args=[event.pk, foreign.pk])
    assert client.post(delete).status_code == 404
    foreign_speaker = Speaker.objects.create(event=other, name="Not here")
    delete = reverse("events:speaker_delete", args=[event.pk, foreign_speaker.pk])
    assert client.post(delete).status_code == 404
    client.post(reverse("events:speaker_delete", args=[event.pk, guest.pk]))
    client.post(reverse("events:session_delete", args=[event.pk, session.pk]))
    assert not EventSession.objects.filter(event=event).exists()
    assert not Speaker.objects.filter(event=event).exists()  # the session's speaker went too


# --- Registering ------------------------------------------------------------------------------


def test_register_waitlist_cancel_and_promotion_through_the_pages(
    client, studio, django_capture_on_commit_callbacks
):
    event = EventFactory(organisation=studio, capacity=1, title="Tiny crit")
    first, second = make_students(2)
    register = reverse("events:register", args=[event.pk])
    client.force_login(first)
    response = client.post(register, follow=True)
    assert "You have a place at “Tiny crit”" in body(response)
    client.post(register)  # a double click
    assert Registration.objects.filter(event=event, user=first).count() == 1
    client.force_login(second)
    assert "Join the waitlist" in body(client.get(event.get_absolute_url()))
    response = client.post(register, follow=True)
    assert "on the waitlist at position 1" in body(response)
    assert "You are number 1 on the waitlist" in body(response)
    client.force_login(first)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:cancel_registration", args=[event.pk]), follow=True)
    assert "You cancelled your place" in body(response)
    promoted = Registration.objects.get(event=event, user=second)
    assert promoted.status == R.CONFIRMED
    client.force_login(second)
    assert "You have a place." in body(client.get(event.get_absolute_url()))
    assert [m.to for m in mail.outbox] == [[second.email]]  # told they moved in


def test_registration_needing_approval_and_refusals_never_500(client, studio, student):
    approval = EventFactory(organisation=studio, requires_approval=True, title="Juried")
    client.force_login(student)
    response = client.post(reverse("events:register", args=[approval.pk]), follow=True)
    assert "approve each registration" in body(response)
    assert Registration.objects.get(event=approval, user=student).status == R.PENDING
    closed = EventFactory(
        organisation=studio, title="Closed", registration_closes_at=in_days(-1),
        registration_opens_at=in_days(-3),
    )  # fmt: skip
    response = client.post(reverse("events:register", args=[closed.pk]), follow=True)
    assert response.status_code == 200
    assert "Registration for this event has closed." in body(response)
    assert not Registration.objects.filter(event=closed).exists()


def test_anonymous_register_goes_to_login_and_back(client, event):
    response = client.post(reverse("events:register", args=[event.pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"] and "next=/events/" in response["Location"]


def test_cancel_without_a_registration_is_404(client, event, student):
    client.force_login(student)
    assert client.post(reverse("events:cancel_registration", args=[event.pk])).status_code == 404


def test_my_events_shows_status_position_and_calendar_links(client, studio, student):
    full = EventFactory(organisation=studio, capacity=1, title="Full house")
    RegistrationFactory(event=full)
    RegistrationFactory(event=full, status=R.WAITLISTED)
    services.register(actor=student, event=full)
    going = EventFactory(organisation=studio, title="Going")
    services.register(actor=student, event=going)
    old = EventFactory(organisation=studio, title="Old times", starts_at=in_days(-20))
    RegistrationFactory(event=old, user=student)
    client.force_login(student)
    page = main(client.get(reverse("events:my_events")))
    assert "Full house" in page and "position 2" in page and "Going" in page
    assert "Old times" in page and reverse("events:ics", args=[going.pk]) in page
    assert reverse("events:feed_settings") in page


def test_my_events_empty_state_points_to_browse(client, student):
    client.force_login(student)
    page = main(client.get(reverse("events:my_events")))
    assert "You are not registered for any upcoming event." in page
    assert reverse("events:browse") in page


def test_bulk_waitlist_positions_match_the_service(studio):
    event = EventFactory(organisation=studio, capacity=1)
    RegistrationFactory(event=event)
    queue = [RegistrationFactory(event=event, status=R.WAITLISTED) for _ in range(3)]
    rows = selectors.with_waitlist_positions(Registration.objects.filter(event=event))
    positions = waitlist_positions(rows)
    assert [positions[r.pk] for r in queue] == [services.waitlist_position(r) for r in queue]
    assert positions[queue[2].pk] == 3


# --- Calendar files ---------------------------------------------------------------------------


def test_ics_download_parses_and_holds_the_link_only_for_confirmed(client, hybrid, student):
    url = reverse("events:ics", args=[hybrid.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="tandem-event-{hybrid.pk}.ics"'
    parsed = Calendar.from_ical(response.content)
    [component] = parsed.walk("VEVENT")
    assert str(component["SUMMARY"]) == "Hybrid showcase"
    assert "secret-room" not in response.content.decode()
    RegistrationFactory(event=hybrid, user=student)
    client.force_login(student)
    assert "secret-room" in client.get(url).content.decode()


def test_ics_of_a_draft_is_404_for_outsiders(client, draft_event, student, studio_owner):
    url = reverse("events:ics", args=[draft_event.pk])
    client.force_login(student)
    assert client.get(url).status_code == 404
    client.force_login(studio_owner)
    assert client.get(url).status_code == 200


def test_private_feed_lists_confirmed_events_and_reset_revokes_it(client, hybrid, studio, student):
    waiting = EventFactory(organisation=studio, capacity=1, title="Waiting room")
    RegistrationFactory(event=waiting)
    RegistrationFactory(event=waiting, user=student, status=R.WAITLISTED)
    RegistrationFactory(event=hybrid, user=student)
    client.force_login(student)
    settings_page = client.get(reverse("events:feed_settings"))
    feed = CalendarFeed.objects.get(user=student)
    assert f"http://testserver/events/feed/{feed.token}.ics" in body(settings_page)
    assert f"webcal://testserver/events/feed/{feed.token}.ics" in body(settings_page)
    client.logout()
    old_url = reverse("events:feed", args=[feed.token])
    response = client.get(old_url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=300"
    parsed = Calendar.from_ical(response.content)
    assert [str(c["SUMMARY"]) for c in parsed.walk("VEVENT")] == ["Hybrid showcase"]
    assert "secret-room" in response.content.decode()
    assert "Tandem — Sam" in str(parsed["X-WR-CALNAME"])
    feed.refresh_from_db()
    assert feed.last_fetched_at is not None
    client.force_login(student)
    client.post(reverse("events:feed_settings"))
    client.logout()
    assert client.get(old_url).status_code == 404
    feed.refresh_from_db()
    assert client.get(reverse("events:feed", args=[feed.token])).status_code == 200
    assert client.get(reverse("events:feed", args=["unknown"])).status_code == 404


# --- Registrants, CSV, check-in, messages ----------------------------------------------------


def test_registrants_counts_search_filter_and_actions(client, studio, studio_owner, student):
    event = EventFactory(organisation=studio, capacity=1, requires_approval=True)
    RegistrationFactory(event=event, user=student)
    waiting = RegistrationFactory(
        event=event, status=R.WAITLISTED, user=UserFactory(display_name="Wendy")
    )
    pending = RegistrationFactory(
        event=event, status=R.PENDING, user=UserFactory(display_name="Pat")
    )
    client.force_login(studio_owner)
    url = reverse("events:registrants", args=[event.pk])
    page = main(client.get(url))
    assert "Sam" in page and "Wendy" in page and "Pat" in page
    assert "Confirmed (1)" in page and "On the waitlist (1)" in page
    assert "Awaiting approval (1)" in page
    found = main(client.get(url, {"q": "wendy"}))
    assert "Wendy" in found and "Pat" not in found
    pending_only = main(client.get(url, {"status": "pending"}))
    assert "Pat" in pending_only and "Wendy" not in pending_only

    action = "events:registration_action"
    assert client.post(reverse(action, args=[event.pk, pending.pk, "promote"])).status_code == 404
    other = RegistrationFactory(event=EventFactory(organisation=studio), status=R.PENDING)
    assert client.post(reverse(action, args=[event.pk, other.pk, "approve"])).status_code == 404
    response = client.post(
        reverse(action, args=[event.pk, pending.pk, "approve"]), {"q": "pat", "status": "pending"}
    )
    assert response["Location"] == f"{url}?q=pat&status=pending"
    pending.refresh_from_db()
    assert pending.status == R.WAITLISTED  # approved, but the one seat is taken
    client.post(reverse(action, args=[event.pk, waiting.pk, "decline"]), {"reason": "Full"})
    waiting.refresh_from_db()
    assert waiting.status == R.DECLINED
    confirmed = Registration.objects.get(event=event, user=student)
    client.post(reverse(action, args=[event.pk, confirmed.pk, "cancel"]))
    confirmed.refresh_from_db()
    pending.refresh_from_db()
    assert confirmed.status == R.CANCELLED and pending.status == R.CONFIRMED  # moved in
    again = client.post(reverse(action, args=[event.pk, confirmed.pk, "cancel"]))
    assert again.status_code == 409


def test_csv_export_lists_registrants_and_neutralises_formulas(
    client, event, studio_owner, student
):
    RegistrationFactory(event=event, user=student)
    RegistrationFactory(event=event, user=UserFactory(display_name="=HYPERLINK(1)"))
    client.force_login(studio_owner)
    response = client.get(reverse("events:export_csv", args=[event.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Name", "Email", "Institution", "Status", "Registered at", "Confirmed at", "Checked in at",
    ]  # fmt: skip
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Sam"][1] == "sam@student.northbridge.ac.uk"
    assert by_name["Sam"][2] == "Northbridge University" and by_name["Sam"][3] == "Confirmed"
    assert "'=HYPERLINK(1)" in by_name


def test_check_in_search_toggle_and_count(client, studio, studio_owner, student):
    soon = EventFactory(organisation=studio, starts_at=in_days(0.05))
    mine = RegistrationFactory(event=soon, user=student)
    RegistrationFactory(event=soon, user=UserFactory(display_name="Quinn"))
    RegistrationFactory(event=soon, status=R.WAITLISTED, user=UserFactory(display_name="Wait"))
    client.force_login(studio_owner)
    url = reverse("events:check_in", args=[soon.pk])
    page = main(client.get(url))
    assert "0 of 2 checked in" in page and "Wait" not in page
    found = main(client.get(url, {"q": "sam@student"}))
    assert "Sam" in found and "Quinn" not in found
    toggle = reverse("events:check_in_toggle", args=[soon.pk, mine.pk])
    response = client.post(toggle, {"undo": "0", "q": "sam"})
    assert response["Location"] == f"{url}?q=sam#registrant-{mine.pk}"
    mine.refresh_from_db()
    assert mine.checked_in_at is not None and mine.checked_in_by == studio_owner
    assert "1 of 2 checked in" in main(client.get(url))
    client.post(toggle, {"undo": "1"})
    mine.refresh_from_db()
    assert mine.checked_in_at is None


def test_check_in_waits_until_the_day_before(client, event, studio_owner, student):
    registration = RegistrationFactory(event=event, user=student)
    client.force_login(studio_owner)
    page = main(client.get(reverse("events:check_in", args=[event.pk])))
    assert "Check-in opens 24 hours before the event starts" in page
    response = client.post(reverse("events:check_in_toggle", args=[event.pk, registration.pk]))
    assert response.status_code == 409
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_message_registrants_with_history_and_rate_limit(
    client, event, studio_owner, student, settings, django_capture_on_commit_callbacks
):
    settings.EVENT_MESSAGES_PER_DAY = 1
    RegistrationFactory(event=event, user=student)
    client.force_login(studio_owner)
    url = reverse("events:message", args=[event.pk])
    assert client.get(url).status_code == 200
    empty = client.post(url, {"recipients": "confirmed", "subject": "", "body": "x"})
    assert empty.status_code == 400
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url, {"recipients": "confirmed", "subject": "Room change", "body": "Hall B"}
        )
    assert sent.status_code == 302
    assert EventMessage.objects.get(event=event).recipient_count == 1
    assert [m.to for m in mail.outbox] == [[student.email]]
    page = main(client.get(url))
    assert "Room change" in page and "Hall B" in page
    limited = client.post(url, {"recipients": "confirmed", "subject": "Again", "body": "Hello"})
    assert limited.status_code == 429
    assert "try again tomorrow" in body(limited)
    assert EventMessage.objects.filter(event=event).count() == 1


# --- Dashboards -------------------------------------------------------------------------------


def test_student_dashboard_shows_a_promoted_place_as_confirmed(client, studio, student):
    event = EventFactory(organisation=studio, capacity=1, title="Sought after")
    holder = RegistrationFactory(event=event)
    services.register(actor=student, event=event)
    client.force_login(student)
    page = main(client.get(reverse("dashboard")))
    assert "Your upcoming events" in page and "Sought after" in page
    assert "On the waitlist" in page and "position 1" in page
    services.cancel_registration(actor=holder.user, registration=holder)
    page = main(client.get(reverse("dashboard")))
    assert "Confirmed" in page and "position 1" not in page


def test_organiser_dashboards_show_hosted_events_with_counts(
    client, event, studio_owner, partnership, lecturer
):
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory(event=event, status=R.PENDING)
    client.force_login(studio_owner)
    page = main(client.get(reverse("dashboard")))
    assert "Events you organise" in page and "2 / 60 confirmed" in page
    assert "1 awaiting approval" in page and reverse("events:create") in page
    Event.objects.filter(pk=event.pk).update(partnership=partnership)
    client.force_login(lecturer)
    page = main(client.get(reverse("dashboard")))
    assert "Real-time rendering in practice" in page


def test_dashboard_panel_query_count_is_constant(client, studio, student):
    events = EventFactory.create_batch(2, organisation=studio)
    for row in events:
        RegistrationFactory(event=row, user=student)
    client.force_login(student)
    few = _queries(client, reverse("dashboard"))
    for row in EventFactory.create_batch(3, organisation=studio, capacity=1):
        RegistrationFactory(event=row)
        RegistrationFactory(event=row, user=student, status=R.WAITLISTED)
    assert _queries(client, reverse("dashboard")) <= few + 1  # one query for waitlist positions


# --- Query counts -----------------------------------------------------------------------------


def _sectors(count=2):
    return [SectorFactory() for _ in range(count)]


def test_browse_query_count_is_constant(client, studio, student, django_assert_max_num_queries):
    sectors = _sectors()
    for row in EventFactory.create_batch(5, organisation=studio):
        row.sectors.set(sectors)
    client.force_login(student)
    url = reverse("events:browse")
    few = _queries(client, url)
    for row in EventFactory.create_batch(35, organisation=studio):
        row.sectors.set(sectors)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.content.decode().count("event-card") == 20


def test_month_query_count_is_constant(client, studio, django_assert_max_num_queries):
    start = timezone.localtime(in_days(40)).replace(day=10, hour=9)
    params = {"year": start.year, "month": start.month}
    for row in EventFactory.create_batch(5, organisation=studio, starts_at=start):
        row.sectors.set(_sectors(1))
    few = _queries(client, reverse("events:month"), params)
    for row in EventFactory.create_batch(35, organisation=studio, starts_at=start):
        row.sectors.set(_sectors(1))
    with django_assert_max_num_queries(few):
        response = client.get(reverse("events:month"), params)
    assert response.content.decode().count("Real-time rendering") >= 40


def test_registrants_query_count_is_constant(
    client, event, studio_owner, university, django_assert_max_num_queries
):
    for person in make_students(5, institution=university, prefix="few"):
        RegistrationFactory(event=event, user=person)
    client.force_login(studio_owner)
    url = reverse("events:registrants", args=[event.pk])
    few = _queries(client, url)
    for person in make_students(35, institution=university, prefix="many"):
        RegistrationFactory(event=event, user=person)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.content.decode().count('id="registrant-') == 40
    check_in = reverse("events:check_in", args=[event.pk])
    assert _queries(client, check_in) <= few


def test_nav_marks_events_as_current(client, student):
    client.force_login(student)
    page = body(client.get(reverse("events:browse")))
    assert f'<a href="{reverse("events:browse")}" aria-current="page">' in page


def test_only_people_who_can_host_see_the_create_link(client, studio_owner, student):
    client.force_login(studio_owner)
    assert reverse("events:create") in main(client.get(reverse("events:browse")))
    client.force_login(student)
    assert reverse("events:create") not in main(client.get(reverse("events:browse")))
