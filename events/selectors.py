"""Reads for events and registrations, filtered to what the person may see, already joined.

Visibility mirrors ``permissions.can_view_event`` as one query: organisers' members and platform
admins see their drafts; everyone else sees published, cancelled and completed events whose
audience includes them (signed-out visitors: public events only).
"""

import calendar
import datetime
from collections import defaultdict

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role
from partnerships.organisations.models import Membership
from partnerships.organisations.permissions import is_platform_admin
from partnerships.projects.models import LIVE_PARTNERSHIP_STATUSES, Partnership
from partnerships.projects.search import search

from .models import (
    ACTIVE_REGISTRATION_STATUSES,
    Audience,
    Event,
    EventFormat,
    EventStatus,
    Registration,
    RegistrationStatus,
    Speaker,
)

S = EventStatus
R = RegistrationStatus


def _member_org_ids(user):
    return Membership.objects.filter(user=user).values("organisation_id")


def organiser_q(user, *, read_ids_first: bool = False) -> Q:
    """Events run by one of the person's organisations (either side of a partnership that has
    not ended: ``permissions.organiser_organisations``).

    The partnership side is a subquery on partnership ids rather than a join. Within a larger
    condition (visibility, exclusion) the two subqueries keep it one query; to *select* the
    person's events, ``read_ids_first`` reads the ids beforehand (two small queries), because
    an OR of two subqueries is planned as a filter over every event row, whereas an OR of two
    id lists is two index scans: the dashboards' hosted events, 9.6 → 0.3 ms at 5,000 events."""
    orgs = _member_org_ids(user)
    partnerships = (
        Partnership.objects.filter(Q(institution_id__in=orgs) | Q(industry_partner_id__in=orgs))
        .filter(status__in=LIVE_PARTNERSHIP_STATUSES)
        .values("pk")
    )
    if read_ids_first:
        orgs = list(orgs.values_list("organisation_id", flat=True))
        partnerships = list(partnerships.values_list("pk", flat=True)) if orgs else []
    return Q(organisation_id__in=orgs) | Q(partnership_id__in=partnerships)


