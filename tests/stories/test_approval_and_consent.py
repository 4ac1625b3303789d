"""Both organisations approve the text; quotes are published only with consent."""

import pytest

from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.organisations.models import MemberRole
from partnerships.organisations.permissions import forget_memberships
from partnerships.stories import services
from partnerships.stories.models import StoryStatus
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_both_organisations_must_approve(in_review, platform_admin, lecturer, studio_owner):
    services.approve_text(actor=lecturer, story=in_review)
    with pytest.raises(Conflict) as error:
        services.publish(actor=platform_admin, story=in_review)
    assert "Pixel Forge" in error.value.message
    services.approve_text(actor=studio_owner, story=in_review)
    assert services.publish(actor=platform_admin, story=in_review).status == StoryStatus.PUBLISHED


def test_approving_twice_is_harmless(in_review, lecturer):
    first = services.approve_text(actor=lecturer, story=in_review)
    assert services.approve_text(actor=lecturer, story=in_review) == first


def test_outsiders_cannot_approve(in_review, other_owner, student, platform_admin, university):
    for person in (other_owner, student, platform_admin):
        with pytest.raises(PermissionDenied):
            services.approve_text(actor=person, story=in_review)
    with pytest.raises(PermissionDenied):
        services.approve_text(actor=other_owner, story=in_review, organisation=university)


def test_approval_only_in_review(nominated, platform_admin, lecturer):
    with pytest.raises(Conflict):
        services.approve_text(actor=lecturer, story=nominated)
    draft = services.accept_nomination(actor=platform_admin, story=nominated)
    with pytest.raises(Conflict):
        services.approve_text(actor=lecturer, story=draft)


def test_member_of_both_sides_chooses(in_review, lecturer, studio, university):
    MembershipFactory(organisation=studio, user=lecturer, role=MemberRole.MEMBER)
    forget_memberships(lecturer)
    with pytest.raises(DomainError):
        services.approve_text(actor=lecturer, story=in_review)
    approval = services.approve_text(actor=lecturer, story=in_review, organisation=studio)
    assert approval.organisation == studio


def test_editing_the_text_withdraws_approvals(approved, platform_admin):
    services.edit_story(actor=platform_admin, story=approved, body="A new ending.")
    assert not approved.approvals.exists()
    with pytest.raises(Conflict):
        services.publish(actor=platform_admin, story=approved)


def test_editing_only_sectors_keeps_approvals(approved, platform_admin):
    from partnerships.core.models import Sector

    services.edit_story(actor=platform_admin, story=approved, sectors=Sector.objects.all()[:1])
    assert approved.approvals.count() == 2


def test_quote_without_consent_blocks_publication(approved, platform_admin, student):
    services.add_quote(
        actor=platform_admin,
        story=approved,
        text="Best term ever.",
        person_name="Sam",
        user=student,
    )
    # adding a quote changes the text: the sides approve again
    with pytest.raises(Conflict) as error:
        services.publish(actor=platform_admin, story=approved)
    assert "consent" in error.value.message


def test_only_the_person_quoted_consents(approved, platform_admin, student, lecturer):
    quote = services.add_quote(
        actor=platform_admin,
        story=approved,
        text="Best term ever.",
        person_name="Sam",
        user=student,
    )
    for person in (platform_admin, lecturer):
        with pytest.raises(PermissionDenied):
            services.give_quote_consent(actor=person, quote=quote)
    quote = services.give_quote_consent(actor=student, quote=quote)
    assert quote.consent_by == student and quote.consent_given_at is not None


def test_curator_records_consent_for_someone_without_an_account(
    in_review, platform_admin, lecturer
):
    quote = services.add_quote(
        actor=platform_admin, story=in_review, text="Lovely.", person_name="A visitor"
    )
    with pytest.raises(PermissionDenied):
        services.give_quote_consent(actor=lecturer, quote=quote)
    services.give_quote_consent(actor=platform_admin, quote=quote)


def test_consented_quote_allows_publication(
    in_review, platform_admin, student, lecturer, studio_owner
):
    quote = services.add_quote(
        actor=platform_admin,
        story=in_review,
        text="Best term ever.",
        person_name="Sam",
        user=student,
    )
    services.give_quote_consent(actor=student, quote=quote)
    services.approve_text(actor=lecturer, story=in_review)
    services.approve_text(actor=studio_owner, story=in_review)
    assert services.publish(actor=platform_admin, story=in_review).is_published


def test_changing_a_quote_withdraws_its_consent(in_review, platform_admin, student):
    quote = services.add_quote(
        actor=platform_admin, story=in_review, text="Good.", person_name="Sam", user=student
    )
    services.give_quote_consent(actor=student, quote=quote)
    quote = services.edit_quote(actor=platform_admin, quote=quote, text="Great.")
    assert quote.consent_given_at is None


def test_withdrawn_consent_hides_the_quote(approved, platform_admin, student):
    from partnerships.stories.selectors import publishable_quotes

    quote = services.add_quote(
        actor=platform_admin, story=approved, text="Good.", person_name="Sam", user=student
    )
    services.give_quote_consent(actor=student, quote=quote)
    assert list(publishable_quotes(approved)) == [quote]
    services.withdraw_quote_consent(actor=student, quote=quote)
    assert list(publishable_quotes(approved)) == []


def test_outcome_figures(nominated, platform_admin, studio_owner):
    figure = services.add_figure(
        actor=platform_admin, story=nominated, metric="hires", value="3", unit="graduates"
    )
    assert str(figure.value) == "3.00"
    with pytest.raises(DomainError):
        services.add_figure(actor=platform_admin, story=nominated, metric="hires", value="-1")
    with pytest.raises(DomainError):
        services.add_figure(actor=platform_admin, story=nominated, metric="other", value="1")
    with pytest.raises(DomainError):
        services.add_figure(actor=platform_admin, story=nominated, metric="vibes", value="1")
    with pytest.raises(PermissionDenied):
        services.add_figure(actor=studio_owner, story=nominated, metric="hires", value="1")
