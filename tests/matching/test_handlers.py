"""Domain events become notifications: calls and reviews matched to organisations, events to
people in their audience, and workflow changes to the people involved."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from events import services as event_services
from events.models import Audience, EventFormat, EventKind
from partnerships.activity.models import DomainEvent
from partnerships.core.models import Sector, Skill
from partnerships.matching import organisations as org_matching
from partnerships.matching.events import recommend_events
from partnerships.matching.services import refresh_skill_weights
from partnerships.notifications import outbox
from partnerships.notifications.models import Notification, NotificationPreference
from partnerships.organisations.models import Kind, MemberRole
from partnerships.placements import services as placement_services
from partnerships.projects import services as project_services
from tests.events.conftest import EventFactory
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate(monkeypatch):
    """After-commit work (the dispatch) runs at once, so each test reads its results."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda f, using=None, robust=False: f())


def sector(slug):
    return Sector.objects.get(slug=slug)


def notified(name: str, **filters) -> dict:
    rows = Notification.objects.filter(event__name=name, **filters).select_related("recipient")
    return {n.recipient.email: n for n in rows}


# --- Calls and curriculum reviews → organisations ---------------------------------------


@pytest.fixture
def studios(db):
    games, film = sector("it-software-games"), sector("film-tv-radio-photography")
    people = {}
    for slug, sectors, location in (
        ("near-games", [games], "Manchester"),
        ("far-games", [games], "London"),
        ("film-only", [film], "Manchester"),
    ):
        org = OrganisationFactory(kind=Kind.INDUSTRY, slug=slug, name=slug, location=location)
        org.sectors.set(sectors)
        owner = UserFactory(email=f"owner@{slug}.example", role=Role.INDUSTRY)
        MembershipFactory(organisation=org, user=owner, role=MemberRole.OWNER)
        people[slug] = (org, owner)
    return people


def test_a_call_reaches_members_of_suitable_organisations(immediate, studios, university, lecturer):
    unity = Skill.objects.get(slug="unity")
    studios["far-games"][1].profile.skills.set([unity])
    refresh_skill_weights()
    call = project_services.opportunity_create(
        actor=lecturer,
        organisation=university,
        kind="live_brief",
        title="Prototype a museum game",
        summary="Students prototype an accessible exhibit.",
        description="Six weeks.",
        ip_ownership="Students keep their IP.",
        student_credit="Named on the label.",
        deliverables="A prototype.",
        mode="on_site",
        location="Manchester",
        deadline=timezone.now() + datetime.timedelta(days=20),
        sectors=[sector("it-software-games")],
        skills=[unity],
    )
    project_services.opportunity_publish(actor=lecturer, opportunity=call)
    by_person = notified("opportunity.published")
    assert set(by_person) == {"owner@near-games.example", "owner@far-games.example"}
    assert lecturer.email not in by_person  # never the poster's own people
    far = by_person["owner@far-games.example"]
    near = by_person["owner@near-games.example"]
    assert far.type == "opportunity_match" and far.frequency == "daily"
    reasons = org_matching.parse_org_reasons(far.reasons)
    assert reasons["skills"] == [unity.pk] and reasons["sectors"] == [
        sector("it-software-games").pk
    ]
    words = org_matching.explain(
        reasons,
        sector_names={s.pk: s.name for s in Sector.objects.all()},
        skill_names={unity.pk: "Unity"},
        organisation="Far Games",
    )
    assert words[0] == "For Far Games"
    assert any("Unity" in w for w in words)
    assert near.score != far.score  # place and skills both count

    for slug in ("near-games", "far-games"):
        (recommended,) = org_matching.recommend_calls(studios[slug][0])
        assert recommended.opportunity_id == call.pk
        assert recommended.score == by_person[f"owner@{slug}.example"].score  # both sides agree

    suggested = org_matching.suggest_organisations(org_matching.target_for_opportunity(call))
    assert [m.organisation_id for m in suggested][:2] == sorted(
        [studios["near-games"][0].pk, studios["far-games"][0].pk],
        key=lambda pk: -{m.organisation_id: m.score for m in suggested}[pk],
    )


