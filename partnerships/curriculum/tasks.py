"""Periodic work for curriculum reviews (scheduled by Celery beat, see settings)."""

from celery import shared_task

from . import services


@shared_task
def close_expired_reviews() -> int:
    """Close every open review whose deadline has passed and email its requester.

    Idempotent: a conditional UPDATE … WHERE status = 'open' AND deadline < today, so a second
    run (or two workers at once) closes and emails nothing twice.
    """
    return services.close_expired_reviews()
