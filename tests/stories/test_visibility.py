"""An unpublished story is invisible to the public and to other organisations."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from partnerships.core.models import Sector
from partnerships.stories import selectors, services
from tests.placements.conftest import PlacementFactory

pytestmark = pytest.mark.django_db


def test_unpublished_story_is_hidden(in_review, other_owner, student, studio):
    for person in (AnonymousUser(), other_owner, student):
        with pytest.raises(Http404):
            selectors.visible_story(person, in_review.pk)
    assert list(selectors.public_stories()) == []
    assert list(selectors.organisation_stories(studio)) == []
    assert list(selectors.organisation_stories(studio, other_owner)) == []
    assert in_review not in selectors.visible_stories(other_owner)


def test_sides_and_curators_see_it(in_review, lecturer, studio_owner, platform_admin, studio):
    for person in (lecturer, studio_owner, platform_admin):
        assert selectors.visible_story(person, in_review.pk) == in_review
        assert in_review in selectors.visible_stories(person)
    assert list(selectors.organisation_stories(studio, studio_owner)) == [in_review]
    assert list(selectors.awaiting_my_approval(studio_owner)) == [in_review]
    assert in_review in selectors.curation_queue(platform_admin)
    assert not selectors.curation_queue(studio_owner).exists()


def test_published_story_is_public(approved, platform_admin, other_owner, studio):
    services.publish(actor=platform_admin, story=approved)
    assert selectors.visible_story(AnonymousUser(), approved.pk) == approved
    assert selectors.visible_story(other_owner, approved.pk) == approved
    assert list(selectors.organisation_stories(studio)) == [approved]
    assert list(selectors.public_stories()) == [approved]


def test_archived_story_leaves_the_public(approved, platform_admin):
    services.publish(actor=platform_admin, story=approved)
    services.archive(actor=platform_admin, story=approved)
    assert list(selectors.public_stories()) == []
    with pytest.raises(Http404):
        selectors.visible_story(AnonymousUser(), approved.pk)


def _published(story, admin, *approvers):
    story = services.accept_nomination(actor=admin, story=story)
    story = services.edit_story(actor=admin, story=story, summary="S", body="B")
    story = services.send_for_review(actor=admin, story=story)
    for person in approvers:
        services.approve_text(actor=person, story=story)
    return services.publish(actor=admin, story=story)


def test_public_order_and_filters(
    approved, platform_admin, studio, studio_owner, other_studio, other_owner, student
):
    first = services.publish(actor=platform_admin, story=approved)
    placement = PlacementFactory(organisation=other_studio)
    second = _published(
        services.nominate(actor=student, collaboration=placement, title="Second"),
        platform_admin,
        other_owner,
    )
    third = _published(
        services.nominate(
            actor=student, collaboration=PlacementFactory(organisation=studio), title="Third"
        ),
        platform_admin,
        studio_owner,
    )
    # newest first, then featured ones ahead in their order
    assert list(selectors.public_stories()) == [third, second, first]
    services.feature(actor=platform_admin, story=first, order=2)
    services.feature(actor=platform_admin, story=second, order=1)
    assert list(selectors.public_stories()) == [second, first, third]

    assert list(selectors.public_stories(kind="partnership")) == [first]
    assert list(selectors.public_stories(kind="placement")) == [second, third]
    assert list(selectors.public_stories(kind="nonsense")) == []
    assert list(selectors.public_stories(institution="northbridge")) == [first]
    assert list(selectors.public_stories(partner="pixel-forge")) == [first, third]
    assert list(selectors.public_stories(partner="northbridge")) == []
    sector = Sector.objects.first()
    third.sectors.add(sector)
    assert list(selectors.public_stories(sector=sector.slug)) == [third]
