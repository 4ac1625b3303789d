"""Person ↔ event matching. Score (0–100, ``settings.MATCHING_EVENT_WEIGHTS``):

* **sectors** — the share of the event's sectors the person follows (none when the event names no
  sectors: such events are found by browsing, not pushed to everyone);
* **place** — online, or the venue is in the person's town: full; hybrid: half; elsewhere: none;
  a person without a location: half;
* **role** — careers fairs and showcases suit students; lectures, seminars and workshops suit
  students and university staff (industry: half); networking and conferences suit everyone.

Only people in the event's audience are candidates (everyone; students; members of the invited
organisations and students of invited institutions), never its organisers. Notified when the
score reaches ``MATCHING_EVENT_MIN_SCORE``.
"""

import json

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from accounts.models import Profile, Role, User
from events.models import Audience, Event, EventFormat, EventKind, EventStatus
from partnerships.organisations.models import Membership

from .placements import _in_list, _vendor

PROFILE = Profile._meta.db_table
PROFILE_SECTORS = Profile.sectors.through._meta.db_table
USER = User._meta.db_table
MEMBERSHIP = Membership._meta.db_table
EVENT_SECTORS = Event.sectors.through._meta.db_table
AUDIENCE_ORGS = Event.audience_organisations.through._meta.db_table

STUDENT_KINDS = [EventKind.CAREERS_FAIR, EventKind.SHOWCASE]
TEACHING_KINDS = [EventKind.GUEST_LECTURE, EventKind.SEMINAR, EventKind.WORKSHOP]


def weights() -> dict[str, int]:
    return dict(settings.MATCHING_EVENT_WEIGHTS)


def _role_part_sql(kind_param: str, role_col: str) -> str:
    students = ", ".join(f"'{k}'" for k in STUDENT_KINDS)
    teaching = ", ".join(f"'{k}'" for k in TEACHING_KINDS)
    return (
        f"(CASE WHEN {kind_param} IN ({students}) THEN"
        f" (CASE WHEN {role_col} = '{Role.STUDENT}' THEN 1.0 ELSE 0.5 END)"
        f" WHEN {kind_param} IN ({teaching}) THEN"
        f" (CASE WHEN {role_col} = '{Role.INDUSTRY}' THEN 0.5 ELSE 1.0 END)"
        f" ELSE 1.0 END)"
    )


def fanout_sql(event: Event, *, event_id: int, min_score: int) -> tuple[str, dict]:
    """``INSERT … SELECT`` writing an ``event_match`` notification for each person in the
    audience scoring at least ``min_score``."""
    from partnerships.notifications.models import Notification, NotificationPreference

    v = _vendor()
    w = weights()
    sector_ids = list(event.sectors.values_list("pk", flat=True))
    from events.permissions import organiser_organisations

    organisers = [org.pk for org in organiser_organisations(event)]
    params: dict = {
        "default_frequency": settings.NOTIFICATION_DEFAULTS["event_match"],
        "kind": event.kind,
        "online": event.format == EventFormat.ONLINE,
        "hybrid": event.format == EventFormat.HYBRID,
        "venue_name": (event.venue_name or "").lower(),
        "venue_address": (event.venue_address or "").lower(),
        "sector_count": len(sector_ids),
        "event": event_id,
        "target": event.pk,
        "title": event.title[:200],
        "url": event.get_absolute_url(),
        "now": timezone.now(),
        "min_score": min_score,
        "target_event": event.pk,
    }
    sectors = _in_list("sector", sector_ids or [0], params)
    organiser_list = _in_list("organiser", organisers, params)
    audience = [
        f"u.role IN ('{Role.STUDENT}', '{Role.UNIVERSITY}', '{Role.INDUSTRY}')",
        "u.is_active",
        f"NOT EXISTS (SELECT 1 FROM {MEMBERSHIP} om WHERE om.user_id = u.id"
        f" AND om.organisation_id IN ({organiser_list}))",
    ]
    if event.audience == Audience.STUDENTS:
        audience.append(f"u.role = '{Role.STUDENT}'")
    elif event.audience == Audience.MEMBERS:
        audience.append(
            f"(EXISTS (SELECT 1 FROM {MEMBERSHIP} am JOIN {AUDIENCE_ORGS} ao"
            f" ON ao.organisation_id = am.organisation_id"
            f" WHERE am.user_id = u.id AND ao.event_id = %(target_event)s)"
            f" OR (u.role = '{Role.STUDENT}' AND p.institution_id IN"
            f" (SELECT organisation_id FROM {AUDIENCE_ORGS} WHERE event_id = %(target_event)s)))"
        )
    agg = v["agg"].format(col="ps.sector_id", order="ps.sector_id")
    # The person's town within the venue's name or address, as text (never a LIKE pattern: a
    # "%" or "_" in someone's location must not match every venue), as ``recommend_events``.
    find = "strpos" if connection.vendor == "postgresql" else "instr"
    near = " OR ".join(
        f"{find}(%({column})s, lower(trim(p.location))) > 0"
        for column in ("venue_name", "venue_address")
    )
    notification = Notification._meta.db_table
    preference = NotificationPreference._meta.db_table
    sql = f"""
        WITH hits AS (
            SELECT ps.profile_id, COUNT(*) AS n, {agg} AS sector_ids
            FROM {PROFILE_SECTORS} ps WHERE ps.sector_id IN ({sectors})
            GROUP BY ps.profile_id
        ),
        parts AS (
            SELECT u.id AS user_id, hits.sector_ids,
                COALESCE(pref.frequency, %(default_frequency)s) AS frequency,
                (CASE WHEN %(sector_count)s = 0 THEN 0.0
                      ELSE COALESCE(hits.n, 0) * 1.0 / %(sector_count)s END) AS sector_part,
                (CASE WHEN %(online)s THEN 1.0
                      WHEN COALESCE(p.location, '') = '' THEN 0.5
                      WHEN {near} THEN 1.0
                      WHEN %(hybrid)s THEN 0.5 ELSE 0.0 END) AS place_part,
                {_role_part_sql("%(kind)s", "u.role")} AS role_part
            FROM {PROFILE} p
            JOIN {USER} u ON u.id = p.user_id
            JOIN hits ON hits.profile_id = p.id
            LEFT JOIN {preference} pref ON pref.user_id = u.id AND pref.type = 'event_match'
            WHERE {" AND ".join(audience)}
        ),
        scored AS (
            SELECT user_id, frequency,
                CAST(ROUND(CAST({w["sectors"]} * sector_part + {w["place"]} * place_part
                    + {w["role"]} * role_part AS numeric)) AS integer) AS score,
                {v["json"]}('sectors', COALESCE(sector_ids, ''),
                    'wanted_sectors', %(sector_count)s,
                    'place', place_part, 'role', role_part) AS reasons
            FROM parts
        )
        INSERT INTO {notification}
            (recipient_id, type, event_id, target_type, target_id, title, url, score, reasons,
             frequency, created_at)
        SELECT user_id, 'event_match', %(event)s, 'events.event', %(target)s, %(title)s, %(url)s,
            score, reasons, frequency, %(now)s
        FROM scored
        WHERE score >= %(min_score)s AND frequency <> 'off'
        ON CONFLICT (recipient_id, event_id, type) DO NOTHING
    """
    return sql, params


