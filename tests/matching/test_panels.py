"""'Recommended for you' on dashboards and 'Suggested partners' on a call, with their reasons."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships.core.models import Sector, Skill
from partnerships.matching.services import refresh_skill_weights
from partnerships.projects.models import Opportunity
from tests.placements.conftest import PlacementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def skilled_student(student):
    student.profile.location = "Manchester"
    student.profile.save()
    student.profile.skills.set(Skill.objects.filter(slug__in=["blender", "unity"]))
    student.profile.sectors.set(Sector.objects.filter(slug="it-software-games"))
    return student


def placements_for(studio, count):
    wanted = list(Skill.objects.filter(slug__in=["blender", "unity"]))
    for number in range(count):
        placement = PlacementFactory(organisation=studio, title=f"Technical artist {number}")
        placement.required_skills.set(wanted[: 1 + number % 2])


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_student_dashboard_recommends_placements_with_reasons(client, skilled_student, studio):
    placements_for(studio, 3)
    refresh_skill_weights()
    client.force_login(skilled_student)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Recommended for you" in page
    assert "Technical artist 1" in page
    assert "You have 2 of the 2 skills it asks for" in page
    assert "% match" in page


def test_recommendations_panel_query_count_is_constant(client, skilled_student, studio):
    placements_for(studio, 3)
    refresh_skill_weights()
    client.force_login(skilled_student)
    few = queries(client, reverse("dashboard"))
    placements_for(studio, 30)
    assert queries(client, reverse("dashboard")) <= few


def test_a_student_without_skills_is_told_how_to_improve(client, student):
    client.force_login(student)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Add skills and sectors to your profile" in page


def test_organisation_dashboard_recommends_calls(client, university, lecturer, studio_owner):
    studio_owner.memberships.first().organisation.sectors.set(
        Sector.objects.filter(slug="it-software-games")
    )
    call = Opportunity.objects.create(
        organisation=university,
        created_by=lecturer,
        kind="research",
        title="Fair procedural levels",
        summary="Study fairness.",
        description="Six months.",
        mode="remote",
        deadline=timezone.now() + datetime.timedelta(days=20),
        status="open",
    )
    call.sectors.set(Sector.objects.filter(slug="it-software-games"))
    client.force_login(studio_owner)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Open calls that suit Pixel Forge" in page
    assert "Fair procedural levels" in page
    assert "1 of its 1 sectors are yours" in page


def test_suggested_partners_only_for_the_calls_own_people(
    client, university, lecturer, studio, student
):
    studio.sectors.set(Sector.objects.filter(slug="it-software-games"))
    call = Opportunity.objects.create(
        organisation=university,
        created_by=lecturer,
        kind="research",
        title="Fair procedural levels",
        summary="Study fairness.",
        description="Six months.",
        mode="remote",
        deadline=timezone.now() + datetime.timedelta(days=20),
        status="open",
    )
    call.sectors.set(Sector.objects.filter(slug="it-software-games"))
    url = call.get_absolute_url()
    client.force_login(lecturer)
    page = client.get(url).content.decode()
    assert "Suggested partners" in page and "Pixel Forge" in page
    client.force_login(student)
    assert "Suggested partners" not in client.get(url).content.decode()


def test_suggested_candidates_are_discoverable_students_only(
    client, studio, studio_owner, other_owner, university
):
    from tests.factories import UserFactory

    wanted = list(Skill.objects.filter(slug__in=["blender", "unity"]))
    placement = PlacementFactory(organisation=studio, title="Technical artist")
    placement.required_skills.set(wanted)
    shown, hidden, applied = (
        UserFactory(email=f"{name}@uni.example", role="student", display_name=name.title())
        for name in ("open", "private", "applied")
    )
    for person, discoverable in ((shown, True), (hidden, False), (applied, True)):
        person.profile.discoverable = discoverable
        person.profile.institution = university
        person.profile.save()
        person.profile.skills.set(wanted)
    from tests.placements.conftest import ApplicationFactory

    ApplicationFactory(placement=placement, student=applied, institution=university)
    refresh_skill_weights()
    url = reverse("placements:pipeline", args=[placement.pk])
    client.force_login(studio_owner)
    page = client.get(url).content.decode()
    assert "Suggested candidates" in page
    assert "Open" in page and "Has 2 of the 2 skills it asks for" in page
    section = page.split("Suggested candidates", 1)[1]
    assert "Private" not in section  # never students who keep their profile private
    assert "Applied" not in section  # already in the pipeline above
    client.force_login(other_owner)
    assert client.get(url).status_code in (403, 404)


def _event_in(sector, title):
    from tests.events.conftest import EventFactory

    event = EventFactory(title=title)
    event.sectors.add(sector)
    return event


def test_recommended_events_are_ranked_once_and_refreshed_by_a_new_event(client, skilled_student):
    from unittest import mock

    from partnerships.matching import events as event_matching

    games = Sector.objects.get(slug="it-software-games")
    _event_in(games, "Shader night")
    client.force_login(skilled_student)
    with mock.patch.object(
        event_matching, "recommend_events", wraps=event_matching.recommend_events
    ) as scored:
        first = client.get(reverse("dashboard")).content.decode()
        again = client.get(reverse("dashboard")).content.decode()
        assert scored.call_count == 1  # the second dashboard read the kept ranking
        _event_in(games, "Level design jam")  # saving an event refreshes the events scope
        later = client.get(reverse("dashboard")).content.decode()
        assert scored.call_count == 2
    assert "Shader night" in first and "Shader night" in again
    assert "Level design jam" in later and "% match" in later


def test_recommended_events_follow_the_persons_sectors_at_once(client, skilled_student):
    games = Sector.objects.get(slug="it-software-games")
    other = Sector.objects.exclude(pk=games.pk).first()
    _event_in(games, "Shader night")
    _event_in(other, "Pattern cutting masterclass")
    client.force_login(skilled_student)
    before = client.get(reverse("dashboard")).content.decode()
    skilled_student.profile.sectors.set([other])
    after = client.get(reverse("dashboard")).content.decode()
    assert "Shader night" in before and "Pattern cutting masterclass" not in before
    assert "Pattern cutting masterclass" in after and "Shader night" not in after


def test_a_kept_ranking_never_shows_an_event_the_person_may_no_longer_see(client, skilled_student):
    from events.models import Audience

    games = Sector.objects.get(slug="it-software-games")
    event = _event_in(games, "Members shader night")
    client.force_login(skilled_student)
    assert "Members shader night" in client.get(reverse("dashboard")).content.decode()
    # Made members-only without a save (as a bulk change would): the ranking is still kept.
    type(event).objects.filter(pk=event.pk).update(audience=Audience.MEMBERS)
    assert "Members shader night" not in client.get(reverse("dashboard")).content.decode()


def test_a_kept_ranking_is_checked_event_by_event(client, skilled_student, university):
    """The kept events are checked with the same predicate as an event's page: invited
    through the student's institution still shows, one made a draft no longer does."""
    from events.models import Audience, EventStatus

    games = Sector.objects.get(slug="it-software-games")
    invited = _event_in(games, "Institution shader night")
    hidden = _event_in(games, "Unpublished shader night")
    client.force_login(skilled_student)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Institution shader night" in page and "Unpublished shader night" in page
    type(invited).objects.filter(pk=invited.pk).update(audience=Audience.MEMBERS)
    invited.audience_organisations.add(university)
    type(hidden).objects.filter(pk=hidden.pk).update(status=EventStatus.DRAFT)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("dashboard")).content.decode()
    assert "Institution shader night" in page
    assert "Unpublished shader night" not in page
    invited_reads = [q for q in captured if "events_event_audience_organisations" in q["sql"]]
    assert len(invited_reads) == 1  # one read for every members-only event shown