def _registrations_counted(**conditions) -> Coalesce:
    """How many registrations of the outer event meet ``conditions``, counted for the events
    returned only (a join and GROUP BY would read every registration of every event)."""
    counted = (
        Registration.objects.filter(event_id=OuterRef("pk"), **conditions)
        .order_by()
        .values("event_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _audience_q(user) -> Q:
    condition = Q(audience=Audience.PUBLIC)
    if not user.is_authenticated:
        return condition
    if user.role == Role.STUDENT:
        condition |= Q(audience=Audience.STUDENTS)
    invited = Event.audience_organisations.through.objects.filter(event_id=OuterRef("pk"))
    member_of = invited.filter(organisation_id__in=_member_org_ids(user))
    condition |= Q(audience=Audience.MEMBERS) & Exists(member_of)
    institution_id = getattr(getattr(user, "profile", None), "institution_id", None)
    if user.role == Role.STUDENT and institution_id:
        condition |= Q(audience=Audience.MEMBERS) & Exists(
            invited.filter(organisation_id=institution_id)
        )
    return condition


def visible_events(user) -> QuerySet[Event]:
    qs = Event.objects.all()
    if is_platform_admin(user):
        return qs
    public = ~Q(status=S.DRAFT) & _audience_q(user)
    if not user.is_authenticated:
        return qs.filter(public)
    registered = ~Q(status=S.DRAFT) & Exists(
        Registration.objects.filter(event_id=OuterRef("pk"), user=user)
    )
    return qs.filter(public | registered | organiser_q(user))


def with_cards(qs: QuerySet[Event]) -> QuerySet[Event]:
    """What a list card shows: organiser, partnership sides and sectors, in constant queries."""
    return qs.select_related(
        "organisation", "partnership__institution", "partnership__industry_partner"
    ).prefetch_related("sectors")


def event_cards(ids: list[int]) -> QuerySet[Event]:
    """The events a browse page shows, by id, with what a card needs (not the description
    or the search vector)."""
    return with_cards(Event.objects.filter(pk__in=ids)).defer(*CARD_DEFERRED)


# A card shows the summary: the long description and the search vector stay in the table.
CARD_DEFERRED = ("description", "search_vector", "organisation__description")


def event_browse(
    user,
    *,
    q: str = "",
    kind: str = "",
    sector: str = "",
    organiser: str = "",
    attendance: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    when: str = "upcoming",
) -> QuerySet[Event]:
    """Published events (upcoming: not yet ended, soonest first) or past ones (latest first).

    ``attendance`` is ``online`` (online or hybrid) or ``in_person`` (in person or hybrid).
    Dates are whole days in the current time zone, inclusive.
    """
    now = timezone.now()
    qs = visible_events(user).exclude(status=S.DRAFT)
    if when == "past":
        qs = qs.filter(ends_at__lte=now)
    else:
        # Not yet ended and neither draft nor cancelled is "published" (events are completed
        # only once they end): said so, PostgreSQL walks event_status_start_idx in start order
        # instead of reading and sorting every event.
        qs = qs.filter(status=S.PUBLISHED, ends_at__gt=now)
    if kind:
        qs = qs.filter(kind=kind)
    if sector:  # EXISTS, not a join: no DISTINCT needed, so a page can read ids alone
        qs = qs.filter(
            Exists(
                Event.sectors.through.objects.filter(event_id=OuterRef("pk"), sector__slug=sector)
            )
        )
    if organiser:  # who runs it: the other side of a partnership only while it lasts
        lasting = Q(partnership__status__in=LIVE_PARTNERSHIP_STATUSES)
        qs = qs.filter(
            Q(organisation__slug=organiser)
            | (lasting & Q(partnership__institution__slug=organiser))
            | (lasting & Q(partnership__industry_partner__slug=organiser))
        )
    if attendance == "online":
        qs = qs.filter(format__in=[EventFormat.ONLINE, EventFormat.HYBRID])
    elif attendance == "in_person":
        qs = qs.filter(format__in=[EventFormat.IN_PERSON, EventFormat.HYBRID])
    tz = timezone.get_current_timezone()
    if date_from:
        start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
        qs = qs.filter(ends_at__gt=start)
    if date_to and date_to < datetime.date.max:
        end = datetime.datetime.combine(
            date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        qs = qs.filter(starts_at__lt=end)
    qs = search(qs, q, fallback_fields=("title", "summary", "description", "venue_name"))
    if q and "rank" in qs.query.annotations:
        ordering = ["-rank", "starts_at", "pk"]
    elif when == "past":
        ordering = ["-starts_at", "-pk"]
    else:
        ordering = ["starts_at", "pk"]
    return with_cards(qs).order_by(*ordering)


def month_grid(
    user, year: int, month: int, **filters
) -> tuple[list[list[datetime.date]], dict[datetime.date, list[Event]]]:
    """Weeks of the month (Monday first, padded with neighbouring days) and the visible events
    on each day in the current time zone; an event over several days appears on each."""
    tz = timezone.get_current_timezone()
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    qs = (
        with_cards(visible_events(user).exclude(status=S.DRAFT))
        .filter(starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at", "pk")
    )
    for name, value in filters.items():
        if value:
            qs = qs.filter(**{name: value})
    by_day: dict[datetime.date, list[Event]] = defaultdict(list)
    for event in qs[:1000]:
        day = max(timezone.localtime(event.starts_at, tz).date(), first)
        last_day = min(
            timezone.localtime(event.ends_at - datetime.timedelta(microseconds=1), tz).date(),
            last,
        )
        while day <= last_day:
            by_day[day].append(event)
            day += datetime.timedelta(days=1)
    return weeks, dict(by_day)


def event_detail(pk: int) -> Event:
    """One event with everything its page shows."""
    speakers = Speaker.objects.select_related("user__profile", "session")
    return (
        Event.objects.select_related(
            "organisation",
            "created_by",
            "partnership__institution",
            "partnership__industry_partner",
        )
        .prefetch_related(
            "sectors",
            "audience_organisations",
            Prefetch("speakers", queryset=speakers),
            Prefetch("sessions__speakers", queryset=speakers),
        )
        .get(pk=pk)
    )


def registration_of(user, event: Event) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(event=event, user=user).first()


def my_registrations(user, *, upcoming: bool = True) -> QuerySet[Registration]:
    """The person's registrations that still matter (not cancelled or declined)."""
    qs = Registration.objects.filter(user=user, status__in=ACTIVE_REGISTRATION_STATUSES)
    now = timezone.now()
    if upcoming:
        qs = qs.filter(event__ends_at__gt=now).order_by("event__starts_at", "pk")
    else:
        qs = qs.filter(event__ends_at__lte=now).order_by("-event__starts_at", "-pk")
    return with_waitlist_positions(qs.select_related("event__organisation"))


def feed_events(user) -> QuerySet[Event]:
    """Events for a person's calendar feed: confirmed places, from 90 days ago on; cancelled
    events stay in the feed (marked cancelled) so calendars drop them."""
    since = timezone.now() - datetime.timedelta(days=90)
    confirmed = Registration.objects.filter(event=OuterRef("pk"), user=user, status=R.CONFIRMED)
    return (
        Event.objects.filter(Exists(confirmed), ends_at__gte=since)
        .exclude(status=S.DRAFT)
        .select_related("organisation")
        .order_by("starts_at", "pk")
    )


def hosted_events(user, *, upcoming: bool = True) -> QuerySet[Event]:
    """Events the person's organisations run, with registration counts, for dashboards."""
    qs = Event.objects.filter(organiser_q(user, read_ids_first=True))
    now = timezone.now()
    qs = qs.filter(ends_at__gt=now) if upcoming else qs.filter(ends_at__lte=now)
    return (
        with_cards(qs)
        .annotate(
            waitlisted=_registrations_counted(status=R.WAITLISTED),
            pending=_registrations_counted(status=R.PENDING),
            attended=_registrations_counted(checked_in_at__isnull=False),
        )
        .order_by("starts_at" if upcoming else "-starts_at", "pk")
    )


def registrants(event: Event, *, q: str = "", status: str = "") -> QuerySet[Registration]:
    """The organisers' list: name and email search, a status filter, waitlist in order.

    Registrations of people who deleted their account still count (``registration_counts``)
    but are nobody to list, email or check in."""
    qs = Registration.objects.filter(event=event, user__isnull=False).select_related(
        "user__profile__institution", "checked_in_by"
    )
    if status:
        qs = qs.filter(status=status)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(user__email__icontains=q)
            | Q(user__profile__display_name__icontains=q)
            | Q(user__profile__institution__name__icontains=q)
        )
    return qs.order_by("status", "waitlisted_at", "user__profile__display_name", "pk")


def registration_counts(event: Event) -> dict[str, int]:
    rows = Registration.objects.filter(event=event).values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(R.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    counts["checked_in"] = Registration.objects.filter(
        event=event, checked_in_at__isnull=False
    ).count()
    return counts


def with_waitlist_positions(qs: QuerySet[Registration]) -> QuerySet[Registration]:
    """``waitlist_rank`` on each registration: 1 for the next person to move in, None when not
    on the waitlist. The queue order is ``waitlisted_at`` then id, as the services serve it."""
    ahead = (
        Registration.objects.filter(event_id=OuterRef("event_id"), status=R.WAITLISTED)
        .filter(
            Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
            | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("event_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        waitlist_rank=Case(
            When(
                status=R.WAITLISTED,
                then=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + Value(1),
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the next person to move in; None when not on the waitlist."""
    if registration.status != R.WAITLISTED:
        return None
    return (
        with_waitlist_positions(Registration.objects.filter(pk=registration.pk))
        .values_list("waitlist_rank", flat=True)
        .first()
    )
