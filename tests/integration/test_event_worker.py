"""Event emails through a real Celery worker on Redis: confirmation with its calendar file,
promotion from the waitlist, and the beat reminder job run twice sending one reminder each."""

import datetime
import re
import time

import pytest
from django.utils import timezone

from events import services, tasks
from tests.events.conftest import EventFactory, make_students

from .test_celery_worker import wait_for_mail

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def mails(folder) -> str:
    return "".join(path.read_text() for path in folder.glob("*.log"))


def test_confirmation_and_promotion_arrive_with_calendar_files(real_worker, studio):
    event = EventFactory(organisation=studio, capacity=1, title="Worker-delivered lecture")
    first, second = make_students(2, prefix="worker")
    registration = services.register(actor=first, event=event)
    services.register(actor=second, event=event)
    confirmation = wait_for_mail(real_worker, "is confirmed")
    assert first.email in confirmation and "BEGIN:VCALENDAR" in confirmation

    services.cancel_registration(actor=first, registration=registration)
    promotion = wait_for_mail(real_worker, "has become free and it is yours")
    assert second.email in promotion and f"event-{event.pk}@" in promotion


def test_reminder_job_run_twice_reminds_each_person_once(real_worker, studio):
    start = timezone.now() + datetime.timedelta(hours=3)
    event = EventFactory(
        organisation=studio,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        title="Reminder lecture",
    )
    people = make_students(3, prefix="remind")
    for person in people:
        services.register(actor=person, event=event)
    wait_for_mail(real_worker, people[-1].email)

    tasks.send_event_reminders.delay()
    tasks.send_event_reminders.delay()  # beat firing twice, or two beats

    deadline = time.monotonic() + 20
    sentence = "this is a reminder that you have a place"
    while time.monotonic() < deadline and mails(real_worker).count(sentence) < 3 * 2:
        time.sleep(0.2)
    time.sleep(2)  # the second run (solo pool: after the first) would have sent by now
    content = mails(real_worker)
    # Each email carries the sentence twice: in its plain-text and its HTML part.
    assert content.count(sentence) == 3 * 2
    for person in people:
        # Confirmation + reminder, each addressed to this person only.
        assert len(re.findall(rf"^To: {re.escape(person.email)}$", content, re.M)) == 1 + 1