def test_a_curriculum_review_reaches_industry_in_its_sectors(
    immediate, studios, lecturer, university
):
    from partnerships.curriculum import services as curriculum

    review = curriculum.review_create(
        actor=lecturer,
        institution=university,
        title="Review our games art module",
        course_name="Games Art 2",
        level="undergraduate",
        learning_outcomes="Model and texture real-time assets.",
        questions="What is missing?",
        reviewers_wanted=3,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        sectors=[sector("it-software-games")],
    )
    curriculum.review_open(actor=lecturer, review=review)
    assert set(notified("curriculum_review.opened")) == {
        "owner@near-games.example",
        "owner@far-games.example",
    }


# --- Events → people in the audience --------------------------------------------------------


def test_an_event_reaches_people_in_its_audience_who_follow_its_sectors(
    immediate, studio, studio_owner, student, lecturer
):
    games = sector("it-software-games")
    for person in (student, lecturer):
        person.profile.sectors.set([games])
        person.profile.location = "Manchester"
        person.profile.save()
    outsider = UserFactory(email="film@uni.example", role=Role.STUDENT)
    outsider.profile.sectors.set([sector("film-tv-radio-photography")])
    organiser_colleague = UserFactory(email="colleague@pixelforge.example", role=Role.INDUSTRY)
    MembershipFactory(organisation=studio, user=organiser_colleague)
    organiser_colleague.profile.sectors.set([games])

    event = EventFactory(
        organisation=studio, status="draft", kind=EventKind.CAREERS_FAIR,
        audience=Audience.STUDENTS, venue_address="Central, Manchester",
    )  # fmt: skip
    event.sectors.set([games])
    event_services.event_publish(actor=studio_owner, event=event)
    by_person = notified("event.published")
    assert set(by_person) == {student.email}  # students only; organisers never
    assert by_person[student.email].score == 100


def test_event_recommendations_rank_by_fit(studio, student):
    games = sector("it-software-games")
    student.profile.sectors.set([games])
    student.profile.location = "Leeds"
    student.profile.save()
    online = EventFactory(
        organisation=studio, format=EventFormat.ONLINE, venue_name="", venue_address="",
        title="Online games talk",
    )  # fmt: skip
    far = EventFactory(organisation=studio, title="Manchester games talk")
    EventFactory(organisation=studio, title="No sectors")
    online.sectors.set([games])
    far.sectors.set([games])
    ranked = list(recommend_events(student))
    assert [e.title for e in ranked] == ["Online games talk", "Manchester games talk"]
    assert ranked[0].match_score > ranked[1].match_score


# --- Workflow changes → the people involved --------------------------------------------


def test_application_stages_notify_the_other_party_without_a_second_email(
    immediate, studio, studio_owner, student, mailoutbox
):
    from tests.placements.conftest import ApplicationFactory, PlacementFactory

    placement = PlacementFactory(organisation=studio, contact=studio_owner, created_by=studio_owner)
    application = ApplicationFactory(placement=placement, student=student, status="submitted")
    placement_services.application_shortlist(actor=studio_owner, application=application)
    (shortlisted,) = Notification.objects.filter(type="application")
    assert shortlisted.recipient == student and "shortlisted" in shortlisted.title
    assert shortlisted.emailed_at is not None  # the service email already told them
    placement_services.application_withdraw(actor=student, application=application)
    withdrawn = Notification.objects.get(event__name="application.withdrawn")
    assert withdrawn.recipient == studio_owner


def test_turning_a_type_off_silences_it(immediate, studio, studio_owner, student):
    from tests.placements.conftest import ApplicationFactory, PlacementFactory

    NotificationPreference.objects.create(user=student, type="application", frequency="off")
    placement = PlacementFactory(organisation=studio, contact=studio_owner)
    application = ApplicationFactory(placement=placement, student=student, status="submitted")
    placement_services.application_shortlist(actor=studio_owner, application=application)
    assert not Notification.objects.filter(recipient=student).exists()


def test_waitlist_promotion_is_in_the_app(immediate, studio, student):
    from tests.events.conftest import make_students

    event = EventFactory(organisation=studio, capacity=1)
    first = make_students(1, prefix="first")[0]
    taken = event_services.register(actor=first, event=event)
    event_services.register(actor=student, event=event)
    event_services.cancel_registration(actor=first, registration=taken)
    (promoted,) = Notification.objects.filter(recipient=student, type="registration")
    assert "place opened up" in promoted.title and promoted.url == event.get_absolute_url()


def test_unhandled_events_stay_quietly_dispatchable(db):
    event = DomainEvent.objects.create(name="partnership.paused", target_type="x.y", target_id=1)
    assert outbox.dispatch(event.pk) == 0
