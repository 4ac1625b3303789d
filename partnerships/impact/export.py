"""Exports of impact figures: CSV of every figure, HE-BCI Table 5 rows, KEF perspectives.

The mappings are documented in ``docs/impact.md``; change both together.
"""

from __future__ import annotations

import csv
import io

from events.models import Audience, EventFormat, EventKind
from partnerships.curriculum.exports import neutralise

from .metrics import BENEFITS, Figure, Scope, all_figures, event_groups

CSV_HEADER = ["benefit", "key", "label", "value", "unit", "note"]


def figures_csv(figures: list[Figure]) -> str:
    """Every figure as one CSV row (header first); cells a spreadsheet would run are neutralised.

    A figure whose value is not recorded yet has an empty value cell and its note says so.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for figure in figures:
        writer.writerow(
            [
                neutralise(str(value))
                for value in (
                    BENEFITS.get(figure.benefit, figure.benefit),
                    figure.key,
                    figure.label,
                    "" if figure.value is None else figure.value,
                    figure.unit,
                    figure.note,
                )
            ]
        )
    return out.getvalue()


# ----------------------------------------------------------------------- HE-BCI Table 5

PUBLIC_LECTURES = "Public lectures"
PERFORMANCE_ARTS = "Performance arts (music, dance, drama, etc.)"
EXHIBITIONS = "Exhibitions (galleries, museums, etc.)"
MUSEUM_EDUCATION = "Museum education"
OTHER = "Other"

HEBCI_CATEGORIES = [PUBLIC_LECTURES, PERFORMANCE_ARTS, EXHIBITIONS, MUSEUM_EDUCATION, OTHER]

# Our event kinds → HE-BCI Table 5 event types. No kind maps to performance arts or museum
# education yet: those rows appear only when a kind is added for them.
HEBCI_EVENT_TYPE = {
    EventKind.GUEST_LECTURE: PUBLIC_LECTURES,
    EventKind.SEMINAR: PUBLIC_LECTURES,
    EventKind.SHOWCASE: EXHIBITIONS,
    EventKind.NETWORKING: OTHER,
    EventKind.WORKSHOP: OTHER,
    EventKind.CONFERENCE: OTHER,
    EventKind.CAREERS_FAIR: OTHER,
}

DELIVERY = {
    EventFormat.IN_PERSON: "in person",
    EventFormat.ONLINE: "online",
    EventFormat.HYBRID: "in person and online",
}

UNKNOWN = "unknown"


def hebci_table5_rows(scope: Scope) -> list[dict]:
    """HE-BCI Table 5 (social, community and cultural engagement): one row per event type and
    delivery, for events open to the public (``audience=public``) in the scope.

    One query. ``academic_staff_days`` is None and ``free_or_charged`` is ``"unknown"``: the
    platform does not record staff time or ticket prices yet.
    """
    totals: dict[tuple[str, str], dict] = {}
    for group in event_groups(scope, audience=Audience.PUBLIC):  # bounded: kinds × formats
        key = (HEBCI_EVENT_TYPE[group["kind"]], group["format"])
        row = totals.setdefault(key, {"events": 0, "attendees": 0, "kinds": []})
        row["events"] += group["events"]
        row["attendees"] += group["attended"]
        row["kinds"].append(EventKind(group["kind"]).label)
    rows = []
    formats = list(EventFormat.values)
    for (category, fmt), row in sorted(
        totals.items(),
        key=lambda item: (HEBCI_CATEGORIES.index(item[0][0]), formats.index(item[0][1])),
    ):
        rows.append(
            {
                "event_type": category,
                "our_event_kinds": ", ".join(str(kind) for kind in row["kinds"]),
                "events": row["events"],
                "attendees": row["attendees"],
                "academic_staff_days": None,
                "free_or_charged": UNKNOWN,
                "delivery": DELIVERY[fmt],
            }
        )
    return rows


# ----------------------------------------------------------------------- KEF perspectives

RESEARCH_PARTNERSHIPS = "Research partnerships"
WORKING_WITH_BUSINESS = "Working with business"
PUBLIC_THIRD_SECTOR = "Working with the public and third sector"
SKILLS = "Skills, enterprise and entrepreneurship"
LOCAL_GROWTH = "Local growth and regeneration"
IP_COMMERCIALISATION = "IP and commercialisation"
PUBLIC_ENGAGEMENT = "Public and community engagement"

KEF_PERSPECTIVES = [
    RESEARCH_PARTNERSHIPS,
    WORKING_WITH_BUSINESS,
    PUBLIC_THIRD_SECTOR,
    SKILLS,
    LOCAL_GROWTH,
    IP_COMMERCIALISATION,
    PUBLIC_ENGAGEMENT,
]

# Figure key (exact, or a prefix ending in ".") → KEF perspective. First match wins; figures that
# match nothing (opportunities by status, events by format) are context, not KEF figures.
KEF_MAPPING: list[tuple[str, str]] = [
    ("talent.", SKILLS),
    ("research.opportunities.kind.research", RESEARCH_PARTNERSHIPS),
    ("research.opportunities.kind.consultancy", WORKING_WITH_BUSINESS),
    ("research.opportunities.kind.workshop", WORKING_WITH_BUSINESS),
    ("research.opportunities.kind.live_brief", SKILLS),
    ("research.opportunities.kind.guest_lecture", SKILLS),
    ("research.opportunities.kind.curriculum_review", SKILLS),
    ("research.partnerships_", WORKING_WITH_BUSINESS),
    ("research.curriculum_reviews_", SKILLS),
    ("economic.funding_attracted", WORKING_WITH_BUSINESS),
    ("economic.", SKILLS),
    ("community.events.kind.", PUBLIC_ENGAGEMENT),
    ("community.events", PUBLIC_ENGAGEMENT),
    ("community.registrations", PUBLIC_ENGAGEMENT),
    ("community.confirmed_places", PUBLIC_ENGAGEMENT),
    ("community.attendance", PUBLIC_ENGAGEMENT),
    ("community.guest_lectures", PUBLIC_ENGAGEMENT),
    ("community.academic_staff_days", PUBLIC_ENGAGEMENT),
    ("community.free_or_charged", PUBLIC_ENGAGEMENT),
]


def kef_perspective(key: str) -> str | None:
    for pattern, perspective in KEF_MAPPING:
        if key == pattern or (pattern.endswith((".", "_")) and key.startswith(pattern)):
            return perspective
    return None


def kef_perspectives(scope: Scope, figures: list[Figure] | None = None) -> dict[str, list[Figure]]:
    """Figures grouped by the seven KEF perspectives, in KEF order (some stay empty)."""
    grouped: dict[str, list[Figure]] = {perspective: [] for perspective in KEF_PERSPECTIVES}
    for figure in all_figures(scope) if figures is None else figures:
        perspective = kef_perspective(figure.key)
        if perspective is not None:
            grouped[perspective].append(figure)
    return grouped
