"""Periodic jobs for placements (scheduled by Celery beat; see settings)."""

from celery import shared_task

from . import services


@shared_task
def close_expired_placements() -> int:
    """Close open placements past their deadline and tell their owners. Idempotent."""
    return services.placements_close_expired()


@shared_task
def delete_expired_cvs() -> int:
    """Delete CVs kept longer than ``CV_RETENTION_DAYS`` after their placement closed.
    Safe to run twice or on two workers at once (rows are claimed with SKIP LOCKED)."""
    return services.application_cvs_expire()
