"""Event fixtures on top of the shared personas (tests/conftest.py).

Pixel Forge (Oscar owner, Mia member) hosts a guest lecture at Northbridge for 60 people; Sam
studies at Northbridge; Uma studies at Southgate; Olga's Other Studio must never manage it.
"""

import datetime

import factory
import pytest
from django.db.models import F
from django.utils import timezone
from django.utils.timezone import now

from accounts.models import Role
from events.models import (
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from partnerships.organisations.models import Kind
from partnerships.projects.models import Partnership, PartnershipStatus
from tests.factories import OrganisationFactory, UserFactory


def in_days(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


class EventFactory(factory.django.DjangoModelFactory):
    """An event in any status, written straight to the database (services are tested apart)."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory, kind=Kind.INDUSTRY)
    kind = EventKind.GUEST_LECTURE
    title = factory.Sequence(lambda n: f"Real-time rendering in practice {n}")
    summary = "A studio lead on shipping real-time work."
    description = "Pixel Forge's art director on **real-time** pipelines."
    starts_at = factory.LazyFunction(lambda: in_days(10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    timezone = "Europe/London"
    format = EventFormat.IN_PERSON
    venue_name = "Northbridge Lecture Theatre 1"
    venue_address = "1 College Road, Manchester"
    capacity = 60
    status = EventStatus.PUBLISHED
    status_changed_at = factory.LazyFunction(now)
    published_at = factory.LazyFunction(now)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration; keeps the event's seat count true when it takes a seat."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory, role=Role.STUDENT)
    status = RegistrationStatus.CONFIRMED
    confirmed_at = factory.LazyFunction(now)
    waitlisted_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == RegistrationStatus.WAITLISTED else None
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        registration = super()._create(model_class, *args, **kwargs)
        if registration.status == RegistrationStatus.CONFIRMED:
            Event.objects.filter(pk=registration.event_id).update(seats_taken=F("seats_taken") + 1)
            registration.event.refresh_from_db(fields=["seats_taken"])
        return registration


@pytest.fixture
def event(studio, studio_owner):
    """Pixel Forge's published guest lecture for 60 people, in ten days."""
    return EventFactory(
        organisation=studio, created_by=studio_owner, title="Real-time rendering in practice"
    )


@pytest.fixture
def draft_event(studio, studio_owner):
    return EventFactory(
        organisation=studio,
        created_by=studio_owner,
        status=EventStatus.DRAFT,
        published_at=None,
        title="Draft portfolio clinic",
    )


@pytest.fixture
def other_student(db):
    other = OrganisationFactory(kind=Kind.INSTITUTION, name="Southgate College", slug="southgate")
    user = UserFactory(email="uma@southgate.ac.uk", role=Role.STUDENT, display_name="Uma")
    user.profile.institution = other
    user.profile.save()
    return user


def make_students(count: int, institution=None, prefix: str = "attendee") -> list:
    people = []
    for number in range(count):
        user = UserFactory(email=f"{prefix}{number}@uni.example", role=Role.STUDENT)
        if institution is not None:
            user.profile.institution = institution
            user.profile.save(update_fields=["institution"])
        people.append(user)
    return people


@pytest.fixture
def immediate_on_commit(monkeypatch):
    """Run after-commit work at once (inside the test's transaction), so a unit test can look at
    the outbox right after a service call. The real after-commit path is covered by the
    integration tests with a Celery worker."""
    from partnerships.core import mail as core_mail

    monkeypatch.setattr(
        core_mail.transaction, "on_commit", lambda func, using=None, robust=False: func()
    )


@pytest.fixture
def partnership(university, studio):
    """Northbridge and Pixel Forge, working together: both sides run the partnership's events."""
    return Partnership.objects.create(
        institution=university,
        industry_partner=studio,
        title="Northbridge × Pixel Forge",
        status=PartnershipStatus.ACTIVE,
    )
