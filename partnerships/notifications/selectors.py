"""Reads for notifications: the inbox, the unread count, and explanations in constant queries."""

from django.db.models import QuerySet

from partnerships.core.models import Sector, Skill
from partnerships.matching import events as event_matching
from partnerships.matching import organisations as org_matching
from partnerships.matching.placements import explain, parse_reasons
from partnerships.organisations.models import Organisation
from partnerships.placements.models import Placement

from .models import Notification, NotificationType

# Matches whose reasons are turned into words (every other type is about your own things).
EXPLAINED = (
    NotificationType.PLACEMENT_MATCH,
    NotificationType.OPPORTUNITY_MATCH,
    NotificationType.EVENT_MATCH,
)


def inbox(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _names(model, ids) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))


def with_explanations(notifications) -> list[Notification]:
    """Attach ``explanation`` (plain-words reasons) to each notification about a match
    (placements, calls and reviews, events): at most one query each for skill, sector and
    organisation names and one for the placements, however many notifications."""
    notifications = list(notifications)
    reasons = {}
    for n in notifications:
        if n.type == NotificationType.PLACEMENT_MATCH:
            reasons[n.pk] = parse_reasons(n.reasons)
        elif n.type == NotificationType.OPPORTUNITY_MATCH:
            reasons[n.pk] = org_matching.parse_org_reasons(n.reasons)
        elif n.type == NotificationType.EVENT_MATCH:
            reasons[n.pk] = event_matching.parse_event_reasons(n.reasons)
    skills = _names(Skill, (pk for r in reasons.values() for pk in r.get("skills", [])))
    sectors = _names(Sector, (pk for r in reasons.values() for pk in r.get("sectors", [])))
    organisations = _names(
        Organisation, (r["organisation"] for r in reasons.values() if r.get("organisation"))
    )
    placement_ids = {
        n.target_id for n in notifications if n.type == NotificationType.PLACEMENT_MATCH
    }
    placements = (
        {
            p.pk: p
            for p in Placement.objects.filter(pk__in=placement_ids).only("pk", "mode", "location")
        }
        if placement_ids
        else {}
    )
    for notification in notifications:
        notification.explanation = []
        why = reasons.get(notification.pk)
        if why is None:
            continue
        if notification.type == NotificationType.PLACEMENT_MATCH:
            placement = placements.get(notification.target_id)
            notification.explanation = explain(
                why,
                skills,
                mode=placement.mode if placement else "",
                location=placement.location if placement else "",
            )
        elif notification.type == NotificationType.OPPORTUNITY_MATCH:
            notification.explanation = org_matching.explain(
                why,
                sector_names=sectors,
                skill_names=skills,
                organisation=organisations.get(why.get("organisation")),
            )
        else:
            notification.explanation = event_matching.explain(why, sector_names=sectors)
    return notifications
