"""Recording domain events: one call per state change, inside the change's transaction."""

from typing import Any

from django.db import models

from .models import DomainEvent


def record_event(
    name: str,
    *,
    target: models.Model,
    actor=None,
    organisation=None,
    **payload: Any,
) -> DomainEvent:
    """Write the event row. Call it inside the transaction that makes the change; after commit
    the notification pipeline picks it up (``notifications.outbox``)."""
    from partnerships.notifications.outbox import schedule

    event = DomainEvent.objects.create(
        name=name,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organisation=organisation,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        payload=payload,
    )
    schedule(event)
    return event
