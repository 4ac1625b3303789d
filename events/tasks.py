"""Celery tasks for events: registrant emails, reminders and completing past events."""

from celery import shared_task

from . import notify, services


@shared_task(acks_late=True)
def email_registrants(
    *, event_id: int, template: str, registration_ids: list[int], context: dict | None = None
) -> int:
    """Render and queue one email per registrant still in a matching status."""
    return notify.deliver(event_id, template, registration_ids, dict(context or {}))


@shared_task
def send_event_reminders() -> int:
    """Remind confirmed attendees once, EVENT_REMINDER_HOURS before the start (beat)."""
    return services.send_due_reminders()


@shared_task
def complete_ended_events() -> int:
    """Mark published events that have ended as completed (beat). Idempotent."""
    return services.events_complete_ended()
