"""Who may do what with success stories.

Curators are platform admins. The *sides* of a story are its linked organisations: their members
see it before publication and approve its text; nobody else sees an unpublished story.
"""

from partnerships.organisations.models import Organisation
from partnerships.organisations.permissions import can_act_for, is_platform_admin, membership_of

from .models import Story, TestimonialRequest


def is_curator(user) -> bool:
    return is_platform_admin(user)


def is_side_member(user, story: Story) -> bool:
    return any(membership_of(user, org) is not None for org in story.organisations.all())


def can_view_story(user, story: Story) -> bool:
    return story.is_published or is_curator(user) or is_side_member(user, story)


def can_read_for_review(user, story: Story) -> bool:
    """The review page (the text as it stands, before publication) is for the sides and
    curators only, whatever the story's status."""
    return is_curator(user) or is_side_member(user, story)


def can_curate(user, story: Story | None = None) -> bool:
    return is_curator(user)


def can_nominate(user) -> bool:
    return bool(user.is_authenticated)


def approving_organisations(user, story: Story) -> list[Organisation]:
    """The linked organisations this person may approve the text for."""
    return [org for org in story.organisations.all() if can_act_for(user, org)]


def can_approve(user, story: Story, organisation: Organisation) -> bool:
    return organisation in story.organisations.all() and can_act_for(user, organisation)


def can_answer_testimonial(user, request: TestimonialRequest) -> bool:
    """Members of the side asked (of a verified organisation) answer for it."""
    return can_act_for(user, request.organisation)


def can_consent_to_quote(user, quote) -> bool:
    """The person quoted consents for themselves; a quote of someone without an account has
    its consent recorded by a curator."""
    if not user.is_authenticated:
        return False
    if quote.user_id is not None:
        return quote.user_id == user.pk
    return is_curator(user)
