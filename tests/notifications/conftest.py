"""Notification fixtures on top of the shared personas (tests/conftest.py).

Notifications are written straight to the database (the outbox that normally writes them is
tested apart): Sam the student gets them; Oscar, the studio owner, is the other person whose
notifications Sam must never see or change.
"""

import datetime
import itertools

import pytest
from django.utils import timezone

from partnerships.notifications.models import Frequency, Notification, NotificationType
from partnerships.projects.models import Mode
from tests.factories import SkillFactory
from tests.placements.conftest import PlacementFactory

_targets = itertools.count(1)


def notify(
    user,
    *,
    type_: str = NotificationType.APPLICATION,
    title: str = "Pixel Forge shortlisted your application",
    url: str = "/placements/applications/",
    frequency: str = Frequency.INSTANT,
    read: bool = False,
    ago: datetime.timedelta | None = None,
    **fields,
) -> Notification:
    now = timezone.now()
    return Notification.objects.create(
        recipient=user,
        type=type_,
        target_type=fields.pop("target_type", "placements.application"),
        target_id=fields.pop("target_id", next(_targets)),
        title=title,
        url=url,
        frequency=frequency,
        read_at=now if read else None,
        created_at=now - (ago or datetime.timedelta()),
        **fields,
    )


def notify_many(user, count: int, **fields) -> list[Notification]:
    """``count`` notifications, the first one the newest."""
    return [
        notify(user, title=f"Update number {n}", ago=datetime.timedelta(minutes=n), **fields)
        for n in range(count)
    ]


@pytest.fixture
def remote_placement(studio, studio_owner):
    return PlacementFactory(
        organisation=studio,
        created_by=studio_owner,
        contact=studio_owner,
        title="Junior 3D artist",
        mode=Mode.REMOTE,
    )


@pytest.fixture
def match(student, remote_placement):
    """Sam is told about a remote placement asking for Blender and Unity; he has both."""
    blender = SkillFactory(name="Blender", slug="blender")
    unity = SkillFactory(name="Unity", slug="unity")
    return notify(
        student,
        type_=NotificationType.PLACEMENT_MATCH,
        title=remote_placement.title,
        url=remote_placement.get_absolute_url(),
        target_type="placements.placement",
        target_id=remote_placement.pk,
        frequency=Frequency.DAILY,
        score=87,
        reasons={
            "skills": f"{blender.pk},{unity.pk}",
            "wanted": 2,
            "sector": 1.0,
            "place": 1.0,
            "dates": 1.0,
        },
    )
