"""Reads for notifications: the inbox, the unread count, and explanations in constant queries."""

from django.db.models import QuerySet

from partnerships.matching.placements import explain, skill_names
from partnerships.placements.models import Placement

from .models import Notification, NotificationType


def inbox(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def with_explanations(notifications) -> list[Notification]:
    """Attach ``explanation`` (plain-words reasons) to each notification: one query for skill
    names and one for the placements they are about, however many notifications."""
    notifications = list(notifications)
    matches = [n for n in notifications if n.type == NotificationType.PLACEMENT_MATCH]
    names = skill_names(pk for n in matches for pk in _skills(n))
    placements = {
        p.pk: p
        for p in Placement.objects.filter(pk__in={n.target_id for n in matches}).only(
            "pk", "mode", "location"
        )
    }
    for notification in notifications:
        notification.explanation = []
        if notification.type == NotificationType.PLACEMENT_MATCH:
            placement = placements.get(notification.target_id)
            notification.explanation = explain(
                _reasons(notification),
                names,
                mode=placement.mode if placement else "",
                location=placement.location if placement else "",
            )
    return notifications


def _reasons(notification: Notification) -> dict:
    from partnerships.matching.placements import parse_reasons

    return parse_reasons(notification.reasons)


def _skills(notification: Notification) -> list[int]:
    return _reasons(notification).get("skills", [])
