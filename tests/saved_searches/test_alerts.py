"""A newly published placement or event alerts the saved searches it meets: one statement for
every saved search, at each search's frequency, never twice for one person and item, and only
to people who may see it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from events.models import Audience, EventFormat, EventKind
from partnerships.activity.models import DomainEvent
from partnerships.core.models import Skill
from partnerships.notifications import outbox
from partnerships.notifications import saved_searches as ss
from partnerships.notifications.models import Notification, NotificationPreference, SavedSearch
from partnerships.organisations.models import Kind
from tests.factories import MembershipFactory, OrganisationFactory, SectorFactory
from tests.placements.conftest import PlacementFactory

from .conftest import person, publish_event, publish_placement, save

pytestmark = pytest.mark.django_db


@pytest.fixture
def houdini(db):
    """A skill nobody here has: the placement then matches no student by itself."""
    return Skill.objects.get(slug="houdini")


def alerts(target=None) -> dict[str, Notification]:
    rows = Notification.objects.filter(type="saved_search").select_related("recipient")
    if target is not None:
        rows = rows.filter(target_id=target.pk)
    return {n.recipient.email: n for n in rows}


def paid_remote_animation(studio, studio_owner, animation, unity, **fields):
    return publish_placement(
        studio_owner, studio, nice=[unity], sector=animation, mode="remote", is_paid=True,
        title="Unity animator", description="Animate characters for our next game.",
        location="Manchester", eligible_levels=["undergraduate"], **fields,
    )  # fmt: skip


def test_a_new_placement_alerts_the_searches_it_meets_only(
    immediate, studio, studio_owner, student, lecturer, animation, unity
):
    wanted = save(student, sector="animation", mode="remote", paid_only="on", kind="internship")
    weekly = person("weekly@uni.example")
    save(weekly, sector="animation", frequency="weekly")
    by_skill = person("skill@uni.example")
    save(by_skill, skill="unity")
    by_place = person("place@uni.example")
    save(by_place, location="manch")
    by_level = person("level@uni.example")
    save(by_level, level="undergraduate", q="animator")
    misses = {
        "lena@northbridge.ac.uk": save(lecturer, sector="animation", mode="on_site"),
        "graduate@uni.example": save(person("graduate@uni.example"), kind="graduate_role"),
        "postgrad@uni.example": save(person("postgrad@uni.example"), level="postgraduate"),
        "leeds@uni.example": save(person("leeds@uni.example"), location="Leeds"),
        "blender@uni.example": save(person("blender@uni.example"), skill="blender"),
        "games@uni.example": save(person("games@uni.example"), sector="it-software-games"),
    }
    gone = person("gone@uni.example")
    save(gone, sector="animation")
    gone.is_active = False
    gone.save()
    save(studio_owner, sector="animation")  # Oscar posts it: never told about his own
    quiet = person("quiet@uni.example")
    save(quiet, sector="animation")
    NotificationPreference.objects.create(user=quiet, type="saved_search", frequency="off")

    placement = paid_remote_animation(studio, studio_owner, animation, unity)

    told = alerts(placement)
    assert set(told) == {
        student.email, "weekly@uni.example", "skill@uni.example", "place@uni.example",
        "level@uni.example",
    }  # fmt: skip
    sam = told[student.email]
    assert sam.frequency == "daily" and told["weekly@uni.example"].frequency == "weekly"
    assert sam.title == (
        "New placement for your saved search “Paid remote internships in Animation”: Unity animator"
    )
    assert sam.url == placement.get_absolute_url() == f"/placements/{placement.pk}/"
    assert (sam.target_type, sam.target_id, sam.event.name) == (
        "placements.placement", placement.pk, "placement.published",
    )  # fmt: skip
    assert sam.reasons == {"saved_search": wanted.pk, "label": wanted.label}
    # The searches that fired are stamped; the others are not.
    wanted.refresh_from_db()
    assert wanted.last_alerted_at is not None
    assert not any(
        SavedSearch.objects.get(pk=search.pk).last_alerted_at for search in misses.values()
    )


def test_one_statement_whatever_the_number_of_saved_searches(
    studio, animation, houdini, django_assert_max_num_queries
):
    def published(count: int) -> int:
        """A placement.published event, with ``count`` people's saved searches it meets."""
        for number in range(count):
            save(person(f"n{count}-{number}@uni.example"), sector="animation", q="animator")
        placement = PlacementFactory(
            organisation=studio, sector=animation, title=f"Animator {count}", mode="remote"
        )
        placement.required_skills.set([houdini])
        return DomainEvent.objects.create(
            name="placement.published", target_type="placements.placement", target_id=placement.pk
        ).pk

    one = published(1)
    with CaptureQueriesContext(connection) as queries:
        assert outbox.dispatch(one) == 1
    SavedSearch.objects.all().delete()
    fifty = published(50)
    with django_assert_max_num_queries(len(queries.captured_queries)):
        assert outbox.dispatch(fifty) == 50
    assert Notification.objects.filter(type="saved_search").count() == 51
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT INTO" in q["sql"]]
    assert len(inserts) == 2  # the matching's and the saved searches': one statement each


