"""Saved-search alerts: a newly published placement or event against every saved search, in one
``INSERT … SELECT … ON CONFLICT DO NOTHING``.

These handlers are registered after the matching ones (this module is imported at the end of
``handlers``), and the outbox runs a name's handlers in order in one transaction, so anyone the
matching already told about the item is skipped here (``NOT EXISTS`` on the event's
notifications). A person whose several searches match gets one alert, from the search they hear
about soonest. Also skipped: inactive accounts, people who turned saved-search alerts off, the
publishing organisation's own members, and, for events, people outside the audience (the rules
of ``events.selectors.visible_events``, in SQL). Placements: every signed-in person sees a
published placement; eligibility does not matter for an alert.

Text search: on PostgreSQL the saved words as a web search (``websearch_to_tsquery``) against
the item's searchable text; elsewhere a case-insensitive substring.
"""

# The SQL is built from table names and constants; every value is a bound parameter.
# ruff: noqa: S608

from django.db import connection
from django.db.models import BigIntegerField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Profile, Role, User
from partnerships.activity.models import DomainEvent
from partnerships.matching.placements import _in_list, _vendor
from partnerships.organisations.models import Membership

from .models import (
    Frequency,
    Notification,
    NotificationPreference,
    NotificationType,
    SavedSearch,
    SavedSearchScope,
)
from .outbox import handles

MARK = "\x00label\x00"


def _position(haystack: str, needle: str) -> str:
    """SQL: where ``needle`` starts in ``haystack`` (0: absent), without LIKE's wildcards."""
    if connection.vendor == "postgresql":
        return f"strpos({haystack}, {needle})"
    return f"instr({haystack}, {needle})"


def _text_match(doc_param: str) -> str:
    """SQL: the saved words (``ss.q``) are found in the item's text (a named parameter)."""
    if connection.vendor == "postgresql":
        return f"to_tsvector('english', {doc_param}) @@ websearch_to_tsquery('english', ss.q)"
    return f"{_position(f'lower({doc_param})', 'lower(ss.q)')} > 0"


def _title_parts(template: str, title: str) -> tuple[str, str]:
    """The text before and after the label, so SQL can put each search's label in."""
    before, after = (template % {"label": MARK, "title": title}).split(MARK)
    return before, after


def _alert_sql(
    *, event_id: int, target, publishers: list[int], conditions: list[str], params: dict
) -> str:
    """The shared ``INSERT … SELECT``: ``conditions`` are the item's filters over ``ss`` (the
    saved search), ``u`` (its owner) and ``p`` (their profile); ``publishers`` are the
    organisations whose members are never alerted about their own item."""
    v = _vendor()
    publisher_list = _in_list("publisher", publishers, params)
    notification = Notification._meta.db_table
    preference = NotificationPreference._meta.db_table
    params.update(
        {
            "event": event_id,
            "target": target.pk,
            "target_type": target._meta.label_lower,
            "url": target.get_absolute_url(),
            "now": timezone.now(),
            "type": NotificationType.SAVED_SEARCH,
            "off": Frequency.OFF,
            "instant": Frequency.INSTANT,
            "daily": Frequency.DAILY,
        }
    )
    where = " AND ".join(
        [
            "ss.scope = %(scope)s",
            "u.is_active",
            # The matching (or anything else) already told them about this item.
            f"NOT EXISTS (SELECT 1 FROM {notification} n"
            f" WHERE n.recipient_id = ss.user_id AND n.event_id = %(event)s)",
            f"NOT EXISTS (SELECT 1 FROM {preference} pref WHERE pref.user_id = ss.user_id"
            f" AND pref.type = %(type)s AND pref.frequency = %(off)s)",
            f"NOT EXISTS (SELECT 1 FROM {Membership._meta.db_table} om"
            f" WHERE om.user_id = ss.user_id AND om.organisation_id IN ({publisher_list}))",
            "(ss.q = '' OR " + _text_match("%(doc)s") + ")",
            *conditions,
        ]
    )
    return f"""
        INSERT INTO {notification}
            (recipient_id, type, event_id, target_type, target_id, title, url, score, reasons,
             frequency, created_at)
        SELECT user_id, %(type)s, %(event)s, %(target_type)s, %(target)s,
            substr(%(title_before)s || label || %(title_after)s, 1, 200), %(url)s, NULL,
            {v["json"]}('saved_search', id, 'label', label), frequency, %(now)s
        FROM (
            SELECT ss.id, ss.user_id, ss.label, ss.frequency,
                ROW_NUMBER() OVER (
                    PARTITION BY ss.user_id
                    ORDER BY CASE ss.frequency WHEN %(instant)s THEN 0 WHEN %(daily)s THEN 1
                        ELSE 2 END, ss.id
                ) AS alert_rank
            FROM {SavedSearch._meta.db_table} ss
            JOIN {User._meta.db_table} u ON u.id = ss.user_id
            LEFT JOIN {Profile._meta.db_table} p ON p.user_id = u.id
            WHERE {where}
        ) matched
        WHERE alert_rank = 1
        ON CONFLICT (recipient_id, event_id, type) DO NOTHING
    """


