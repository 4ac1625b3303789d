"""A completed project or placement asks both sides for a testimonial, once."""

from decimal import Decimal

import pytest

from partnerships.activity.models import DomainEvent
from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.notifications import outbox
from partnerships.placements.models import ApplicationStatus
from partnerships.stories import services
from partnerships.stories.models import Story, StorySource, StoryStatus, TestimonialRequest
from tests.placements.conftest import ApplicationFactory, PlacementFactory

pytestmark = pytest.mark.django_db


def _dispatch_all(name):
    for event in DomainEvent.objects.filter(name=name):
        outbox.dispatch(event.pk)


def test_completed_project_makes_one_draft_and_asks_both_sides(
    completed_call, studio, university, studio_owner
):
    _dispatch_all("opportunity.completed")
    _dispatch_all("opportunity.completed")  # dispatching again does nothing
    # the same domain event recorded twice (a retry) still makes one story
    record_event("opportunity.completed", target=completed_call, organisation=studio)
    _dispatch_all("opportunity.completed")
    story = Story.objects.get()
    assert story.source == StorySource.COMPLETION
    assert story.status == StoryStatus.NOMINATED
    assert story.opportunity == completed_call
    assert story.title == completed_call.title
    assert set(story.organisations.all()) == {studio, university}
    requests = TestimonialRequest.objects.filter(story=story)
    assert {r.organisation for r in requests} == {studio, university}
    assert all(r.opportunity == completed_call for r in requests)
    assert DomainEvent.objects.filter(name="story.testimonials_requested").count() == 1


def test_calling_the_service_twice_is_idempotent(completed_call):
    first = services.request_testimonials_for_completion(completed_call)
    second = services.request_testimonials_for_completion(completed_call)
    assert first == second
    assert Story.objects.count() == 1
    assert TestimonialRequest.objects.count() == 2


def test_a_members_nomination_does_not_stop_the_prompt(completed_call, studio_owner):
    services.nominate(actor=studio_owner, collaboration=completed_call, title="Ours")
    services.request_testimonials_for_completion(completed_call)
    assert Story.objects.filter(source=StorySource.COMPLETION).count() == 1


@pytest.fixture
def completed_application(studio, studio_owner, student, university):
    placement = PlacementFactory(organisation=studio, created_by=studio_owner)
    application = ApplicationFactory(
        placement=placement,
        student=student,
        institution=university,
        status=ApplicationStatus.COMPLETED,
    )
    return application


def test_completed_placement_prompts_once(completed_application, studio, university):
    for _ in range(2):
        event = record_event(
            "placement.completed",
            target=completed_application,
            organisation=studio,
            placement_id=completed_application.placement_id,
        )
        outbox.dispatch(event.pk)
    story = Story.objects.get()
    assert story.placement == completed_application.placement
    assert set(story.organisations.all()) == {studio, university}
    assert TestimonialRequest.objects.filter(story=story).count() == 2


def test_second_institution_is_added_to_the_same_story(completed_application, studio, university):
    from tests.factories import OrganisationFactory
    from tests.placements.conftest import ApplicationFactory as Factory

    services.request_testimonials_for_completion(completed_application)
    southgate = OrganisationFactory(kind="institution", slug="southgate")
    other = Factory(
        placement=completed_application.placement,
        institution=southgate,
        status=ApplicationStatus.COMPLETED,
    )
    services.request_testimonials_for_completion(other)
    story = Story.objects.get()
    assert set(story.organisations.all()) == {studio, university, southgate}
    assert TestimonialRequest.objects.count() == 3


def test_a_failing_prompt_does_not_block_the_outbox(completed_call, monkeypatch):
    def broken(collaboration):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "request_testimonials_for_completion", broken)
    _dispatch_all("opportunity.completed")
    event = DomainEvent.objects.get(name="opportunity.completed")
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert not Story.objects.exists()


def test_only_projects_and_placements_prompt(partnership):
    with pytest.raises(DomainError):
        services.request_testimonials_for_completion(partnership)


# --- answering ---------------------------------------------------------------------------------


@pytest.fixture
def prompt(completed_call):
    return services.request_testimonials_for_completion(completed_call)


def _request_for(story, organisation):
    return TestimonialRequest.objects.get(story=story, organisation=organisation)


def test_side_member_answers(prompt, studio, studio_owner):
    request = services.submit_testimonial(
        actor=studio_owner,
        request=_request_for(prompt, studio),
        text="The students surprised us.",
        figures={"hires": 2, "funding": "15000.50", "students_involved": ""},
        consent_to_publish=True,
        person_role="Creative director",
    )
    assert request.is_submitted and request.submitted_by == studio_owner
    assert request.figures == {"hires": "2.00", "funding": "15000.50"}
    quote = prompt.quotes.get()
    assert quote.user == studio_owner and quote.has_consent
    assert quote.person_role == "Creative director"
    assert {(f.metric, f.value) for f in prompt.figures.all()} == {
        ("hires", Decimal("2.00")),
        ("funding", Decimal("15000.50")),
    }


def test_answer_without_consent_keeps_the_quote_unpublishable(prompt, university, lecturer):
    services.submit_testimonial(
        actor=lecturer,
        request=_request_for(prompt, university),
        text="Great partners.",
        consent_to_publish=False,
    )
    assert not prompt.quotes.get().has_consent


def test_only_members_of_that_side_answer(
    prompt, studio, university, lecturer, other_owner, platform_admin, student
):
    request = _request_for(prompt, studio)
    for person in (lecturer, other_owner, platform_admin, student):
        with pytest.raises(PermissionDenied):
            services.submit_testimonial(
                actor=person, request=request, text="Hi", consent_to_publish=True
            )


def test_answering_twice_is_refused(prompt, studio, studio_owner):
    request = _request_for(prompt, studio)
    services.submit_testimonial(
        actor=studio_owner, request=request, text="Hi", consent_to_publish=True
    )
    with pytest.raises(Conflict):
        services.submit_testimonial(
            actor=studio_owner, request=request, text="Again", consent_to_publish=True
        )


def test_answers_are_checked(prompt, studio, studio_owner):
    request = _request_for(prompt, studio)
    for figures in ({"hires": -1}, {"vibes": 3}, {"hires": "lots"}, {"hires": "NaN"}):
        with pytest.raises(DomainError):
            services.submit_testimonial(
                actor=studio_owner,
                request=request,
                text="Hi",
                figures=figures,
                consent_to_publish=True,
            )
    with pytest.raises(DomainError):
        services.submit_testimonial(
            actor=studio_owner, request=request, text="", consent_to_publish=True
        )
    request.refresh_from_db()
    assert not request.is_submitted


def test_archived_story_takes_no_answers(prompt, studio, studio_owner, platform_admin):
    services.archive(actor=platform_admin, story=prompt)
    with pytest.raises(Conflict):
        services.submit_testimonial(
            actor=studio_owner,
            request=_request_for(prompt, studio),
            text="Hi",
            consent_to_publish=True,
        )