def test_each_search_is_alerted_at_its_frequency(
    immediate, studio, studio_owner, student, animation, unity, mailoutbox
):
    save(student, sector="animation", frequency="instant")
    digest = person("digest@uni.example")
    save(digest, sector="animation", frequency="weekly")
    placement = paid_remote_animation(studio, studio_owner, animation, unity)
    told = alerts(placement)
    assert told[student.email].frequency == "instant"
    assert told[student.email].emailed_at is not None
    assert told["digest@uni.example"].frequency == "weekly"
    assert told["digest@uni.example"].emailed_at is None  # waits for the weekly digest
    assert [m.to for m in mailoutbox] == [[student.email]]
    assert "Unity animator" in mailoutbox[0].body


def test_several_matching_searches_alert_once_from_the_soonest(
    immediate, studio, studio_owner, student, animation, unity
):
    save(student, sector="animation", frequency="weekly")
    soonest = save(student, mode="remote", frequency="instant")
    save(student, q="animator", frequency="daily")
    placement = paid_remote_animation(studio, studio_owner, animation, unity)
    (alert,) = Notification.objects.filter(recipient=student, target_id=placement.pk)
    assert alert.frequency == "instant" and soonest.label in alert.title


def test_no_second_notification_for_someone_the_matching_already_told(
    immediate, studio, studio_owner, student, animation, unity
):
    student.profile.sectors.set([animation])
    student.profile.skills.set([unity])
    save(student, sector="animation")
    other = person("other@uni.example")
    save(other, sector="animation")
    placement = publish_placement(
        studio_owner, studio, required=[unity], sector=animation, mode="remote",
        title="Unity animator",
    )  # fmt: skip
    mine = Notification.objects.filter(recipient=student, target_id=placement.pk)
    assert [n.type for n in mine] == ["placement_match"]  # matched, so no saved-search alert
    assert set(alerts(placement)) == {"other@uni.example"}


def test_a_deleted_search_stops_alerting(immediate, studio, studio_owner, student, animation):
    search = save(student, sector="animation")
    first = publish_placement(studio_owner, studio, sector=animation, title="First")
    assert set(alerts(first)) == {student.email}
    ss.delete_search(student, search)
    second = publish_placement(studio_owner, studio, sector=animation, title="Second")
    assert alerts(second) == {}
    assert Notification.objects.filter(recipient=student).count() == 1  # the first one stays


def test_search_words_match_the_title_and_description(immediate, studio, studio_owner, houdini):
    hits = {
        "title@uni.example": "unity",
        "description@uni.example": "characters",
        "phrase@uni.example": "Unity animator",
    }
    for email, words in hits.items():
        save(person(email), q=words)
    save(person("miss@uni.example"), q="houdini")
    placement = publish_placement(
        studio_owner, studio, title="Unity animator", required=[houdini],
        description="Animate characters for our next game.",
    )  # fmt: skip
    assert set(alerts(placement)) == set(hits)