def recommend_events(user, *, limit: int = 5) -> QuerySet[Event]:
    """Upcoming events the person may attend, best first, each annotated with ``match_score``
    (the same parts as the fan-out, as one query)."""
    from events.selectors import organiser_q, visible_events, with_cards

    w = weights()
    profile = getattr(user, "profile", None)
    if profile is None:
        return Event.objects.none()
    mine = Profile.sectors.through.objects.filter(profile_id=profile.pk).values("sector_id")
    shared = (
        Event.sectors.through.objects.filter(event_id=OuterRef("pk"), sector_id__in=mine)
        .order_by()
        .values("event_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    total = (
        Event.sectors.through.objects.filter(event_id=OuterRef("pk"))
        .order_by()
        .values("event_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    location = (profile.location or "").strip().lower()
    place = [When(format=EventFormat.ONLINE, then=Value(1.0))]
    if location:
        near = Q(venue_address__icontains=location) | Q(venue_name__icontains=location)
        place += [When(near, then=Value(1.0)), When(format=EventFormat.HYBRID, then=Value(0.5))]
    elsewhere = Value(0.5 if not location else 0.0)  # no location known: half, as the fan-out
    if user.role == Role.STUDENT:
        role = Value(1.0)
    else:
        low = 0.5
        role = Case(
            When(kind__in=STUDENT_KINDS, then=Value(low)),
            When(kind__in=TEACHING_KINDS, then=Value(low if user.role == Role.INDUSTRY else 1.0)),
            default=Value(1.0),
            output_field=FloatField(),
        )
    qs = (
        visible_events(user)
        .filter(status=EventStatus.PUBLISHED, starts_at__gt=timezone.now())
        .exclude(organiser_q(user))
        # Only events in a sector the person follows are scored: a semi-join first, so the
        # per-event counts below run for those (a fifth of the upcoming events), not for all.
        .filter(pk__in=Event.sectors.through.objects.filter(sector_id__in=mine).values("event_id"))
        .annotate(
            shared=Coalesce(Subquery(shared, output_field=IntegerField()), 0),
            wanted=Coalesce(Subquery(total, output_field=IntegerField()), 0),
        )
        .annotate(
            sector_part=Case(
                When(wanted=0, then=Value(0.0)),
                default=F("shared") * 1.0 / F("wanted"),
                output_field=FloatField(),
            ),
            place_part=Case(*place, default=elsewhere, output_field=FloatField()),
            role_part=role,
        )
        .annotate(
            match_score=Round(
                F("sector_part") * w["sectors"]
                + F("place_part") * w["place"]
                + F("role_part") * w["role"]
            )
        )
        .order_by("-match_score", "starts_at", "pk")
    )
    return with_cards(qs)[:limit]


def parse_event_reasons(raw) -> dict:
    """Reasons as stored (JSON text on SQLite, a dict on PostgreSQL), sector ids as a list."""
    reasons = json.loads(raw) if isinstance(raw, str) else dict(raw or {})
    sectors = reasons.get("sectors") or ""
    if isinstance(sectors, str):
        reasons["sectors"] = [int(s) for s in sectors.split(",") if s]
    return reasons


def explain(reasons: dict, *, sector_names: dict) -> list:
    """Plain words: the event's sectors the person follows, and whether it is easy to reach."""
    from django.utils.translation import gettext as _

    sectors = parse_event_reasons(reasons).get("sectors", [])
    phrases = []
    names = [sector_names[pk] for pk in sectors if pk in sector_names]
    if names:
        phrases.append(_("In sectors you follow: %(names)s") % {"names": ", ".join(names)})
    if float(reasons.get("place") or 0) >= 1:
        phrases.append(_("Online, or near you"))
    return phrases
