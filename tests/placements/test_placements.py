"""Placements: who may post, pay and positions rules, the life cycle, search and the beat task."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction

from partnerships.activity.models import DomainEvent
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.placements import selectors, services, tasks
from partnerships.placements.models import Placement, PlacementStatus, PlacementTransition

from .conftest import PlacementFactory, in_days

pytestmark = pytest.mark.django_db

S = PlacementStatus


def create(actor, organisation, **overrides):
    data = {
        "kind": "internship",
        "title": "Motion design intern",
        "description": "Animate title sequences for broadcast clients.",
        "deadline": in_days(10),
        "is_paid": True,
        "pay_amount": "320",
        "pay_period": "week",
        "positions": 2,
    } | overrides
    return services.placement_create(actor=actor, organisation=organisation, **data)


def test_studio_member_creates_a_draft_with_questions(studio, studio_member):
    placement = create(
        studio_member,
        studio,
        questions=[{"text": "Show us one shot you are proud of"}, {"text": "Visa?", "required": 0}],
        eligible_levels=["undergraduate", "postgraduate"],
    )
    assert placement.status == S.DRAFT
    assert placement.pay_amount == Decimal("320")
    assert placement.pay_currency == "GBP"
    assert [q.required for q in placement.questions.all()] == [True, False]
    assert placement.transitions.get().to_status == S.DRAFT


@pytest.mark.parametrize("persona", ["pending_owner", "lecturer", "student", "industry_newcomer"])
def test_only_members_of_a_verified_industry_partner_post(
    persona, request, studio, pending_studio, university
):
    actor = request.getfixturevalue(persona)
    organisation = {"pending_owner": pending_studio, "lecturer": university}.get(persona, studio)
    with pytest.raises(PermissionDenied):
        create(actor, organisation)
    assert not Placement.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"is_paid": True, "pay_amount": None},
        {"is_paid": True, "pay_amount": "0"},
        {"is_paid": False, "pay_amount": "100"},
        {"pay_currency": "pounds"},
        {"positions": 0},
        {"eligible_levels": ["nursery"]},
    ],
)
def test_invalid_pay_or_positions_are_refused(studio, studio_owner, overrides):
    with pytest.raises(DomainError):
        create(studio_owner, studio, **overrides)
    assert not Placement.objects.exists()


def test_unpaid_placement_shows_plainly(studio, studio_owner):
    placement = create(studio_owner, studio, is_paid=False, pay_amount=None, pay_period="")
    assert placement.pay_display == "Unpaid"


@pytest.mark.parametrize(
    "fields",
    [
        {"is_paid": True, "pay_amount": None},
        {"is_paid": True, "pay_amount": Decimal("-1")},
        {"is_paid": False, "pay_amount": Decimal("10")},
        {"positions": 0},
    ],
)
def test_database_constraints_back_the_rules(studio, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlacementFactory(organisation=studio, **fields)


def test_publish_records_the_domain_event(studio, studio_owner):
    placement = create(studio_owner, studio)
    services.placement_publish(actor=studio_owner, placement=placement)
    placement.refresh_from_db()
    assert placement.status == S.OPEN and placement.published_at
    event = DomainEvent.objects.get(name="placement.published")
    assert event.target_id == placement.pk and event.payload["is_paid"] is True


def test_publish_needs_a_future_deadline_and_the_studio(studio, studio_owner, other_owner):
    placement = PlacementFactory(organisation=studio, status=S.DRAFT, deadline=in_days(-1))
    with pytest.raises(DomainError):
        services.placement_publish(actor=studio_owner, placement=placement)
    placement.deadline = in_days(3)
    placement.save()
    with pytest.raises(PermissionDenied):
        services.placement_publish(actor=other_owner, placement=placement)
    placement.refresh_from_db()
    assert placement.status == S.DRAFT


def test_close_by_hand_and_reopen(placement, studio_owner):
    services.placement_close(actor=studio_owner, placement=placement)
    placement.refresh_from_db()
    assert placement.status == S.CLOSED
    services.placement_reopen(actor=studio_owner, placement=placement)
    placement.refresh_from_db()
    assert placement.status == S.OPEN
    assert list(placement.transitions.values_list("to_status", flat=True)) == [S.CLOSED, S.OPEN]


def test_reopen_needs_a_future_deadline(placement, studio_owner):
    Placement.objects.filter(pk=placement.pk).update(status=S.CLOSED, deadline=in_days(-1))
    placement.refresh_from_db()
    with pytest.raises(DomainError):
        services.placement_reopen(actor=studio_owner, placement=placement)
    placement.refresh_from_db()
    assert placement.status == S.CLOSED


@pytest.mark.parametrize(
    ("start", "target"),
    [(S.DRAFT, S.CLOSED), (S.DRAFT, S.FILLED), (S.FILLED, S.OPEN), (S.FILLED, S.CLOSED)],
)
def test_invalid_placement_moves_are_refused(studio, studio_owner, start, target):
    placement = PlacementFactory(organisation=studio, status=start)
    with pytest.raises(Conflict):
        services.placement_transition(actor=studio_owner, placement=placement, to=target)
    placement.refresh_from_db()
    assert placement.status == start


def test_positions_cannot_drop_below_seats_held(placement, studio_owner, student, university):
    from .conftest import ApplicationFactory

    ApplicationFactory(placement=placement, student=student, status="offered")
    ApplicationFactory(placement=placement, status="accepted")
    with pytest.raises(Conflict):
        services.placement_update(actor=studio_owner, placement=placement, positions=1)
    placement.refresh_from_db()
    assert placement.positions == 2


def test_skill_filter_lists_a_placement_once_whichever_list_names_the_skill(
    studio, studio_owner, student
):
    from tests.factories import SkillFactory

    rigging, lighting = SkillFactory(name="Rig tests"), SkillFactory(name="Light tests")
    both = PlacementFactory(organisation=studio, created_by=studio_owner, title="Both")
    both.required_skills.add(rigging)
    both.nice_skills.add(rigging, lighting)
    nice = PlacementFactory(organisation=studio, created_by=studio_owner, title="Nice")
    nice.nice_skills.add(rigging)
    other = PlacementFactory(organisation=studio, created_by=studio_owner, title="Other")
    other.required_skills.add(lighting)
    found = list(selectors.placement_browse(student, skill=rigging.slug))
    assert sorted(p.title for p in found) == ["Both", "Nice"]


def test_full_text_search_finds_by_description(studio, studio_owner, student):
    wanted = create(studio_owner, studio, title="Sound designer", description="Foley for games")
    create(studio_owner, studio, title="Producer", description="Run the schedule")
    for placement in Placement.objects.all():
        services.placement_publish(actor=studio_owner, placement=placement)
    found = list(selectors.placement_browse(student, q="foley"))
    assert found == [wanted]
    if connection.vendor == "postgresql":
        wanted.refresh_from_db()
        assert wanted.search_vector


def test_browse_filters_paid_only_and_level(studio, student):
    paid = PlacementFactory(organisation=studio, eligible_levels=["undergraduate"])
    unpaid = PlacementFactory(organisation=studio, is_paid=False, pay_amount=None)
    postgrad = PlacementFactory(organisation=studio, eligible_levels=["postgraduate"])
    PlacementFactory(organisation=studio, status=S.DRAFT)
    assert set(selectors.placement_browse(student)) == {paid, unpaid, postgrad}
    assert set(selectors.placement_browse(student, paid_only=True)) == {paid, postgrad}
    assert set(selectors.placement_browse(student, level="undergraduate")) == {paid, unpaid}


def test_beat_task_closes_expired_placements_once(
    placement, studio_owner, django_capture_on_commit_callbacks
):
    Placement.objects.filter(pk=placement.pk).update(deadline=in_days(-1))
    still_open = PlacementFactory(organisation=placement.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.close_expired_placements() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.close_expired_placements() == 0
    placement.refresh_from_db()
    still_open.refresh_from_db()
    assert placement.status == S.CLOSED and still_open.status == S.OPEN
    assert PlacementTransition.objects.filter(placement=placement, to_status=S.CLOSED).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [studio_owner.email]
    assert "closed" in mail.outbox[0].subject
