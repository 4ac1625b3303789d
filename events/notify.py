"""Emails to registrants: one message per person (nobody sees the other attendees' addresses).

A change in a request only enqueues one Celery task after commit (``tasks.email_registrants``);
the worker re-reads the registrations, skips anyone whose status no longer matches (someone who
cancelled in the meantime is never reminded), renders each email and hands each to
``send_email``, which retries on its own so one SMTP failure never resends the others.
"""

from collections.abc import Iterable

from django.conf import settings

from partnerships.core.mail import enqueue_after_commit, render_email
from partnerships.core.tasks import send_email

from .calendar import CONTENT_TYPE, build_calendar, event_filename
from .models import Event, EventStatus, Registration, RegistrationStatus

R = RegistrationStatus

# template → (statuses still worth telling, attach the calendar file, method)
TEMPLATES: dict[str, tuple[tuple[str, ...], bool, str]] = {
    "events/confirmed": ((R.CONFIRMED,), True, "PUBLISH"),
    "events/promoted": ((R.CONFIRMED,), True, "PUBLISH"),
    "events/waitlisted": ((R.WAITLISTED,), False, ""),
    "events/pending": ((R.PENDING,), False, ""),
    "events/declined": ((R.DECLINED,), False, ""),
    "events/reminder": ((R.CONFIRMED,), True, "PUBLISH"),
    "events/changed": ((R.CONFIRMED, R.WAITLISTED, R.PENDING), True, "PUBLISH"),
    "events/cancelled": ((R.CONFIRMED, R.WAITLISTED, R.PENDING), True, "CANCEL"),
    "events/message": ((R.CONFIRMED, R.WAITLISTED, R.PENDING), False, ""),
}


def email_registrants(
    event: Event, template: str, registration_ids: Iterable[int], **context
) -> None:
    """Queue ``template`` for each registration once the current transaction commits."""
    from . import tasks  # the tasks module imports this one

    ids = sorted(set(registration_ids))
    if ids:
        enqueue_after_commit(
            tasks.email_registrants,
            event_id=event.pk,
            template=template,
            registration_ids=ids,
            context=context,
        )


def deliver(event_id: int, template: str, registration_ids: list[int], context: dict) -> int:
    """Render and send one email per registration still in a matching status. Returns the
    number queued for sending."""
    statuses, attach, method = TEMPLATES[template]
    event = (
        Event.objects.select_related("organisation", "partnership")
        .prefetch_related("sessions")
        .get(pk=event_id)
    )
    registrations = Registration.objects.filter(
        pk__in=registration_ids, event_id=event_id, status__in=statuses, user__isnull=False
    ).select_related("user__profile")
    reply_to = context.pop("reply_to", None)
    if template == "events/reminder" and event.status != EventStatus.PUBLISHED:
        return 0  # cancelled (or marked as held) after the reminder was queued
    sent = 0
    for registration in registrations:
        attachments = None
        if attach:
            with_link = registration.status == R.CONFIRMED
            ics = build_calendar(
                [event], links_for=[event.pk] if with_link else [], method=method
            ).decode()
            attachments = [
                {"filename": event_filename(event), "content": ics, "mimetype": CONTENT_TYPE}
            ]
        rendered = render_email(
            template,
            {
                "event": event,
                "registration": registration,
                "person": registration.user,
                "show_link": registration.status == R.CONFIRMED,
                "event_url": f"{settings.SITE_URL}{event.get_absolute_url()}",
                **context,
            },
        )
        send_email.apply_async(
            kwargs={
                **rendered,
                "to": [registration.user.email],
                "attachments": attachments,
                "reply_to": reply_to,
            },
            queue=settings.CELERY_TASK_DEFAULT_QUEUE,
        )
        sent += 1
    return sent