def _run(sql: str, params: dict, *, event_id: int) -> int:
    """Insert the alerts and stamp the searches that fired (one UPDATE); the alerts written."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
    alerts = Notification.objects.filter(event_id=event_id, type=NotificationType.SAVED_SEARCH)
    if written < 0:
        written = alerts.count()
    if written:
        fired = alerts.annotate(
            search_id=Cast(KT("reasons__saved_search"), BigIntegerField())
        ).values("search_id")
        SavedSearch.objects.filter(pk__in=fired).update(last_alerted_at=timezone.now())
    return written


def placement_alert_sql(placement, *, event_id: int) -> tuple[str, dict]:
    """Alerts for the saved placement searches the new placement meets."""
    from partnerships.placements.models import Placement

    skills = sorted(
        {
            *placement.required_skills.values_list("pk", flat=True),
            *placement.nice_skills.values_list("pk", flat=True),
        }
    )
    before, after = _title_parts(
        _("New placement for your saved search “%(label)s”: %(title)s"), placement.title
    )
    params: dict = {
        "scope": SavedSearchScope.PLACEMENTS,
        "doc": " ".join(str(getattr(placement, field) or "") for field in Placement.SEARCH_WEIGHTS),
        "kind": placement.kind,
        "sector": placement.sector_id,
        "mode": placement.mode,
        "is_paid": bool(placement.is_paid),
        "location": placement.location or "",
        "title_before": before,
        "title_after": after,
    }
    conditions = [
        "(ss.kind = '' OR ss.kind = %(kind)s)",
        "(ss.sector_id IS NULL OR ss.sector_id = %(sector)s)",
        "(ss.mode = '' OR ss.mode = %(mode)s)",
        "(NOT ss.paid_only OR %(is_paid)s)",
        # A case-insensitive substring of the placement's location (the browse page's icontains).
        f"(ss.location = '' OR {_position('lower(%(location)s)', 'lower(ss.location)')} > 0)",
    ]
    if skills:
        conditions.append(
            f"(ss.skill_id IS NULL OR ss.skill_id IN ({_in_list('skill', skills, params)}))"
        )
    else:
        conditions.append("ss.skill_id IS NULL")
    if placement.eligible_levels:
        levels = _in_list("level", list(placement.eligible_levels), params)
        conditions.append(f"(ss.level = '' OR ss.level IN ({levels}))")
    sql = _alert_sql(
        event_id=event_id,
        target=placement,
        publishers=[placement.organisation_id],
        conditions=conditions,
        params=params,
    )
    return sql, params


def event_alert_sql(event, *, event_id: int) -> tuple[str, dict]:
    """Alerts for the saved event searches the new event meets, among its audience."""
    from events.models import Audience, Event, EventFormat
    from events.permissions import organiser_organisations

    organisers = [org.pk for org in organiser_organisations(event)]
    sector_ids = list(event.sectors.values_list("pk", flat=True))
    attendance = {
        EventFormat.ONLINE: ["online"],
        EventFormat.IN_PERSON: ["in_person"],
        EventFormat.HYBRID: ["online", "in_person"],
    }[event.format]
    before, after = _title_parts(
        _("New event for your saved search “%(label)s”: %(title)s"), event.title
    )
    params: dict = {
        "scope": SavedSearchScope.EVENTS,
        "doc": " ".join(str(getattr(event, field) or "") for field in Event.SEARCH_WEIGHTS),
        "kind": event.kind,
        "target_event": event.pk,
        "title_before": before,
        "title_after": after,
    }
    conditions = [
        "(ss.kind = '' OR ss.kind = %(kind)s)",
        f"(ss.organiser_id IS NULL OR ss.organiser_id IN ({_in_list('org', organisers, params)}))",
        f"(ss.attendance = '' OR ss.attendance IN ({_in_list('attend', attendance, params)}))",
    ]
    if sector_ids:
        sectors = _in_list("sector", sector_ids, params)
        conditions.append(f"(ss.sector_id IS NULL OR ss.sector_id IN ({sectors}))")
    else:
        conditions.append("ss.sector_id IS NULL")
    conditions.append(_audience_sql(event.audience, Audience))
    sql = _alert_sql(
        event_id=event_id,
        target=event,
        publishers=organisers,
        conditions=conditions,
        params=params,
    )
    return sql, params


def _audience_sql(audience: str, Audience) -> str:
    """Who may see a published event (``events.selectors._audience_q``); platform admins see
    every event."""
    from events.models import Event

    admins = f"(u.role = '{Role.ADMIN}' OR u.is_superuser)"
    if audience == Audience.PUBLIC:
        return "1 = 1"
    if audience == Audience.STUDENTS:
        return f"(u.role = '{Role.STUDENT}' OR {admins})"
    invited = Event.audience_organisations.through._meta.db_table
    membership = Membership._meta.db_table
    return (
        f"({admins}"
        f" OR EXISTS (SELECT 1 FROM {membership} am JOIN {invited} ao"
        f" ON ao.organisation_id = am.organisation_id"
        f" WHERE am.user_id = u.id AND ao.event_id = %(target_event)s)"
        f" OR (u.role = '{Role.STUDENT}' AND p.institution_id IN"
        f" (SELECT organisation_id FROM {invited} WHERE event_id = %(target_event)s)))"
    )


# --- Handlers (run after the matching handlers of the same names) ---------------------------


@handles("placement.published")
def placement_saved_searches(event: DomainEvent) -> int:
    from partnerships.placements.models import Placement, PlacementStatus

    placement = Placement.objects.filter(pk=event.target_id, status=PlacementStatus.OPEN).first()
    if placement is None:
        return 0  # withdrawn before we got to it: tell nobody
    sql, params = placement_alert_sql(placement, event_id=event.pk)
    return _run(sql, params, event_id=event.pk)


@handles("event.published")
def event_saved_searches(event: DomainEvent) -> int:
    from events.models import Event, EventStatus

    target = (
        Event.objects.filter(pk=event.target_id, status=EventStatus.PUBLISHED)
        .select_related("partnership")
        .first()
    )
    if target is None:
        return 0
    sql, params = event_alert_sql(target, event_id=event.pk)
    return _run(sql, params, event_id=event.pk)
