"""Impact figures grouped by the four benefits, computed with aggregate queries only.

Every function takes a :class:`Scope` and returns an ordered list of :class:`Figure`. Each benefit
runs a fixed number of queries whatever the number of rows (conditional aggregation with
``Count``/``Sum`` and ``filter=Q(...)``; grouped ``values().annotate()`` over bounded choices or
currencies). A figure whose underlying field nobody has filled in within the scope is ``None``
with the note "not recorded yet", never a made-up zero.
The exact semantics of every figure are written down in ``docs/impact.md``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from events.models import (
    Admission,
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from partnerships.core.models import Sector
from partnerships.curriculum.models import CurriculumReview, Reviewer, ReviewStatus
from partnerships.organisations.models import Kind, Organisation
from partnerships.placements.models import (
    TAKEN_STATUSES,
    Application,
    ApplicationStatus,
    PayPeriod,
    Placement,
)
from partnerships.projects.models import (
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Partnership,
    PartnershipStatus,
    Proposal,
)

TALENT = "talent_development"
RESEARCH = "research_innovation"
ECONOMIC = "economic_growth"
COMMUNITY = "community_engagement"

BENEFITS = {
    TALENT: "Talent development",
    RESEARCH: "Research and innovation",
    ECONOMIC: "Economic growth",
    COMMUNITY: "Community engagement",
}

NOT_RECORDED = "not recorded yet"

# "Free" / "Chargeable" (the model's chargeable label explains itself in forms; here it is short).
ADMISSION_LABELS = {Admission.FREE: "free", Admission.CHARGEABLE: "chargeable"}

# Events that happened or will happen: drafts were never public, cancelled ones did not take place.
COUNTED_EVENT_STATUSES = [EventStatus.PUBLISHED, EventStatus.COMPLETED]


@dataclass(frozen=True)
class Scope:
    """Whose figures, over which period, in which sector.

    ``organisation`` None means platform-wide. ``start`` and ``end`` are inclusive dates; either
    may be None (open-ended). ``sector`` None means every sector.
    """

    organisation: Organisation | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    sector: Sector | None = None

    @property
    def is_institution(self) -> bool:
        return self.organisation is not None and self.organisation.kind == Kind.INSTITUTION

    @property
    def is_industry(self) -> bool:
        return self.organisation is not None and self.organisation.kind == Kind.INDUSTRY

    def period(self, field: str) -> Q:
        """Q for ``field`` (a DateTimeField, compared by date, or a DateField) in the period."""
        lookup = field if field.endswith("_date") else f"{field}__date"
        q = Q()
        if self.start is not None:
            q &= Q(**{f"{lookup}__gte": self.start})
        if self.end is not None:
            q &= Q(**{f"{lookup}__lte": self.end})
        return q


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: Any
    unit: str
    benefit: str
    note: str = ""


def _none_figure(key: str, label: str, unit: str, benefit: str) -> Figure:
    return Figure(key, label, None, unit, benefit, NOT_RECORDED)


# ----------------------------------------------------------------------------------- querysets


def scoped_applications(scope: Scope) -> QuerySet:
    """Submitted applications in the scope, by submission date."""
    qs = Application.objects.filter(submitted_at__isnull=False).filter(scope.period("submitted_at"))
    if scope.is_institution:
        qs = qs.filter(institution=scope.organisation)
    elif scope.is_industry:
        qs = qs.filter(placement__organisation=scope.organisation)
    if scope.sector is not None:
        qs = qs.filter(placement__sector=scope.sector)
    return qs


def scoped_placements(scope: Scope) -> QuerySet:
    """Published placements in the scope, by publication date."""
    qs = Placement.objects.filter(published_at__isnull=False).filter(scope.period("published_at"))
    if scope.is_industry:
        qs = qs.filter(organisation=scope.organisation)
    elif scope.is_institution:
        applied_to = Application.objects.filter(
            institution=scope.organisation, submitted_at__isnull=False
        ).values("placement_id")
        qs = qs.filter(pk__in=applied_to)
    if scope.sector is not None:
        qs = qs.filter(sector=scope.sector)
    return qs


def _opportunities(scope: Scope) -> QuerySet:
    """Published opportunities posted by, or answered with a proposal by, the organisation."""
    qs = Opportunity.objects.filter(published_at__isnull=False).filter(scope.period("published_at"))
    if scope.organisation is not None:
        proposed_to = Proposal.objects.filter(organisation=scope.organisation).values(
            "opportunity_id"
        )
        qs = qs.filter(Q(organisation=scope.organisation) | Q(pk__in=proposed_to))
    if scope.sector is not None:
        qs = qs.filter(sectors=scope.sector)
    return qs


def _partnerships(scope: Scope) -> QuerySet:
    qs = Partnership.objects.all()
    if scope.organisation is not None:
        qs = qs.filter(Q(institution=scope.organisation) | Q(industry_partner=scope.organisation))
    if scope.sector is not None:
        qs = qs.filter(industry_partner__sectors=scope.sector)
    return qs


def _reviews(scope: Scope) -> QuerySet:
    qs = CurriculumReview.objects.exclude(status=ReviewStatus.DRAFT)
    if scope.is_institution:
        qs = qs.filter(institution=scope.organisation)
    elif scope.is_industry:
        reviewed = Reviewer.objects.filter(organisation=scope.organisation).values("review_id")
        qs = qs.filter(pk__in=reviewed)
    if scope.sector is not None:
        qs = qs.filter(sectors=scope.sector)
    return qs


def scoped_events(scope: Scope) -> QuerySet:
    """Published or completed events in the scope, by start date."""
    qs = Event.objects.filter(status__in=COUNTED_EVENT_STATUSES).filter(scope.period("starts_at"))
    if scope.organisation is not None:
        org = scope.organisation
        qs = qs.filter(
            Q(organisation=org)
            | Q(partnership__institution=org)
            | Q(partnership__industry_partner=org)
        )
    if scope.sector is not None:
        qs = qs.filter(sectors=scope.sector)
    return qs


# ------------------------------------------------------------------------------------ benefits


def talent_development(scope: Scope) -> list[Figure]:
    """Two queries: placements posted, then every application figure in one aggregate."""
    placements = scoped_placements(scope).aggregate(posted=Count("pk"), positions=Sum("positions"))
    taken = Q(status__in=TAKEN_STATUSES)
    apps = scoped_applications(scope).aggregate(
        applications=Count("pk"),
        students_applying=Count("student", distinct=True),
        offers=Count(
            "pk",
            filter=Q(
                status__in=[ApplicationStatus.OFFERED, ApplicationStatus.DECLINED, *TAKEN_STATUSES]
            ),
        ),
        placed=Count("pk", filter=taken),
        students_placed=Count("student", distinct=True, filter=taken),
        completed=Count("pk", filter=Q(status=ApplicationStatus.COMPLETED)),
        for_credit=Count("pk", filter=taken & Q(for_credit=True)),
        student_evaluations=Count("student_evaluation"),
        supervisor_evaluations=Count("supervisor_evaluation"),
    )
    t = TALENT
    return [
        Figure(
            "talent.placements_posted", "Placements posted", placements["posted"], "placements", t
        ),
        Figure(
            "talent.positions_offered",
            "Positions in posted placements",
            placements["positions"] or 0,
            "positions",
            t,
        ),
        Figure(
            "talent.applications", "Applications submitted", apps["applications"], "applications", t
        ),
        Figure(
            "talent.students_applying",
            "Students who applied",
            apps["students_applying"],
            "students",
            t,
        ),
        Figure("talent.offers", "Offers made", apps["offers"], "applications", t),
        Figure("talent.placements_taken", "Places taken", apps["placed"], "applications", t),
        Figure("talent.students_placed", "Students placed", apps["students_placed"], "students", t),
        Figure(
            "talent.placements_completed",
            "Placements completed",
            apps["completed"],
            "applications",
            t,
        ),
        Figure(
            "talent.placements_for_credit",
            "Places taken for academic credit",
            apps["for_credit"],
            "applications",
            t,
        ),
        Figure(
            "talent.student_evaluations",
            "Student evaluations submitted",
            apps["student_evaluations"],
            "evaluations",
            t,
        ),
        Figure(
            "talent.supervisor_evaluations",
            "Supervisor evaluations submitted",
            apps["supervisor_evaluations"],
            "evaluations",
            t,
        ),
    ]


def research_innovation(scope: Scope) -> list[Figure]:
    """Three queries: opportunities grouped by kind and status, partnerships, curriculum reviews."""
    grouped = _opportunities(scope).values("kind", "status").annotate(n=Count("pk")).order_by()
    by_kind = dict.fromkeys(OpportunityKind.values, 0)
    by_status = dict.fromkeys(OpportunityStatus.values, 0)
    for group in grouped:  # at most kinds × statuses groups, never one per row
        by_kind[group["kind"]] += group["n"]
        by_status[group["status"]] += group["n"]

    active_in_period = Q(status=PartnershipStatus.ACTIVE)
    if scope.end is not None:
        active_in_period &= Q(start_date__isnull=True) | Q(start_date__lte=scope.end)
    if scope.start is not None:
        active_in_period &= Q(end_date__isnull=True) | Q(end_date__gte=scope.start)
    partnerships = _partnerships(scope).aggregate(
        active=Count("pk", filter=active_in_period),
        started=Count(
            "pk",
            filter=Q(start_date__isnull=False)
            & ~Q(status=PartnershipStatus.PROPOSED)
            & scope.period("start_date"),
        ),
    )
    reviews = _reviews(scope).aggregate(
        requested=Count("pk", filter=scope.period("created_at")),
        completed=Count(
            "pk",
            filter=Q(status=ReviewStatus.COMPLETED) & scope.period("status_changed_at"),
        ),
    )
    r = RESEARCH
    figures = [
        Figure(
            f"research.opportunities.kind.{kind}",
            f"Opportunities posted: {OpportunityKind(kind).label}",
            count,
            "opportunities",
            r,
        )
        for kind, count in by_kind.items()
    ]
    figures += [
        Figure(
            f"research.opportunities.status.{status}",
            f"Opportunities now {OpportunityStatus(status).label.lower()}",
            count,
            "opportunities",
            r,
        )
        for status, count in by_status.items()
    ]
    figures += [
        Figure(
            "research.partnerships_active",
            "Partnerships active",
            partnerships["active"],
            "partnerships",
            r,
        ),
        Figure(
            "research.partnerships_started",
            "Partnerships started",
            partnerships["started"],
            "partnerships",
            r,
        ),
        Figure(
            "research.curriculum_reviews_requested",
            "Curriculum reviews requested",
            reviews["requested"],
            "reviews",
            r,
        ),
        Figure(
            "research.curriculum_reviews_completed",
            "Curriculum reviews completed",
            reviews["completed"],
            "reviews",
            r,
        ),
    ]
    return figures


def _funding(scope: Scope) -> list[dict]:
    """Funding recorded on partnerships (not merely proposed) that started in the period,
    summed per currency: counted once, in the period the partnership began."""
    return list(
        _partnerships(scope)
        .filter(funding_amount__isnull=False)
        .exclude(status=PartnershipStatus.PROPOSED)
        .filter(scope.period("start_date"))
        .values("funding_currency")
        .annotate(n=Count("pk"), total=Sum("funding_amount"))
        .order_by("funding_currency")
    )


def economic_growth(scope: Scope) -> list[Figure]:
    """Three queries: paid placements grouped by currency and pay period; places taken and
    hires in one aggregate; partnership funding grouped by currency.

    No single "total pay" is given: a weekly or hourly rate times an unknown duration is not a
    total. Pay offered is summed per currency and per period instead; funding likewise per
    currency (amounts in different currencies are never added up).
    """
    grouped = (
        scoped_placements(scope)
        .filter(is_paid=True)
        .values("pay_currency", "pay_period")
        .annotate(n=Count("pk"), pay=Sum("pay_amount"))
        .order_by("pay_currency", "pay_period")
    )
    groups = list(grouped)
    completed = Q(status=ApplicationStatus.COMPLETED)
    taken = scoped_applications(scope).aggregate(
        paid=Count("pk", filter=Q(status__in=TAKEN_STATUSES, placement__is_paid=True)),
        unpaid=Count("pk", filter=Q(status__in=TAKEN_STATUSES, placement__is_paid=False)),
        hired=Count("pk", filter=completed & Q(hired_after_placement=True)),
        outcomes=Count("pk", filter=completed & Q(hired_after_placement__isnull=False)),
    )
    funding = _funding(scope)
    e = ECONOMIC
    figures = [
        Figure(
            "economic.paid_placements",
            "Paid placements posted",
            sum(g["n"] for g in groups),
            "placements",
            e,
        ),
        Figure(
            "economic.paid_places_taken",
            "Places taken in paid placements",
            taken["paid"],
            "applications",
            e,
        ),
        Figure(
            "economic.unpaid_places_taken",
            "Places taken in unpaid placements",
            taken["unpaid"],
            "applications",
            e,
        ),
    ]
    for group in groups:
        currency, period = group["pay_currency"], group["pay_period"] or "unstated"
        period_label = PayPeriod(period).label if period in PayPeriod.values else "period unstated"
        figures.append(
            Figure(
                f"economic.pay_offered.{currency}.{period}",
                f"Pay offered {period_label} ({group['n']} placements)",
                group["pay"] or Decimal("0"),
                f"{currency} {period_label}",
                e,
            )
        )
    if taken["outcomes"]:
        figures.append(
            Figure(
                "economic.hires_after_placement",
                "Hires after placement",
                taken["hired"],
                "people",
                e,
            )
        )
    else:
        figures.append(
            _none_figure("economic.hires_after_placement", "Hires after placement", "people", e)
        )
    figures.append(
        Figure(
            "economic.hire_outcomes_recorded",
            "Completed placements with the hiring outcome recorded",
            taken["outcomes"],
            "applications",
            e,
        )
    )
    if funding:
        figures += [
            Figure(
                f"economic.funding_attracted.{group['funding_currency']}",
                f"Funding attracted ({group['funding_currency']})",
                group["total"],
                group["funding_currency"],
                e,
            )
            for group in funding
        ]
    else:
        figures.append(
            _none_figure("economic.funding_attracted", "Funding attracted", "currency", e)
        )
    figures.append(
        Figure(
            "economic.funding_partnerships",
            "Partnerships with funding recorded",
            sum(group["n"] for group in funding),
            "partnerships",
            e,
        )
    )
    return figures


def _registrations_per_event(condition: Q | None = None) -> Coalesce:
    """Registrations of the outer event (optionally only some), as a correlated subquery.

    A subquery rather than a join keeps one row per event, so the staff days summed beside the
    counts are not multiplied by the number of registrations.
    """
    registrations = Registration.objects.filter(event=OuterRef("pk"))
    if condition is not None:
        registrations = registrations.filter(condition)
    counted = registrations.order_by().values("event").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def event_groups(scope: Scope, audience: str | None = None) -> list[dict]:
    """One query: per kind, format and admission, the events, their registrations, confirmed
    places and attendance, and the academic staff days recorded (with how many events had them).

    ``audience`` keeps only events open to that audience (HE-BCI Table 5 wants public events).
    """
    events = scoped_events(scope)
    if audience is not None:
        events = events.filter(audience=audience)
    return list(
        events.values("kind", "format", "admission")
        .annotate(
            events=Count("pk"),
            registered=Sum(_registrations_per_event()),
            confirmed=Sum(_registrations_per_event(Q(status=RegistrationStatus.CONFIRMED))),
            attended=Sum(_registrations_per_event(Q(checked_in_at__isnull=False))),
            staff_days=Sum("academic_staff_days"),
            staff_days_recorded=Count("academic_staff_days"),
        )
        .order_by("kind", "format", "admission")
    )


def community_engagement(scope: Scope) -> list[Figure]:
    """One query (see :func:`event_groups`)."""
    groups = event_groups(scope)
    totals = {"events": 0, "registered": 0, "confirmed": 0, "attended": 0}
    staff_days, staff_days_recorded = Decimal("0"), 0
    by_kind = dict.fromkeys(EventKind.values, 0)
    by_format = dict.fromkeys(EventFormat.values, 0)
    by_admission = dict.fromkeys(Admission.values, 0)
    for group in groups:  # at most kinds × formats × admissions groups
        for name in totals:
            totals[name] += group[name] or 0
        by_kind[group["kind"]] += group["events"]
        by_format[group["format"]] += group["events"]
        by_admission[group["admission"]] += group["events"]
        staff_days += group["staff_days"] or Decimal("0")
        staff_days_recorded += group["staff_days_recorded"]
    c = COMMUNITY
    figures = [
        Figure(f"community.events.kind.{kind}", f"Events: {EventKind(kind).label}", n, "events", c)
        for kind, n in by_kind.items()
    ]
    figures += [
        Figure(
            f"community.events.format.{fmt}", f"Events: {EventFormat(fmt).label}", n, "events", c
        )
        for fmt, n in by_format.items()
    ]
    figures += [
        Figure(
            f"community.events.admission.{admission}",
            f"Events: {ADMISSION_LABELS[admission]}",
            n,
            "events",
            c,
        )
        for admission, n in by_admission.items()
    ]
    figures += [
        Figure("community.events", "Events held", totals["events"], "events", c),
        Figure(
            "community.registrations",
            "Registrations received",
            totals["registered"],
            "registrations",
            c,
        ),
        Figure(
            "community.confirmed_places",
            "Confirmed places",
            totals["confirmed"],
            "registrations",
            c,
        ),
        Figure("community.attendance", "Attendees checked in", totals["attended"], "people", c),
        Figure(
            "community.guest_lectures",
            "Guest lectures",
            by_kind[EventKind.GUEST_LECTURE],
            "events",
            c,
        ),
        Figure("community.academic_staff_days", "Academic staff time", staff_days, "days", c)
        if staff_days_recorded
        else _none_figure("community.academic_staff_days", "Academic staff time", "days", c),
        Figure(
            "community.events_with_staff_days",
            "Events with academic staff time recorded",
            staff_days_recorded,
            "events",
            c,
        ),
    ]
    return figures


BENEFIT_FUNCTIONS = {
    TALENT: talent_development,
    RESEARCH: research_innovation,
    ECONOMIC: economic_growth,
    COMMUNITY: community_engagement,
}


def all_figures(scope: Scope) -> list[Figure]:
    """Every figure, benefit by benefit, in a fixed order."""
    return [figure for function in BENEFIT_FUNCTIONS.values() for figure in function(scope)]
