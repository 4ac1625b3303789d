"""Nomination → draft → in review → published → archived, and every move refused."""

import pytest
from django.db import IntegrityError, transaction

from partnerships.activity.models import DomainEvent
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.stories import services
from partnerships.stories.models import Story, StoryApproval, StoryStatus
from tests.events.conftest import EventFactory
from tests.placements.conftest import PlacementFactory

pytestmark = pytest.mark.django_db


def test_happy_path(approved, platform_admin, university, studio):
    story = services.publish(actor=platform_admin, story=approved)
    assert story.status == StoryStatus.PUBLISHED
    assert story.published_at is not None
    assert story.curator == platform_admin
    assert set(story.organisations.all()) == {university, studio}
    assert DomainEvent.objects.filter(name="story.published", target_id=story.pk).exists()
    story = services.feature(actor=platform_admin, story=story, featured=True, order=2)
    assert (story.featured, story.feature_order) == (True, 2)
    story = services.archive(actor=platform_admin, story=story)
    assert story.status == StoryStatus.ARCHIVED
    assert story.featured is False
    story = services.restore(actor=platform_admin, story=story)
    assert story.status == StoryStatus.DRAFT


def test_nomination_links_the_collaboration_and_its_sides(nominated, lecturer, partnership):
    assert nominated.status == StoryStatus.NOMINATED
    assert nominated.nominated_by == lecturer
    assert nominated.partnership == partnership
    assert nominated.kinds == ["partnership"]
    assert nominated.slug == "games-that-teach"


def test_slugs_stay_unique(partnership, studio_owner):
    first = services.nominate(actor=studio_owner, collaboration=partnership, title="Same")
    second = services.nominate(actor=studio_owner, collaboration=partnership, title="Same")
    assert (first.slug, second.slug) == ("same", "same-2")


def test_nominating_needs_sign_in_and_sight_of_the_collaboration(
    partnership, other_owner, student, studio, studio_owner
):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.nominate(actor=AnonymousUser(), collaboration=partnership, title="x")
    for outsider in (other_owner, student):  # a partnership is private to its sides
        with pytest.raises(PermissionDenied):
            services.nominate(actor=outsider, collaboration=partnership, title="x")
    draft_event = EventFactory(organisation=studio, status="draft")
    with pytest.raises(PermissionDenied):
        services.nominate(actor=other_owner, collaboration=draft_event, title="x")
    placement = PlacementFactory(organisation=studio)
    story = services.nominate(actor=student, collaboration=placement, title="Great intern")
    assert list(story.organisations.all()) == [studio]


def test_nominating_something_else_is_refused(student, studio):
    with pytest.raises(DomainError):
        services.nominate(actor=student, collaboration=studio, title="x")


def test_title_is_required(partnership, lecturer):
    with pytest.raises(DomainError) as error:
        services.nominate(actor=lecturer, collaboration=partnership, title="  ")
    assert error.value.field == "title"


@pytest.mark.parametrize(
    "move",
    [
        services.accept_nomination,
        services.send_for_review,
        services.publish,
        services.archive,
        services.return_to_draft,
    ],
)
def test_only_curators_move_stories(nominated, lecturer, studio_owner, student, move):
    for person in (lecturer, studio_owner, student):
        with pytest.raises(PermissionDenied):
            move(actor=person, story=nominated)


def test_only_curators_edit_and_feature(nominated, studio_owner):
    with pytest.raises(PermissionDenied):
        services.edit_story(actor=studio_owner, story=nominated, title="Mine now")
    with pytest.raises(PermissionDenied):
        services.feature(actor=studio_owner, story=nominated)


def test_refused_transitions(nominated, platform_admin):
    admin = platform_admin
    with pytest.raises(Conflict):  # nominated cannot skip the draft
        services.send_for_review(actor=admin, story=nominated)
    with pytest.raises(Conflict):
        services.publish(actor=admin, story=nominated)
    with pytest.raises(Conflict):
        services.restore(actor=admin, story=nominated)
    with pytest.raises(Conflict):
        services.return_to_draft(actor=admin, story=nominated)
    draft = services.accept_nomination(actor=admin, story=nominated)
    with pytest.raises(Conflict):
        services.accept_nomination(actor=admin, story=draft)
    with pytest.raises(Conflict):
        services.return_to_draft(actor=admin, story=draft)
    with pytest.raises(Conflict):  # a draft is reviewed before it is published
        services.publish(actor=admin, story=draft)
    with pytest.raises(Conflict):
        services.feature(actor=admin, story=draft)  # only published stories are featured
    review = services.send_for_review(actor=admin, story=draft)
    with pytest.raises(Conflict):
        services.send_for_review(actor=admin, story=review)
    back = services.return_to_draft(actor=admin, story=review)
    assert back.status == StoryStatus.DRAFT
    archived = services.archive(actor=admin, story=back)
    with pytest.raises(Conflict):
        services.archive(actor=admin, story=archived)
    with pytest.raises(Conflict):
        services.accept_nomination(actor=admin, story=archived)


def test_published_story_cannot_be_edited_or_sent_back(approved, platform_admin):
    story = services.publish(actor=platform_admin, story=approved)
    with pytest.raises(Conflict):
        services.edit_story(actor=platform_admin, story=story, body="Changed")
    with pytest.raises(Conflict):
        services.return_to_draft(actor=platform_admin, story=story)
    with pytest.raises(Conflict):
        services.publish(actor=platform_admin, story=story)
    with pytest.raises(Conflict):
        services.add_quote(actor=platform_admin, story=story, text="Hi", person_name="Sam")


def test_publish_needs_title_summary_and_body(nominated, platform_admin, lecturer, studio_owner):
    draft = services.accept_nomination(actor=platform_admin, story=nominated)
    story = services.send_for_review(actor=platform_admin, story=draft)
    services.approve_text(actor=lecturer, story=story)
    services.approve_text(actor=studio_owner, story=story)
    with pytest.raises(Conflict) as error:
        services.publish(actor=platform_admin, story=story)
    assert "summary" in error.value.message and "body" in error.value.message


def test_feature_order_cannot_be_negative(approved, platform_admin):
    story = services.publish(actor=platform_admin, story=approved)
    with pytest.raises(DomainError):
        services.feature(actor=platform_admin, story=story, order=-1)


def test_the_database_requires_a_collaboration(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Story.objects.create(title="Nothing", slug="nothing")


def test_approval_is_unique_per_story_and_organisation(approved, university):
    with pytest.raises(IntegrityError), transaction.atomic():
        StoryApproval.objects.create(story=approved, organisation=university)


def test_body_is_rendered_sanitised(nominated, platform_admin):
    story = services.accept_nomination(actor=platform_admin, story=nominated)
    story = services.edit_story(
        actor=platform_admin, story=story, body="**Bold** <script>alert(1)</script>"
    )
    html = story.body_html()
    assert "<strong>Bold</strong>" in html
    assert "<script>" not in html
