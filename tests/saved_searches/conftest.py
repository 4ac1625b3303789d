"""Saved-search fixtures on top of the shared personas (tests/conftest.py).

Pixel Forge (Oscar owner) publishes placements and events; Sam studies at Northbridge; the sector
"Animation" and the skill "Unity" are what people search for.
"""

import pytest
from django.db import transaction

from accounts.models import Role
from events import services as event_services
from partnerships.core.models import Skill
from partnerships.notifications import saved_searches as ss
from partnerships.placements import services as placement_services
from partnerships.placements.models import PlacementStatus
from tests.events.conftest import EventFactory
from tests.factories import SectorFactory, UserFactory
from tests.placements.conftest import PlacementFactory


@pytest.fixture
def immediate(monkeypatch):
    """After-commit work (the outbox dispatch, instant emails) runs at once."""
    monkeypatch.setattr(transaction, "on_commit", lambda f, using=None, robust=False: f())


@pytest.fixture
def animation(db):
    return SectorFactory(name="Animation", slug="animation")


@pytest.fixture
def unity(db):
    return Skill.objects.get(slug="unity")


def person(email: str, role: str = Role.STUDENT, **profile):
    user = UserFactory(email=email, role=role)
    for name, value in profile.items():
        setattr(user.profile, name, value)
    if profile:
        user.profile.save()
    return user


def save(user, scope="placements", frequency="daily", **params):
    return ss.save_search(user, scope, params, frequency)


def publish_placement(owner, organisation, *, required=(), nice=(), **fields):
    """A draft placement published through the real service (records placement.published)."""
    draft = PlacementFactory(
        organisation=organisation,
        created_by=owner,
        contact=owner,
        status=PlacementStatus.DRAFT,
        **fields,
    )
    draft.required_skills.set(required)
    draft.nice_skills.set(nice)
    return placement_services.placement_publish(actor=owner, placement=draft)


def publish_event(owner, organisation, *, sectors=(), invited=(), **fields):
    """A draft event published through the real service (records event.published)."""
    draft = EventFactory(
        organisation=organisation,
        created_by=owner,
        status="draft",
        published_at=None,
        **fields,
    )
    draft.sectors.set(sectors)
    draft.audience_organisations.set(invited)
    return event_services.event_publish(actor=owner, event=draft)
