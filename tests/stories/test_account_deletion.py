"""When someone deletes their account, stories stop quoting them but stay published.

Ada curates "Games that teach" (Northbridge × Pixel Forge), nominated by Lena, with a quote of
Sam he consented to; Mia answered a testimonial request for Pixel Forge.
"""

import pytest
from django.urls import reverse

from accounts import erasure
from partnerships.organisations.models import MemberRole
from partnerships.projects.models import Partnership
from partnerships.stories import services
from partnerships.stories.models import Story, StoryQuote, StoryStatus, TestimonialRequest
from tests.factories import MembershipFactory, UserFactory
from tests.placements.conftest import PlacementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_with_sams_quote(in_review, platform_admin, student, lecturer, studio_owner):
    quote = services.add_quote(
        actor=platform_admin,
        story=in_review,
        text="The best term of my degree.",
        person_name="Sam",
        user=student,
    )
    services.give_quote_consent(actor=student, quote=quote)
    services.approve_text(actor=lecturer, story=in_review)
    services.approve_text(actor=studio_owner, story=in_review)
    return services.publish(actor=platform_admin, story=in_review)


def delete(person, capture) -> None:
    with capture(execute=True):
        erasure.account_delete(actor=person, user=person, confirm_email=person.email)


def test_a_published_story_no_longer_shows_their_quote(
    client, published_with_sams_quote, student, django_capture_on_commit_callbacks
):
    story = published_with_sams_quote
    url = reverse("stories:detail", args=[story.slug])
    assert "The best term of my degree." in client.get(url).content.decode()

    delete(student, django_capture_on_commit_callbacks)

    page = client.get(url)
    assert page.status_code == 200
    assert "The best term of my degree." not in page.content.decode()
    assert not StoryQuote.objects.filter(story=story).exists()  # nobody can re-consent for him
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED


def test_stories_and_partnerships_they_started_stay(
    nominated, partnership, lecturer, university, django_capture_on_commit_callbacks
):
    MembershipFactory(organisation=university, user=UserFactory(), role=MemberRole.OWNER)
    partnerships_before = Partnership.objects.count()
    delete(lecturer, django_capture_on_commit_callbacks)
    story = Story.objects.get(pk=nominated.pk)
    assert story.nominated_by_id is None and story.title == "Games that teach"
    assert Partnership.objects.count() == partnerships_before
    assert Partnership.objects.get(pk=partnership.pk).proposed_by_id is None


def test_a_testimonial_they_gave_for_an_organisation_is_no_longer_consent(
    nominated, studio, studio_member, django_capture_on_commit_callbacks
):
    asked = TestimonialRequest.objects.create(
        story=nominated, organisation=studio, placement=PlacementFactory(organisation=studio)
    )
    services.submit_testimonial(
        actor=studio_member, request=asked, text="Our best intake yet.", consent_to_publish=True
    )
    assert StoryQuote.objects.filter(user=studio_member, story=nominated).exists()

    delete(studio_member, django_capture_on_commit_callbacks)

    asked.refresh_from_db()
    assert asked.text == "Our best intake yet."  # the organisation's answer stays
    assert asked.consent_to_publish is False and asked.submitted_by_id is None
    assert not StoryQuote.objects.filter(story=nominated, text="Our best intake yet.").exists()
