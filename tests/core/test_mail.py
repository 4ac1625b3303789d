"""Emails leave after commit, and a broker outage never loses one or fails the request."""

import pytest
from django.core import mail
from django.db import transaction
from kombu.exceptions import OperationalError

from partnerships.celery import app as celery_app
from partnerships.core import tasks
from partnerships.core.mail import enqueue_after_commit

pytestmark = pytest.mark.django_db


def test_nothing_is_sent_before_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_after_commit(tasks.send_email, subject="Hi", body="Body", to=["a@example.org"])
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                enqueue_after_commit(
                    tasks.send_email, subject="Hi", body="Body", to=["a@example.org"]
                )
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert mail.outbox == []


def test_broker_outage_falls_back_to_sending_in_process(
    monkeypatch, django_capture_on_commit_callbacks
):
    celery_app.conf.task_always_eager = False

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_email, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_after_commit(
            tasks.send_email, subject="Still sent", body="Body", to=["a@example.org"]
        )
    assert [m.subject for m in mail.outbox] == ["Still sent"]


def test_html_alternative_is_attached():
    tasks.send_email.apply(
        kwargs={"subject": "S", "body": "plain", "html": "<p>rich</p>", "to": ["a@example.org"]}
    )
    assert mail.outbox[0].alternatives[0][1] == "text/html"
