"""Writes a person makes to their own notifications: marking them read, and their preferences.

The pages and the API call these; both have already found the notification through
``selectors.inbox``, so someone else's answers 404 before it gets here. The check below is the
last line, not the first.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.core.errors import PermissionDenied

from . import preferences
from .models import Notification


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (idempotent: the first reading time stays)."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied(_("This notification is not yours."))
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read; returns how many were unread."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preferences_update(*, actor, changes: dict[str, str]) -> dict[str, str]:
    """Save the frequencies in ``changes`` (type → frequency) and return every type's value."""
    current = preferences.preferences_of(actor)
    for type_, frequency in changes.items():
        if current.get(type_) != frequency:
            preferences.set_preference(actor, type_, frequency)
    return {**current, **changes}


@transaction.atomic
def preferences_unsubscribe(*, person, what: str) -> list[str]:
    """What an unsubscribe link does: turn off one type, or every type on a digest
    (``preferences.unsubscribe``), all or nothing. Returns the types turned off."""
    return preferences.unsubscribe(person, what)
