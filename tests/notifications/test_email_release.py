"""If the broker goes away while emails are being queued, nothing claimed is lost: whatever was
not queued is released and the next run sends it, once."""

import pytest
from django.core import mail

from partnerships.core import tasks as core_tasks
from partnerships.notifications import emails
from partnerships.notifications.models import Digest, Frequency, Notification
from tests.factories import UserFactory

from .conftest import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_fails_after(monkeypatch):
    """apply_async works ``n`` times (eagerly), then raises as an unreachable broker does."""

    def install(n: int):
        original = core_tasks.send_email.apply_async
        calls = {"n": 0}

        def flaky(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] > n:
                raise ConnectionError("broker unreachable")
            return original(*args, **kwargs)

        monkeypatch.setattr(core_tasks.send_email, "apply_async", flaky)
        return lambda: monkeypatch.setattr(core_tasks.send_email, "apply_async", original)

    return install


def people(count):
    return [UserFactory(email=f"p{n}@uni.example", role="student") for n in range(count)]


def test_instant_emails_not_queued_are_released_and_sent_next_time(broker_fails_after):
    for person in people(3):
        notify(person, frequency=Frequency.INSTANT)
    restore = broker_fails_after(1)
    with pytest.raises(ConnectionError):
        emails.send_instant()
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2
    restore()
    assert emails.send_instant() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "p0@uni.example",
        "p1@uni.example",
        "p2@uni.example",
    ]


def test_digests_not_queued_are_released_and_sent_by_the_next_run(broker_fails_after):
    for person in people(3):
        notify(person, frequency=Frequency.DAILY)
        notify(person, frequency=Frequency.DAILY)
    restore = broker_fails_after(1)
    with pytest.raises(ConnectionError):
        emails.send_digests(Frequency.DAILY)
    assert len(mail.outbox) == 1
    assert Digest.objects.count() == 1
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 4
    restore()
    assert emails.send_digests(Frequency.DAILY) == 2
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "p0@uni.example",
        "p1@uni.example",
        "p2@uni.example",
    ]
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
