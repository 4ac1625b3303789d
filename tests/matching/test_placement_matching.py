"""Student ↔ placement matching: scores, explanations, recipients, idempotent fan-out."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from partnerships.activity.models import DomainEvent
from partnerships.core.models import Sector, Skill
from partnerships.matching import placements as matching
from partnerships.matching.models import SkillWeight
from partnerships.matching.services import refresh_skill_weights
from partnerships.notifications import outbox
from partnerships.notifications.models import Notification, NotificationPreference
from partnerships.placements.models import Placement, PlacementKind, PlacementStatus
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def skills():
    return {s.slug: s for s in Skill.objects.filter(slug__in=SLUGS)}


SLUGS = ["blender", "unity", "c-sharp", "houdini", "nuke", "level-design"]


@pytest.fixture
def games():
    return Sector.objects.get(slug="it-software-games")


def student(email, skills=(), *, sectors=(), location="Manchester", level="undergraduate", **kw):
    user = UserFactory(email=email, role=Role.STUDENT, display_name=email.split("@")[0])
    profile = user.profile
    profile.location, profile.level = location, level
    for name, value in kw.items():
        setattr(profile, name, value)
    profile.save()
    profile.skills.set(skills)
    profile.sectors.set(sectors)
    return user


def placement(studio, required=(), nice=(), **fields):
    data = {
        "organisation": studio,
        "kind": PlacementKind.INTERNSHIP,
        "title": "Junior technical artist",
        "description": "Shaders and tools.",
        "location": "Manchester",
        "mode": "on_site",
        "is_paid": False,
        "deadline": timezone.now() + datetime.timedelta(days=20),
        "status": PlacementStatus.OPEN,
        **fields,
    }
    created = Placement.objects.create(**data)
    created.required_skills.set(required)
    created.nice_skills.set(nice)
    return created


def fan_out(target) -> list[Notification]:
    event = DomainEvent.objects.create(
        name="placement.published", target_type="placements.placement", target_id=target.pk
    )
    outbox.dispatch(event.pk)
    return list(Notification.objects.filter(event=event).order_by("-score", "recipient_id"))


def test_rarer_skills_weigh_more(skills):
    for number in range(6):
        student(f"common{number}@uni.example", [skills["blender"]])
    student("rare@uni.example", [skills["houdini"]])
    refresh_skill_weights()
    weight = dict(SkillWeight.objects.values_list("skill__slug", "weight"))
    assert weight["houdini"] > weight["blender"]
    assert weight["nuke"] > weight["houdini"]  # nobody lists it yet: rarest of all
    assert SkillWeight.objects.get(skill__slug="blender").students == 6


def test_score_parts_and_explanation(studio, skills, games):
    everything = student(
        "all@uni.example",
        [skills["blender"], skills["unity"], skills["c-sharp"]],
        sectors=[games],
        expected_graduation=datetime.date(2028, 6, 30),
    )
    refresh_skill_weights()
    target = placement(
        studio,
        required=[skills["blender"], skills["unity"]],
        nice=[skills["c-sharp"]],
        sector=games,
        start_date=datetime.date(2027, 6, 1),
    )
    (notification,) = fan_out(target)
    assert notification.recipient == everything
    assert notification.score == 100  # every skill, the sector, the city, dates inside studies
    reasons = matching.parse_reasons(notification.reasons)
    names = matching.skill_names(reasons["skills"])
    words = matching.explain(reasons, names, mode=target.mode, location=target.location)
    assert words[0].startswith("You have 3 of the 3 skills it asks for: ")
    assert {"Blender", "Unity"} <= set(words[0].split(": ")[1].split(", "))
    assert "In a sector you follow" in words
    assert "In Manchester, where you are" in words
    assert "The dates fit your studies" in words


def test_scores_are_deterministic_and_ranked(studio, skills):
    student("three@uni.example", [skills["blender"], skills["unity"], skills["houdini"]])
    student("two@uni.example", [skills["blender"], skills["unity"]])
    student("one@uni.example", [skills["blender"]])
    refresh_skill_weights()
    target = placement(studio, required=[skills["blender"], skills["unity"], skills["houdini"]])
    first = [(n.recipient.email, n.score) for n in fan_out(target)]
    Notification.objects.all().delete()
    again = [(n.recipient.email, n.score) for n in fan_out(target)]
    assert first == again
    assert [email for email, _score in first][:2] == ["three@uni.example", "two@uni.example"]
    scores = dict(first)
    assert scores["three@uni.example"] > scores["two@uni.example"]


def test_remote_placement_ignores_distance(studio, skills):
    near = student("near@uni.example", [skills["blender"]], location="Manchester")
    far = student("far@uni.example", [skills["blender"]], location="Glasgow")
    refresh_skill_weights()
    on_site = {n.recipient: n.score for n in fan_out(placement(studio, [skills["blender"]]))}
    remote = {
        n.recipient: n.score
        for n in fan_out(placement(studio, [skills["blender"]], mode="remote", title="Remote"))
    }
    assert on_site[near] > on_site.get(far, 0)
    assert remote[near] == remote[far]


def test_recipients_exclude_ineligible_opted_out_and_non_students(
    studio, skills, university, studio_owner
):
    wanted = [skills["blender"], skills["unity"]]
    eligible = student("ok@uni.example", wanted, institution=university)
    student("postgrad@uni.example", wanted, level="postgraduate", institution=university)
    student("elsewhere@uni.example", wanted, institution=OrganisationFactory(kind="institution"))
    muted = student("muted@uni.example", wanted, institution=university)
    NotificationPreference.objects.create(user=muted, type="placement_match", frequency="off")
    gone = student("gone@uni.example", wanted, institution=university)
    gone.is_active = False
    gone.save()
    staff = UserFactory(email="staff@uni.example", role=Role.UNIVERSITY)
    staff.profile.skills.set(wanted)
    refresh_skill_weights()
    target = placement(studio, wanted, eligible_levels=["undergraduate"])
    target.eligible_institutions.set([university])
    assert [n.recipient for n in fan_out(target)] == [eligible]


def test_weak_matches_are_not_notified(studio, skills, settings):
    student("weak@uni.example", [skills["nuke"]], location="Leeds")
    refresh_skill_weights()
    target = placement(studio, [skills["blender"], skills["unity"], skills["nuke"]])
    settings.MATCHING_NOTIFY_MIN_SCORE = 90
    assert fan_out(target) == []


def test_dispatching_twice_notifies_once(studio, skills):
    student("once@uni.example", [skills["blender"]])
    refresh_skill_weights()
    target = placement(studio, [skills["blender"]])
    event = DomainEvent.objects.create(
        name="placement.published", target_type="placements.placement", target_id=target.pk
    )
    assert outbox.dispatch(event.pk) == 1
    assert outbox.dispatch(event.pk) == 0  # already dispatched
    event.dispatched_at = None  # even if the marker were lost, the unique key holds
    event.save()
    outbox.dispatch(event.pk)
    assert Notification.objects.filter(event=event).count() == 1


def test_preference_decides_how_it_is_emailed(studio, skills):
    daily = student("daily@uni.example", [skills["blender"]])
    instant = student("instant@uni.example", [skills["blender"]])
    NotificationPreference.objects.create(user=instant, type="placement_match", frequency="instant")
    refresh_skill_weights()
    by_person = {n.recipient: n.frequency for n in fan_out(placement(studio, [skills["blender"]]))}
    assert by_person == {daily: "daily", instant: "instant"}


def test_a_withdrawn_placement_notifies_nobody(studio, skills):
    student("late@uni.example", [skills["blender"]])
    target = placement(studio, [skills["blender"]], status=PlacementStatus.CLOSED)
    assert fan_out(target) == []


def test_recommendations_agree_with_the_fan_out(studio, skills, games, settings):
    person = student("me@uni.example", [skills["blender"], skills["unity"]], sectors=[games])
    refresh_skill_weights()
    best = placement(studio, [skills["blender"], skills["unity"]], sector=games, title="Best")
    half = placement(studio, [skills["blender"], skills["houdini"]], title="Half")
    placement(studio, [skills["nuke"]], title="None of mine", mode="remote")
    placement(studio, [skills["blender"]], title="Closed", status=PlacementStatus.CLOSED)
    placement(studio, [skills["blender"]], title="Postgrads", eligible_levels=["postgraduate"])

    titles = dict(Placement.objects.values_list("pk", "title"))
    ranked = matching.score_open_placements(person.profile, limit=20)
    assert [titles[m.placement_id] for m in ranked] == ["Best", "Half", "None of mine"]
    recommended = matching.recommend_placements(person)
    # Recommended: the same order, from the same bar as the notifications.
    assert [m.placement_id for m in recommended] == [
        m.placement_id for m in ranked if m.score >= settings.MATCHING_RECOMMEND_MIN_SCORE
    ]
    assert titles[recommended[0].placement_id] == "Best"
    fanned = {n.target_id: n.score for n in fan_out(best) + fan_out(half)}
    for match in recommended[:2]:
        assert match.score == fanned[match.placement_id]
    assert set(recommended[0].reasons["skills"]) == {skills["blender"].pk, skills["unity"].pk}


def test_recommendations_only_for_students(studio_owner):
    assert matching.recommend_placements(studio_owner) == []


def test_recommendations_agree_with_the_fan_out_on_edge_cases(studio, skills, games, settings):
    """Every pair scores and explains the same both ways: no skills, only nice-to-have skills,
    a skill both required and nice, no sector or location, graduate roles, levels, institutions.
    The live scorer, the stored recommendations the fan-out writes, and the notifications agree."""
    settings.MATCHING_NOTIFY_MIN_SCORE = 0
    settings.MATCHING_RECOMMEND_MIN_SCORE = 0
    other_uni = OrganisationFactory(kind="institution", name="Elsewhere", slug="elsewhere")
    people = [
        student("none@x.example", [], location=""),
        student(
            "one@x.example", [skills["blender"]], sectors=[games], location="manchester ",
            expected_graduation=datetime.date(2027, 1, 1),
        ),
        student(
            "post@x.example", [skills["blender"], skills["unity"], skills["nuke"]],
            location="Leeds", level="postgraduate", expected_graduation=datetime.date(2029, 1, 1),
        ),
        student(
            "nolevel@x.example", [skills["houdini"], skills["c-sharp"]], location="", level="",
            institution=other_uni,
        ),
        student(
            "elsewhere@x.example", [skills["unity"]], sectors=[games], institution=other_uni,
            expected_graduation=datetime.date(2026, 1, 1),
        ),
    ]  # fmt: skip
    for number in range(7):
        student(f"crowd{number}@x.example", [skills["blender"], skills["unity"]][: number % 3])
    refresh_skill_weights()
    placements = [
        placement(studio, title="No skills"),
        placement(studio, nice=[skills["blender"], skills["nuke"]], title="Nice only"),
        placement(
            studio, [skills["blender"]], [skills["blender"], skills["unity"]], sector=games,
            title="Required and nice",
        ),
        placement(
            studio, [skills["unity"], skills["houdini"], skills["nuke"]], location="",
            mode="hybrid", title="No sector, no location",
        ),
        placement(
            studio, [skills["blender"]], kind=PlacementKind.GRADUATE_ROLE, mode="hybrid",
            start_date=datetime.date(2027, 6, 1), location="Leeds", title="Graduate role",
        ),
        placement(
            studio, [skills["blender"]], eligible_levels=["postgraduate"],
            start_date=datetime.date(2028, 1, 1), title="Postgraduates",
        ),
        placement(studio, [skills["unity"]], mode="remote", title="One institution"),
        placement(
            studio, list(skills.values()), [skills["level-design"]], title="Every skill",
        ),
    ]  # fmt: skip
    placements[6].eligible_institutions.set([other_uni])
    mine = {person.pk for person in people}
    fanned = {
        (n.recipient_id, n.target_id): (n.score, matching.parse_reasons(n.reasons))
        for target in placements
        for n in fan_out(target)
        if n.recipient_id in mine
    }
    recommended = {
        (person.pk, m.placement_id): (m.score, m.reasons)
        for person in people
        for m in matching.recommend_placements(person, limit=100)
    }
    live = {
        (person.pk, m.placement_id): (m.score, m.reasons)
        for person in people
        for m in matching.score_open_placements(person.profile, limit=100)
    }
    assert set(fanned) == set(recommended) == set(live)
    assert {pair: value[0] for pair, value in live.items()} == {
        pair: value[0] for pair, value in recommended.items()
    }
    for pair, (score, reasons) in fanned.items():
        assert recommended[pair][0] == score, pair
        for part in ("skills", "wanted", "sector", "place", "dates"):
            assert recommended[pair][1][part] == reasons[part], (pair, part)
    nolevel, elsewhere = people[3].pk, people[4].pk
    assert (nolevel, placements[5].pk) not in fanned  # no level: not eligible for postgrads
    assert (elsewhere, placements[6].pk) in fanned
    assert (people[1].pk, placements[6].pk) not in fanned  # another institution's students