def test_search_words_are_stemmed_on_postgresql(immediate, studio, studio_owner, houdini):
    if connection.vendor != "postgresql":
        pytest.skip("full-text search (stemming, web-search syntax) is PostgreSQL's")
    save(person("stem@uni.example"), q="animating characters")
    save(person("phrase@uni.example"), q='"next game" -blender')
    save(person("excluded@uni.example"), q="animate -unity")
    placement = publish_placement(
        studio_owner, studio, title="Unity animator", required=[houdini],
        description="Animate characters for our next game.",
    )  # fmt: skip
    assert set(alerts(placement)) == {"stem@uni.example", "phrase@uni.example"}


def test_a_withdrawn_placement_alerts_nobody(studio, studio_owner, student, animation):
    save(student, sector="animation")
    placement = PlacementFactory(organisation=studio, sector=animation, status="closed")
    event = DomainEvent.objects.create(
        name="placement.published", target_type="placements.placement", target_id=placement.pk
    )
    assert outbox.dispatch(event.pk) == 0
    assert alerts() == {}


# --- Events --------------------------------------------------------------------------------


def test_an_event_alerts_only_people_in_its_audience(
    immediate, studio, studio_owner, student, lecturer, other_owner, university, animation
):
    for user in (student, lecturer, other_owner):
        save(user, "events", kind="workshop")
    careers = person("careers@uni.example")
    save(careers, "events", kind="careers_fair")
    online = person("online@uni.example")
    save(online, "events", attendance="online")
    save(studio_owner, "events", kind="workshop")  # the organiser: never

    students_only = publish_event(
        studio_owner, studio, kind=EventKind.WORKSHOP, audience=Audience.STUDENTS,
        title="Storyboarding workshop",
    )  # fmt: skip
    told = alerts(students_only)
    assert set(told) == {student.email}
    assert told[student.email].title == (
        "New event for your saved search “Workshops”: Storyboarding workshop"
    )
    assert told[student.email].url == students_only.get_absolute_url()

    public = publish_event(
        studio_owner, studio, kind=EventKind.WORKSHOP, audience=Audience.PUBLIC,
        format=EventFormat.HYBRID, title="Open workshop",
    )  # fmt: skip
    assert set(alerts(public)) == {
        student.email, lecturer.email, other_owner.email, "online@uni.example",
    }  # fmt: skip

    invited_studio = OrganisationFactory(kind=Kind.INDUSTRY, slug="invited")
    guest = person("guest@invited.example", role=Role.INDUSTRY)
    MembershipFactory(organisation=invited_studio, user=guest)
    save(guest, "events", kind="workshop")
    members_only = publish_event(
        studio_owner, studio, kind=EventKind.WORKSHOP, audience=Audience.MEMBERS,
        invited=[invited_studio, university], title="Members' workshop",
    )  # fmt: skip
    # Members of invited organisations (Lena at Northbridge, the guest) and Northbridge's
    # students (Sam); not Olga, whose studio is not invited.
    assert set(alerts(members_only)) == {student.email, lecturer.email, "guest@invited.example"}


def test_event_filters_sector_organiser_and_words(
    immediate, studio, studio_owner, other_studio, student, animation
):
    save(student, "events", sector="animation")
    by_organiser = person("organiser@uni.example")
    save(by_organiser, "events", organiser="pixel-forge")
    elsewhere = person("elsewhere@uni.example")
    save(elsewhere, "events", organiser="other-studio")
    words = person("words@uni.example")
    save(words, "events", q="storyboarding")
    in_person = person("in-person@uni.example")
    save(in_person, "events", attendance="in_person")
    film = SectorFactory(name="Film", slug="film")
    other_sector = person("film@uni.example")
    save(other_sector, "events", sector="film")

    event = publish_event(
        studio_owner, studio, sectors=[animation], format=EventFormat.ONLINE,
        venue_name="", venue_address="", title="Storyboarding for animation",
    )  # fmt: skip
    assert set(alerts(event)) == {student.email, "organiser@uni.example", "words@uni.example"}
    assert film.pk  # used by the search that did not fire
