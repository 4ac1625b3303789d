"""A broker outage at the moment of publishing loses nothing and duplicates nothing.

The studio publishes a placement while Redis is unreachable: the placement is committed, the
domain event waits in the outbox, nobody is notified and no email is sent. Once the broker is
back, the outbox sweep (run by the real worker, as beat would) dispatches it: each matching
student is notified exactly once, instant emails arrive through the SMTP sink once each, and
sweeping or dispatching again changes nothing.
"""

import datetime
import re
import time

import pytest
from django.utils import timezone

from accounts.models import Role
from partnerships.activity.models import DomainEvent
from partnerships.celery import app as celery_app
from partnerships.core.models import Skill
from partnerships.matching.services import refresh_skill_weights
from partnerships.notifications import tasks
from partnerships.notifications.models import Notification, NotificationPreference
from partnerships.placements import services as placements
from tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def students(skills):
    people = {}
    for name, frequency in (("ana", "instant"), ("ben", "instant"), ("cai", "daily")):
        person = UserFactory(email=f"{name}@outage.example", role=Role.STUDENT)
        person.profile.location = "Manchester"
        person.profile.save()
        person.profile.skills.set(skills)
        NotificationPreference.objects.create(
            user=person, type="placement_match", frequency=frequency
        )
        people[name] = person
    unrelated = UserFactory(email="dee@outage.example", role=Role.STUDENT)
    unrelated.profile.skills.set(Skill.objects.filter(slug="nuke"))
    people["dee"] = unrelated
    return people


def broker_down(monkeypatch):
    """Point the producer at a closed port and forbid publish retries: apply_async raises."""
    url = celery_app.conf.broker_url
    fresh_connections(monkeypatch)
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setitem(celery_app.conf, "task_publish_retry", False)
    monkeypatch.setitem(
        celery_app.conf, "broker_connection_timeout", 1
    )  # fail fast instead of hanging the request
    return url


def fresh_connections(monkeypatch):
    """Make the producer reconnect with the current broker URL (as after a fork)."""
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)


def broker_up(monkeypatch, url):
    fresh_connections(monkeypatch)
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    monkeypatch.setitem(celery_app.conf, "task_publish_retry", True)


def wait_until(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def received(folder) -> str:
    return "".join(path.read_text() for path in folder.glob("*.log"))


def test_publishing_during_an_outage(real_worker, monkeypatch, studio, studio_owner):
    skills = list(Skill.objects.filter(slug__in=["blender", "unity"]))
    students(skills)
    refresh_skill_weights()
    placement = placements.placement_create(
        actor=studio_owner,
        organisation=studio,
        kind="internship",
        title="Outage-proof internship",
        description="Real-time art.",
        location="Manchester",
        is_paid=False,
        deadline=timezone.now() + datetime.timedelta(days=10),
        required_skills=skills,
    )

    url = broker_down(monkeypatch)
    started = time.monotonic()
    placements.placement_publish(actor=studio_owner, placement=placement)
    assert time.monotonic() - started < 10  # the request did not hang on the broker

    placement.refresh_from_db()
    assert placement.status == "open"  # the change committed
    event = DomainEvent.objects.get(name="placement.published", target_id=placement.pk)
    assert event.dispatched_at is None  # waiting in the outbox
    time.sleep(1)
    assert not Notification.objects.exists()
    assert not received(real_worker)

    broker_up(monkeypatch, url)
    queue = real_worker_queue()
    tasks.sweep_outbox.apply_async(kwargs={"older_than_seconds": 0}, queue=queue)
    assert wait_until(lambda: Notification.objects.count() == 3), Notification.objects.count()
    assert wait_until(lambda: received(real_worker).count("Outage-proof internship") >= 2)

    # Beat fires again, and someone re-dispatches by hand: nothing changes.
    tasks.sweep_outbox.apply_async(kwargs={"older_than_seconds": 0}, queue=queue)
    tasks.dispatch_event.apply_async(kwargs={"event_id": event.pk}, queue=queue)
    tasks.send_instant_emails.apply_async(queue=queue)
    time.sleep(3)

    notified = sorted(Notification.objects.values_list("recipient__email", flat=True))
    assert notified == ["ana@outage.example", "ben@outage.example", "cai@outage.example"]
    event.refresh_from_db()
    assert event.dispatched_at is not None
    content = received(real_worker)
    for name, expected in (("ana", 1), ("ben", 1), ("cai", 0), ("dee", 0)):
        address = re.escape(f"{name}@outage.example")
        assert len(re.findall(rf"^To: {address}$", content, re.M)) == expected, name
    assert "List-Unsubscribe:" in content


def real_worker_queue() -> str:
    from django.conf import settings

    return settings.CELERY_TASK_DEFAULT_QUEUE
