"""Reads for the impact dashboards: whose dashboards a person may open, and the dashboard itself
(the figures of ``metrics`` with their explanations and charts).

The dashboard runs a fixed number of queries whatever the number of rows: the benefit functions
(see ``metrics``) plus three grouped queries for the charts (applications by stage, placements
and registrations per month). Charts of kinds, statuses and places reuse the figures.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateField, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from partnerships.organisations.models import Membership, Organisation
from partnerships.placements.models import ApplicationStatus

from . import metrics
from .charts import Bar, Chart
from .definitions import explain
from .metrics import Figure, Scope

MAX_MONTHS = 36  # beyond this a per-month chart is unreadable: the series is shown per year


def impact_organisations(user) -> QuerySet[Organisation]:
    """The organisations whose dashboard the person may open as a member, by name."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    member_of = Membership.objects.filter(user=user).values("organisation_id")
    return Organisation.objects.filter(pk__in=member_of).order_by("name", "pk")


@dataclass
class FigureRow:
    figure: Figure
    explanation: str

    @property
    def display_value(self) -> str:
        value = self.figure.value
        if value is None:
            return ""
        if isinstance(value, int):
            return f"{value:,}"
        return f"{value:,.2f}"


@dataclass
class Section:
    key: str
    title: str
    rows: list[FigureRow]
    charts: list[Chart]


# ------------------------------------------------------------------------------- chart queries


def applications_by_stage(scope: Scope) -> dict[str, int]:
    """Submitted applications in the scope by their current stage (one query)."""
    rows = metrics.scoped_applications(scope).values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in rows}


def _per_month(queryset: QuerySet, field: str, counted: str = "pk") -> dict[datetime.date, int]:
    rows = (
        queryset.annotate(month=TruncMonth(field, output_field=DateField()))
        .values("month")
        .annotate(n=Count(counted))
        .order_by("month")
    )
    return {row["month"]: row["n"] for row in rows if row["month"] is not None}


def placements_per_month(scope: Scope) -> dict[datetime.date, int]:
    """Placements posted, by the month of publication (one query)."""
    return _per_month(metrics.scoped_placements(scope), "published_at")


def registrations_per_month(scope: Scope) -> dict[datetime.date, int]:
    """Registrations, by the month their event starts, so the series adds up to
    ``community.registrations`` (one query)."""
    return _per_month(metrics.scoped_events(scope), "starts_at", counted="registrations")


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def series(counts: dict[datetime.date, int], scope: Scope) -> list[Bar]:
    """One bar per month of the period (empty months included), or per year when the period
    is longer than ``MAX_MONTHS``. An open end takes the first or last month with data."""
    known = sorted(counts)
    first = _month(scope.start) if scope.start else (known[0] if known else None)
    last = _month(scope.end) if scope.end else (known[-1] if known else None)
    if first is None or last is None or last < first:
        return []
    months = []
    day = first
    while day <= last and len(months) <= MAX_MONTHS:
        months.append(day)
        day = _next_month(day)
    if len(months) > MAX_MONTHS:
        years: dict[int, int] = {}
        for year in range(first.year, last.year + 1):
            years[year] = 0
        for month, n in counts.items():
            if month.year in years:
                years[month.year] += n
        return [Bar(str(year), n) for year, n in years.items()]
    return [Bar(date_format(month, "M Y"), counts.get(month, 0)) for month in months]


# ----------------------------------------------------------------------------------- dashboard


def _bars(figures: dict[str, Figure], prefix: str, label_prefix: str = "") -> list[Bar]:
    return [
        Bar(figure.label.removeprefix(label_prefix), figure.value)
        for key, figure in figures.items()
        if key.startswith(prefix) and isinstance(figure.value, int)
    ]


def impact_dashboard(scope: Scope, *, id_prefix: str = "chart") -> list[Section]:
    """The four benefit sections, each with its figures explained and its charts."""
    figures = metrics.all_figures(scope)
    by_key = {figure.key: figure for figure in figures}
    stages = applications_by_stage(scope)
    placements = placements_per_month(scope)
    registrations = registrations_per_month(scope)
    period_months = series(placements, scope)

    charts = {
        metrics.TALENT: [
            Chart(
                f"{id_prefix}-stages",
                _("Applications by stage"),
                _("Submitted applications in the period, by the stage they are at today."),
                _("Stage"),
                _("Applications"),
                [
                    Bar(str(label), stages.get(value, 0))
                    for value, label in ApplicationStatus.choices
                    if value != ApplicationStatus.DRAFT
                ],
            ),
            Chart(
                f"{id_prefix}-placements-monthly",
                _("Placements posted per month"),
                _("Placements published, by the month they were published."),
                _("Month"),
                _("Placements"),
                period_months,
                kind="months",
            ),
        ],
        metrics.RESEARCH: [
            Chart(
                f"{id_prefix}-opportunity-kinds",
                _("Opportunities by kind"),
                _("Calls published in the period, by kind."),
                _("Kind"),
                _("Opportunities"),
                _bars(by_key, "research.opportunities.kind.", "Opportunities posted: "),
            ),
            Chart(
                f"{id_prefix}-opportunity-statuses",
                _("Opportunities by current status"),
                _("The same calls, by where they stand today."),
                _("Status"),
                _("Opportunities"),
                _bars(by_key, "research.opportunities.status.", "Opportunities now "),
            ),
        ],
        metrics.ECONOMIC: [
            Chart(
                f"{id_prefix}-places-paid",
                _("Places taken, paid and unpaid"),
                _("Places taken in the period's applications, in paid and in unpaid placements."),
                _("Placements"),
                _("Places taken"),
                [
                    Bar(_("Paid"), by_key["economic.paid_places_taken"].value),
                    Bar(_("Unpaid"), by_key["economic.unpaid_places_taken"].value),
                ],
            ),
        ],
        metrics.COMMUNITY: [
            Chart(
                f"{id_prefix}-event-kinds",
                _("Events by kind"),
                _("Published or completed events starting in the period, by kind."),
                _("Kind"),
                _("Events"),
                _bars(by_key, "community.events.kind.", "Events: "),
            ),
            Chart(
                f"{id_prefix}-registrations-monthly",
                _("Registrations per month"),
                _("Registrations to those events, by the month the event starts."),
                _("Month"),
                _("Registrations"),
                series(registrations, scope),
                kind="months",
            ),
        ],
    }
    sections = []
    for key, title in metrics.BENEFITS.items():
        rows = [FigureRow(f, explain(f.key)) for f in figures if f.benefit == key]
        sections.append(Section(key, title, rows, charts[key]))
    return sections


# The figure that best sums up each benefit, shown first (funding: every currency recorded).
HEADLINE_KEYS = (
    "talent.students_placed",
    "research.partnerships_active",
    "economic.funding_attracted",
    "community.events",
    "community.attendance",
)


def headlines(sections: list[Section]) -> list[FigureRow]:
    """A few figures from the sections already computed (no query): one glance before the
    tables. Figures not recorded yet are left out rather than shown as blanks."""
    rows = {row.figure.key: row for section in sections for row in section.rows}
    chosen = []
    for key in HEADLINE_KEYS:
        matching = [row for k, row in rows.items() if k == key or k.startswith(f"{key}.")]
        chosen.extend(row for row in matching if row.figure.value is not None)
    return chosen
