"""The outbox: domain events become notifications, exactly once, even across broker outages.

1. A service records a ``DomainEvent`` in the transaction that makes the change
   (``activity.services.record_event``), which calls ``schedule`` here.
2. After commit, ``schedule`` publishes a ``dispatch_event`` task. If the broker is unreachable
   the event simply stays undispatched: nothing is lost and nothing runs in the request.
3. ``dispatch`` claims the event row (``SELECT … FOR UPDATE SKIP LOCKED`` and
   ``dispatched_at IS NULL``), runs its handlers in order — set-based ``INSERT … SELECT … ON
   CONFLICT DO NOTHING`` — and marks it dispatched in the same transaction, then queues the
   instant emails.
4. ``sweep`` (Celery beat, every minute) dispatches whatever step 2 could not publish.

Running any step twice is harmless: the claim and the unique (recipient, event, type) key make
sure each person is notified once.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from partnerships.activity.models import DomainEvent

from .models import Notification

logger = logging.getLogger(__name__)

Handler = Callable[[DomainEvent], int]
# Each name's handlers, in the order they were registered (all run in one transaction).
HANDLERS: dict[str, list[Handler]] = {}


def handles(*names: str):
    """Register a handler for domain events with these names (after any already registered)."""

    def register(func: Handler) -> Handler:
        for name in names:
            registered = HANDLERS.setdefault(name, [])
            if func not in registered:
                registered.append(func)
        return func

    return register


def schedule(event: DomainEvent) -> None:
    """Publish the dispatch task once the transaction commits (no in-process fallback: an
    undispatched event waits for the sweep instead)."""
    if event.name not in HANDLERS:
        return
    from . import tasks

    def publish() -> None:
        try:
            tasks.dispatch_event.apply_async(
                kwargs={"event_id": event.pk}, queue=settings.CELERY_TASK_DEFAULT_QUEUE
            )
        except Exception:
            logger.warning(
                "Broker unavailable; domain event %s waits for the outbox sweep", event.pk
            )

    transaction.on_commit(publish)


def dispatch(event_id: int) -> int:
    """Handle one domain event if nobody has yet; returns the notifications written."""
    with transaction.atomic():
        event = (
            DomainEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, dispatched_at__isnull=True)
            .first()
        )
        if event is None:
            return 0  # already dispatched, or being dispatched by another worker
        written = sum(handler(event) for handler in HANDLERS.get(event.name, ()))
        event.dispatched_at = timezone.now()
        event.save(update_fields=["dispatched_at"])
        if written:
            from . import tasks

            transaction.on_commit(
                lambda: tasks.send_instant_emails.apply_async(
                    kwargs={"event_id": event_id}, queue=settings.CELERY_TASK_DEFAULT_QUEUE
                )
            )
    return written


def sweep(*, older_than_seconds: int | None = None, limit: int = 500) -> int:
    """Dispatch events left undispatched (a broker outage at commit time, a worker crash)."""
    age = settings.OUTBOX_SWEEP_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    cutoff = timezone.now() - timezone.timedelta(seconds=age)
    pending = list(
        DomainEvent.objects.filter(
            dispatched_at__isnull=True, created_at__lte=cutoff, name__in=list(HANDLERS)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(dispatch(pk) for pk in pending)


def insert_rows(sql: str, params, *, event_id: int) -> int:
    """Run a set-based insert; returns the rows it wrote (SQLite's driver cannot count an
    insert that starts with WITH, so there the event's rows are counted instead)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount >= 0:
            return cursor.rowcount
    return Notification.objects.filter(event_id=event_id).count()


def direct(
    event: DomainEvent,
    type_: str,
    user_ids,
    *,
    title: str,
    url: str,
    target,
    already_emailed: bool = False,
) -> int:
    """Notify named people (honouring ``off``), idempotently. ``already_emailed`` marks
    notifications whose service email was sent by the change itself (no second email)."""
    from django.contrib.auth import get_user_model

    from .preferences import frequencies_for

    # Deactivated accounts can never sign in to read a notification: write none for them.
    active = get_user_model().objects.filter(pk__in=[pk for pk in user_ids if pk], is_active=True)
    frequencies = frequencies_for(active.values_list("pk", flat=True), type_)
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=user_id,
            type=type_,
            event=event,
            target_type=target._meta.label_lower,
            target_id=target.pk,
            title=title[:200],
            url=url,
            frequency=frequency,
            emailed_at=now if already_emailed else None,
        )
        for user_id, frequency in frequencies.items()
        if frequency != "off"
    ]
    before = Notification.objects.filter(event=event).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return Notification.objects.filter(event=event).count() - before
