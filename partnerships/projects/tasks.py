"""Periodic jobs for calls and proposals (scheduled by Celery beat; see settings)."""

from celery import shared_task

from . import services


@shared_task
def close_expired_opportunities() -> int:
    """Close calls past their deadline and tell their owners. Idempotent."""
    return services.opportunities_close_expired()


@shared_task
def nudge_unanswered_proposals() -> int:
    """Remind owners of proposals left unanswered. Each proposal is nudged at most once."""
    return services.proposals_nudge_owners()
