"""Calls, proposals and partnerships through their services: every move, valid and invalid."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partnerships.activity.models import DomainEvent
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.projects import services
from partnerships.projects.models import Opportunity, Partnership, Proposal
from tests.factories import MembershipFactory

from .conftest import LIVE_BRIEF, future

pytestmark = pytest.mark.django_db


def test_lecturer_posts_and_publishes_a_live_brief(lecturer, university, make_call):
    call = make_call(lecturer, university, publish=False)
    assert call.status == "draft"
    assert call.contact == lecturer
    call = services.opportunity_publish(actor=lecturer, opportunity=call)
    assert call.status == "open"
    event = DomainEvent.objects.get(name="opportunity.published")
    assert (event.target_type, event.target_id) == ("projects.opportunity", call.pk)
    assert [t.to_status for t in call.transitions.all()] == ["draft", "open"]


@pytest.mark.parametrize("missing", ["ip_ownership", "student_credit", "deliverables"])
def test_live_brief_must_state_its_terms(lecturer, university, make_call, missing):
    with pytest.raises(DomainError) as excinfo:
        make_call(lecturer, university, **{missing: "  "})
    assert excinfo.value.field == missing
    assert not Opportunity.objects.exists()


def test_paid_brief_must_say_how_much(lecturer, university, make_call):
    with pytest.raises(DomainError, match="how much"):
        make_call(lecturer, university, payment_details="")


def test_other_kinds_need_no_terms(lecturer, university, make_call):
    call = make_call(
        lecturer, university, kind="guest_lecture", ip_ownership="", student_credit="",
        deliverables="", is_paid=False, payment_details="",
    )  # fmt: skip
    assert call.status == "open"


def test_only_verified_members_post(studio_owner, university, pending_owner, pending_studio):
    with pytest.raises(PermissionDenied):
        services.opportunity_create(
            actor=studio_owner, organisation=university, deadline=future(), **LIVE_BRIEF
        )
    with pytest.raises(PermissionDenied):
        services.opportunity_create(
            actor=pending_owner, organisation=pending_studio, deadline=future(), **LIVE_BRIEF
        )


def test_publishing_needs_a_future_deadline(lecturer, university, make_call):
    call = make_call(lecturer, university, publish=False, deadline=timezone.now() - timedelta(1))
    with pytest.raises(DomainError, match="deadline"):
        services.opportunity_publish(actor=lecturer, opportunity=call)
    call.refresh_from_db()
    assert call.status == "draft"


@pytest.mark.parametrize(
    ("steps", "bad_step"),
    [
        ([], "opportunity_start"),
        ([], "opportunity_complete"),
        (["opportunity_close"], "opportunity_close"),
        (["opportunity_cancel"], "opportunity_reopen"),
        (["opportunity_cancel"], "opportunity_publish"),
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(
    lecturer, university, make_call, steps, bad_step
):
    call = make_call(lecturer, university)
    for step in steps:
        call = getattr(services, step)(actor=lecturer, opportunity=call)
    before = Opportunity.objects.get(pk=call.pk).status
    with pytest.raises(Conflict, match="cannot become"):
        getattr(services, bad_step)(actor=lecturer, opportunity=call)
    assert Opportunity.objects.get(pk=call.pk).status == before


def test_a_studio_cannot_change_a_universitys_call(lecturer, university, studio_owner, make_call):
    call = make_call(lecturer, university)
    with pytest.raises(PermissionDenied):
        services.opportunity_cancel(actor=studio_owner, opportunity=call)
    with pytest.raises(PermissionDenied):
        services.opportunity_update(actor=studio_owner, opportunity=call, title="Hijacked")
    call.refresh_from_db()
    assert (call.status, call.title) == ("open", LIVE_BRIEF["title"])


def test_full_journey_to_a_partnership(
    lecturer, university, studio, studio_owner, other_studio, other_owner, make_call, propose,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    call = make_call(lecturer, university)
    with django_capture_on_commit_callbacks(execute=True):
        ours = propose(studio_owner, call, studio)
    assert mail.outbox[-1].to == [lecturer.email]
    theirs = propose(other_owner, call, other_studio)

    services.proposal_shortlist(actor=lecturer, proposal=ours, message="Love the workshops.")
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_accept(actor=lecturer, proposal=ours)

    ours.refresh_from_db()
    theirs.refresh_from_db()
    call.refresh_from_db()
    assert ours.status == "accepted"
    assert theirs.status == "declined"
    assert "chosen another partner" in theirs.message_to_proposer
    assert call.status == "agreed"
    partnership = call.partnership
    assert (partnership.institution, partnership.industry_partner) == (university, studio)
    assert partnership.status == "active"
    assert lecturer in partnership.institution_contacts.all()
    assert studio_owner in partnership.industry_contacts.all()
    recipients = [m.to for m in mail.outbox]
    assert [studio_owner.email] in recipients and [other_owner.email] in recipients

    services.opportunity_start(actor=lecturer, opportunity=call)
    services.opportunity_complete(actor=lecturer, opportunity=call)
    call.refresh_from_db()
    assert call.status == "completed"


def test_accepting_links_an_existing_partnership(
    lecturer, university, studio, studio_owner, make_call, propose
):
    existing = services.partnership_propose(
        actor=studio_owner, from_organisation=studio, to_organisation=university, title="Ongoing"
    )
    call = make_call(lecturer, university)
    services.proposal_accept(actor=lecturer, proposal=propose(studio_owner, call, studio))
    call.refresh_from_db()
    assert call.partnership == existing
    existing.refresh_from_db()
    assert existing.status == "active"
    assert Partnership.objects.count() == 1


def test_proposal_rules(
    lecturer, university, studio, studio_owner, studio_member, make_call, propose
):
    call = make_call(lecturer, university)
    propose(studio_owner, call, studio)
    with pytest.raises(Conflict, match="already has a live proposal"):
        propose(studio_member, call, studio)
    with pytest.raises(DomainError, match="industry partners"):
        propose(lecturer, call, university)
    with pytest.raises(DomainError):
        propose(studio_owner, make_call(lecturer, university, title="Second"), studio, approach=" ")


def test_no_proposals_after_the_deadline_or_when_closed(
    lecturer, university, studio, studio_owner, make_call, propose
):
    call = make_call(lecturer, university)
    Opportunity.objects.filter(pk=call.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(Conflict, match="not taking proposals"):
        propose(studio_owner, call, studio)
    second = make_call(lecturer, university, title="Closed early")
    services.opportunity_close(actor=lecturer, opportunity=second)
    with pytest.raises(Conflict):
        propose(studio_owner, second, studio)
    assert not Proposal.objects.exists()


def test_withdrawn_proposal_can_be_replaced(
    lecturer, university, studio, studio_owner, make_call, propose
):
    call = make_call(lecturer, university)
    first = propose(studio_owner, call, studio)
    with pytest.raises(PermissionDenied):
        services.proposal_withdraw(actor=lecturer, proposal=first)
    services.proposal_withdraw(actor=studio_owner, proposal=first)
    with pytest.raises(Conflict, match="cannot become"):
        services.proposal_shortlist(actor=lecturer, proposal=first)
    second = propose(studio_owner, call, studio)
    assert second.status == "new"


def test_proposers_cannot_decide_and_declined_cannot_be_accepted(
    lecturer, university, studio, studio_owner, make_call, propose
):
    call = make_call(lecturer, university)
    proposal = propose(studio_owner, call, studio)
    with pytest.raises(PermissionDenied):
        services.proposal_accept(actor=studio_owner, proposal=proposal)
    services.proposal_decline(actor=lecturer, proposal=proposal, message="Not this time.")
    with pytest.raises(Conflict):
        services.proposal_accept(actor=lecturer, proposal=proposal)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.message_to_proposer) == ("declined", "Not this time.")


def test_studio_posts_a_challenge_and_universities_answer(
    studio, studio_owner, university, lecturer, make_call, propose
):
    call = make_call(studio_owner, studio, kind="research", title="Procedural cities research")
    proposal = propose(lecturer, call, university)
    services.proposal_accept(actor=studio_owner, proposal=proposal)
    call.refresh_from_db()
    assert call.partnership.institution == university


def test_deadline_closes_calls_and_tells_owners(
    lecturer, university, studio, studio_owner, make_call, propose,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with_proposal = make_call(lecturer, university, title="With a proposal")
    propose(studio_owner, with_proposal, studio)
    without = make_call(lecturer, university, title="Nobody answered")
    still_open = make_call(lecturer, university, title="Still open")
    past = timezone.now() - timedelta(minutes=5)
    Opportunity.objects.filter(pk__in=[with_proposal.pk, without.pk]).update(deadline=past)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.opportunities_close_expired() == 2
    assert services.opportunities_close_expired() == 0
    statuses = dict(Opportunity.objects.values_list("title", "status"))
    assert statuses == {
        "With a proposal": "reviewing",
        "Nobody answered": "expired",
        "Still open": "open",
    }
    assert len(mail.outbox) == 2
    assert still_open.pk


def test_unanswered_proposals_nudge_owners_once(
    lecturer, university, studio, studio_owner, make_call, propose,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    call = make_call(lecturer, university)
    proposal = propose(studio_owner, call, studio)
    Proposal.objects.filter(pk=proposal.pk).update(created_at=timezone.now() - timedelta(days=8))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.proposals_nudge_owners(days=7) == 1
        assert services.proposals_nudge_owners(days=7) == 0
    assert [m.to for m in mail.outbox] == [[lecturer.email]]


def test_direct_partnership_proposal_and_confirmation(
    studio, studio_owner, university, lecturer, other_owner
):
    partnership = services.partnership_propose(
        actor=studio_owner, from_organisation=studio, to_organisation=university,
        title="Games research lab",
    )  # fmt: skip
    assert partnership.status == "proposed"
    with pytest.raises(PermissionDenied):
        services.partnership_confirm(actor=studio_owner, partnership=partnership)
    with pytest.raises(PermissionDenied):
        services.partnership_confirm(actor=other_owner, partnership=partnership)
    services.partnership_confirm(actor=lecturer, partnership=partnership)
    partnership.refresh_from_db()
    assert partnership.status == "active"
    with pytest.raises(Conflict):
        services.partnership_propose(
            actor=studio_owner, from_organisation=studio, to_organisation=university, title="Again"
        )
    services.partnership_set_status(actor=lecturer, partnership=partnership, status="paused")
    with pytest.raises(Conflict, match="cannot become"):
        services.partnership_set_status(actor=lecturer, partnership=partnership, status="proposed")
    services.partnership_set_status(actor=studio_owner, partnership=partnership, status="ended")
    partnership.refresh_from_db()
    assert partnership.status == "ended"
    assert partnership.end_date is not None


def test_partnership_dates_and_sides(studio, studio_owner, university, other_studio):
    with pytest.raises(DomainError, match="end date"):
        services.partnership_propose(
            actor=studio_owner, from_organisation=studio, to_organisation=university, title="X",
            start_date=timezone.localdate(), end_date=timezone.localdate() - timedelta(1),
        )  # fmt: skip
    with pytest.raises(DomainError, match="institution with an industry"):
        services.partnership_propose(
            actor=studio_owner, from_organisation=studio, to_organisation=other_studio, title="X"
        )


def test_contacts_must_be_members(studio, studio_owner, university, lecturer, other_owner):
    partnership = services.partnership_propose(
        actor=studio_owner, from_organisation=studio, to_organisation=university, title="X"
    )
    with pytest.raises(DomainError, match="members of"):
        services.partnership_update(
            actor=studio_owner, partnership=partnership, industry_contacts=[other_owner]
        )
    member = MembershipFactory(organisation=studio).user
    services.partnership_update(
        actor=studio_owner, partnership=partnership, industry_contacts=[studio_owner, member]
    )
    assert set(partnership.industry_contacts.all()) == {studio_owner, member}


def test_saved_proposals_are_private_and_named_uniquely(studio_owner, studio_member):
    saved = services.saved_proposal_save(actor=studio_owner, name="Museum pitch", team="Us")
    with pytest.raises(Conflict):
        services.saved_proposal_save(actor=studio_owner, name="Museum pitch")
    with pytest.raises(PermissionDenied):
        services.saved_proposal_save(actor=studio_member, name="Mine now", saved=saved)
    with pytest.raises(PermissionDenied):
        services.saved_proposal_delete(actor=studio_member, saved=saved)


def test_unverified_organisation_members_lose_the_right_to_act(lecturer, university, make_call):
    call = make_call(lecturer, university)
    university.status = "rejected"
    university.save()
    with pytest.raises(PermissionDenied):
        services.opportunity_cancel(actor=lecturer, opportunity=call)
    call.refresh_from_db()
    assert call.status == "open"
