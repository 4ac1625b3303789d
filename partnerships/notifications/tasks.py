"""Celery tasks of the notification pipeline (see ``outbox.py`` for the guarantees)."""

from celery import shared_task
from django.db import OperationalError

from . import emails, outbox


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def dispatch_event(*, event_id: int) -> int:
    """Turn one domain event into notifications (idempotent)."""
    return outbox.dispatch(event_id)


@shared_task(acks_late=True)
def sweep_outbox(*, older_than_seconds: int | None = None) -> int:
    """Dispatch domain events that a broker outage or a crash left behind (beat)."""
    return outbox.sweep(older_than_seconds=older_than_seconds)


@shared_task(acks_late=True)
def send_instant_emails(*, event_id: int | None = None) -> int:
    """Email unsent instant notifications (after a dispatch, and as a beat safety net)."""
    return emails.send_instant(event_id=event_id)


@shared_task(acks_late=True)
def send_digests(*, frequency: str) -> int:
    """Assemble and send this period's daily or weekly digests (beat)."""
    return emails.send_digests(frequency)
