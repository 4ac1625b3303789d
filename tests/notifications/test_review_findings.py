"""Regressions for defects found in review of matching and notifications (one test each)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from events.models import EventFormat, EventKind
from partnerships.activity.models import DomainEvent
from partnerships.core.models import Sector, Skill
from partnerships.matching import placements as matching
from partnerships.matching.events import recommend_events
from partnerships.matching.services import refresh_skill_weights
from partnerships.matching.templatetags.matching_tags import (
    suggested_candidates,
    suggested_partners,
)
from partnerships.notifications import emails, outbox
from partnerships.notifications.models import Frequency, Notification, NotificationType
from partnerships.placements.models import Placement, PlacementStatus
from partnerships.projects.models import Opportunity
from tests.events.conftest import EventFactory
from tests.factories import UserFactory

from .conftest import notify

pytestmark = pytest.mark.django_db


def games() -> Sector:
    return Sector.objects.get(slug="it-software-games")


def skills(*slugs) -> list[Skill]:
    return list(Skill.objects.filter(slug__in=slugs).order_by("slug"))


def open_placement(studio, required=(), **fields) -> Placement:
    data = {
        "organisation": studio,
        "kind": "internship",
        "title": "Junior technical artist",
        "description": "Shaders and tools.",
        "location": "Manchester",
        "mode": "on_site",
        "is_paid": False,
        "deadline": timezone.now() + datetime.timedelta(days=20),
        "status": PlacementStatus.OPEN,
        **fields,
    }
    placement = Placement.objects.create(**data)
    placement.required_skills.set(required)
    return placement


def test_event_and_call_matches_are_explained_like_placement_matches(student, studio_owner, studio):
    """Explanations in plain words wherever a match is shown: event and call matches came with
    reasons, but the inbox, the API and the emails showed none."""
    sector = games()
    notify(
        student,
        type_=NotificationType.EVENT_MATCH,
        title="Games careers fair",
        target_type="events.event",
        reasons={"sectors": str(sector.pk), "wanted_sectors": 1, "place": 1.0, "role": 1.0},
    )
    notify(
        studio_owner,
        type_=NotificationType.OPPORTUNITY_MATCH,
        title="Fair procedural levels",
        target_type="projects.opportunity",
        reasons={
            "organisation": studio.pk,
            "sectors": str(sector.pk),
            "wanted_sectors": 1,
            "skills": "",
            "wanted": 0,
            "place": 1.0,
        },
    )
    api = APIClient()
    api.force_authenticate(student)
    (event_row,) = api.get("/api/notifications/").data["results"]
    assert f"In sectors you follow: {sector.name}" in event_row["explanation"]
    api.force_authenticate(studio_owner)
    (call_row,) = api.get("/api/notifications/").data["results"]
    assert "For Pixel Forge" in call_row["explanation"]
    assert f"1 of its 1 sectors are yours: {sector.name}" in call_row["explanation"]


def test_recommended_events_on_the_dashboard_say_why(client, student, studio):
    """The dashboard's recommended events showed a score with no reasons."""
    student.profile.sectors.set([games()])
    event = EventFactory(
        organisation=studio, format=EventFormat.ONLINE, venue_name="", venue_address="",
        title="Online games talk", kind=EventKind.NETWORKING,
    )  # fmt: skip
    event.sectors.set([games()])
    client.force_login(student)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Online games talk" in page
    assert f"In sectors you follow: {games().name}" in page
    assert "Online, or near you" in page


def test_suggested_candidates_are_described_to_the_studio_not_addressed_as_you(studio, university):
    """The studio read "You have 2 of the 2 skills", "The dates fit your studies" about a
    student: the words addressed the reader, not the candidate."""
    wanted = skills("blender", "unity")
    person = UserFactory(email="open@uni.example", role=Role.STUDENT, display_name="Open")
    person.profile.discoverable = True
    person.profile.location = "Manchester"
    person.profile.sectors.set([games()])
    person.profile.save()
    person.profile.skills.set(wanted)
    placement = open_placement(studio, wanted, sector=games())
    refresh_skill_weights()
    (row,) = suggested_candidates(placement)["rows"]
    assert row["why"][0].startswith("Has 2 of the 2 skills it asks for: ")
    assert "Follows its sector" in row["why"]
    assert "Based in Manchester" in row["why"]
    assert not any("you" in phrase.lower() for phrase in row["why"])


