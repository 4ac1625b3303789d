"""Periodic jobs for placements (scheduled by Celery beat; see settings)."""

from celery import shared_task

from . import services


@shared_task
def close_expired_placements() -> int:
    """Close open placements past their deadline and tell their owners. Idempotent."""
    return services.placements_close_expired()
