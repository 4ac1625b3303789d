"""Stored recommendations: written by the fan-out, refreshed on profile and placement changes,
read in one indexed query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import profile_update
from partnerships.core.models import Skill
from partnerships.matching import placements as matching
from partnerships.matching.models import PlacementRecommendation
from partnerships.matching.services import prune_recommendations, refresh_skill_weights
from partnerships.notifications.models import Notification, NotificationPreference
from partnerships.placements import services as placement_services
from partnerships.placements.models import PlacementStatus

from .test_placement_matching import fan_out, placement, student

pytestmark = pytest.mark.django_db


@pytest.fixture
def skills():
    return {s.slug: s for s in Skill.objects.filter(slug__in=["blender", "unity", "houdini"])}


def stored(person) -> dict[int, int]:
    return dict(
        PlacementRecommendation.objects.filter(student=person).values_list("placement_id", "score")
    )


def test_the_fan_out_stores_recommendations_even_for_people_who_muted_emails(studio, skills):
    keen = student("keen@uni.example", [skills["blender"], skills["unity"]])
    muted = student("muted@uni.example", [skills["blender"], skills["unity"]])
    weak = student("weak@uni.example", [skills["houdini"]], location="Leeds")
    NotificationPreference.objects.create(user=muted, type="placement_match", frequency="off")
    refresh_skill_weights()
    target = placement(studio, [skills["blender"], skills["unity"]])
    notified = {n.recipient for n in fan_out(target)}
    assert notified == {keen}
    assert stored(keen) == stored(muted)
    assert list(stored(keen)) == [target.pk]
    assert stored(weak) == {}  # below MATCHING_RECOMMEND_MIN_SCORE


def test_reading_is_one_query_and_skips_closed_placements(studio, skills):
    person = student("me@uni.example", [skills["blender"], skills["unity"]])
    refresh_skill_weights()
    open_one = placement(studio, [skills["blender"], skills["unity"]], title="Open")
    closing = placement(studio, [skills["blender"]], title="Closing")
    fan_out(open_one)
    fan_out(closing)
    closing.status = PlacementStatus.CLOSED
    closing.save()
    with CaptureQueriesContext(connection) as captured:
        matches = matching.recommend_placements(person)
    assert [m.placement_id for m in matches] == [open_one.pk]
    assert len(captured) == 1
    assert prune_recommendations() == 1
    assert list(stored(person)) == [open_one.pk]


def test_first_read_without_stored_rows_computes_and_stores_them(studio, skills):
    target = placement(studio, [skills["blender"]])
    person = student("new@uni.example", [skills["blender"]])  # joined after the fan-out
    refresh_skill_weights()
    assert [m.placement_id for m in matching.recommend_placements(person)] == [target.pk]
    assert target.pk in stored(person)


def test_a_profile_change_recomputes_the_students_recommendations(
    studio, skills, django_capture_on_commit_callbacks
):
    person = student("learner@uni.example", [skills["blender"]])
    refresh_skill_weights()
    target = placement(studio, [skills["blender"], skills["houdini"]])
    matching.refresh_recommendations(person)
    before = stored(person)[target.pk]
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(
            actor=person,
            profile=person.profile,
            skills=[skills["blender"], skills["houdini"]],
        )
    assert stored(person)[target.pk] > before


def test_editing_an_open_placement_rescores_without_notifying_again(
    studio, studio_owner, skills, django_capture_on_commit_callbacks
):
    person = student("fit@uni.example", [skills["houdini"]])
    refresh_skill_weights()
    target = placement(studio, [skills["blender"]], contact=studio_owner)
    fan_out(target)
    assert stored(person) == {}
    with django_capture_on_commit_callbacks(execute=True):
        placement_services.placement_update(
            actor=studio_owner, placement=target, required_skills=[skills["houdini"]]
        )
    assert list(stored(person)) == [target.pk]
    assert not Notification.objects.filter(recipient=person).exists()


def test_a_placement_past_its_deadline_is_not_recommended(studio, skills):
    person = student("late@uni.example", [skills["blender"]])
    refresh_skill_weights()
    target = placement(studio, [skills["blender"]])
    fan_out(target)
    later = timezone.now() + datetime.timedelta(days=30)
    assert matching.recommend_placements(person, now=later) == []


def test_weak_matches_are_not_recommended_and_not_rescored_on_every_page(studio, skills):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = student("far@uni.example", [skills["houdini"]], location="Leeds")
    refresh_skill_weights()
    placement(studio, [skills["blender"], skills["unity"]])
    assert matching.recommend_placements(person) == []  # computed once, nothing good enough
    with CaptureQueriesContext(connection) as captured:
        assert matching.recommend_placements(person) == []
    assert len(captured) == 1  # the read only; the live scoring is not repeated