def test_suggested_partners_are_described_to_the_call_owner_not_addressed_as_yours(
    university, lecturer, studio
):
    """The call's owners read "1 of its 1 sectors are yours" about another organisation."""
    studio.sectors.set([games()])
    call = Opportunity.objects.create(
        organisation=university, created_by=lecturer, kind="research",
        title="Fair procedural levels", summary="Study fairness.", description="Six months.",
        mode="remote", deadline=timezone.now() + datetime.timedelta(days=20), status="open",
    )  # fmt: skip
    call.sectors.set([games()])
    (row,) = suggested_partners({}, call)["rows"]
    assert f"Works in 1 of its 1 sectors: {games().name}" in row["why"]
    assert not any("you" in phrase.lower() for phrase in row["why"])


def test_reason_skills_are_strongest_first_and_agree_on_every_database(studio, settings):
    """On SQLite ``group_concat`` ignored the ORDER BY: the fan-out and the recommendation
    listed a student's skills in different orders, neither strongest first."""
    settings.MATCHING_NOTIFY_MIN_SCORE = 0
    common, rare, rarest = skills("blender", "houdini", "nuke")
    for number in range(5):
        UserFactory(email=f"c{number}@uni.example", role=Role.STUDENT).profile.skills.set([common])
    UserFactory(email="r@uni.example", role=Role.STUDENT).profile.skills.set([rare])
    person = UserFactory(email="me@uni.example", role=Role.STUDENT)
    person.profile.skills.set([common, rare, rarest])
    refresh_skill_weights()
    placement = open_placement(studio, [common, rare, rarest])
    event = DomainEvent.objects.create(
        name="placement.published", target_type="placements.placement", target_id=placement.pk
    )
    outbox.dispatch(event.pk)
    sent = Notification.objects.get(event=event, recipient=person)
    strongest_first = [rarest.pk, rare.pk, common.pk]
    assert matching.parse_reasons(sent.reasons)["skills"] == strongest_first
    (match,) = matching.recommend_placements(person)
    assert match.reasons["skills"] == strongest_first


def test_closed_accounts_get_no_instant_or_digest_emails(student, studio_owner, mailoutbox):
    """A notification written before an account was closed was still emailed to it, at once or
    in the digest (and claimed, so it is not retried)."""
    notify(student, title="Instant news", frequency=Frequency.INSTANT)
    notify(studio_owner, title="Daily news", frequency=Frequency.DAILY)
    type(student).objects.filter(pk__in=[student.pk, studio_owner.pk]).update(is_active=False)
    emails.send_instant()
    emails.send_digests(Frequency.DAILY, now=timezone.now() + datetime.timedelta(seconds=1))
    assert mailoutbox == []
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_event_fan_out_reads_a_location_as_text_not_a_pattern(student, studio, settings):
    """The fan-out compared the venue with ``LIKE '%' || location || '%'``: a location of "%"
    (or with "_") was "near" every venue, unlike the dashboard's score for the same pair."""
    settings.MATCHING_EVENT_MIN_SCORE = 0
    student.profile.location = "%"
    student.profile.save()
    student.profile.sectors.set([games()])
    event = EventFactory(organisation=studio, kind=EventKind.NETWORKING, title="Games meetup")
    event.sectors.set([games()])
    published = DomainEvent.objects.create(
        name="event.published", target_type="events.event", target_id=event.pk
    )
    outbox.dispatch(published.pk)
    sent = Notification.objects.get(event=published, recipient=student)
    (recommended,) = recommend_events(student)
    assert sent.score == recommended.match_score == 70  # sectors 50 + role 20, not near


def test_direct_notifications_skip_deactivated_accounts(student, studio_owner, studio):
    """Workflow notifications (application changes, approvals…) were written for accounts that
    had been closed: nobody could ever read them, and they inflated unread counts in the API."""
    type(student).objects.filter(pk=student.pk).update(is_active=False)
    event = DomainEvent.objects.create(
        name="test.direct", target_type="organisations.organisation", target_id=studio.pk
    )
    written = outbox.direct(
        event,
        NotificationType.APPLICATION,
        [student.pk, studio_owner.pk, None],
        title="Something changed",
        url="/",
        target=studio,
    )
    assert written == 1
    assert list(Notification.objects.filter(event=event).values_list("recipient", flat=True)) == [
        studio_owner.pk
    ]
