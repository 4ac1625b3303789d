"""Exports of impact figures: CSV of every figure, HE-BCI Table 5 rows, KEF perspectives.

The mappings are documented in ``docs/impact.md``; change both together.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from events.models import Admission, Audience, EventFormat, EventKind
from partnerships.curriculum.exports import neutralise

from .metrics import BENEFITS, Figure, Scope, all_figures, event_groups

CSV_HEADER = ["benefit", "key", "label", "value", "unit", "note"]


def _cell(value) -> str:
    """A safe spreadsheet cell: empty for ``None``, formulas neutralised."""
    return neutralise("" if value is None else str(value))


def _csv(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(value) for value in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def figures_csv(figures: list[Figure]) -> str:
    """Every figure as one CSV row (header first); cells a spreadsheet would run are neutralised.

    A figure whose value is not recorded yet has an empty value cell and its note says so.
    """
    return _csv(
        CSV_HEADER,
        (
            (
                BENEFITS.get(figure.benefit, figure.benefit),
                figure.key,
                figure.label,
                figure.value,
                figure.unit,
                figure.note,
            )
            for figure in figures
        ),
    )


# ----------------------------------------------------------------------- HE-BCI Table 5
# HESA, HE-BCI record, "Table 5: Social, community and cultural engagement: designated public
# events" (general guidance, e.g. https://www.hesa.ac.uk/collection/c19032/hebci_b_table_5).
# Sub-heads 2a–2e; impact is returned as attendees and academic staff time (one day = eight
# hours, the event itself only), for free and for chargeable events. See docs/impact.md.

PUBLIC_LECTURES = "Public lectures"
PERFORMANCE_ARTS = "Performance arts (music, dance, drama, etc.)"
EXHIBITIONS = "Exhibitions (galleries, museums, etc.)"
MUSEUM_EDUCATION = "Museum education"
OTHER = "Other"

HEBCI_CATEGORIES = [PUBLIC_LECTURES, PERFORMANCE_ARTS, EXHIBITIONS, MUSEUM_EDUCATION, OTHER]
HEBCI_SUB_HEADS = {
    PUBLIC_LECTURES: "2a",
    PERFORMANCE_ARTS: "2b",
    EXHIBITIONS: "2c",
    MUSEUM_EDUCATION: "2d",
    OTHER: "2e",
}

# Our event kinds → HE-BCI Table 5 event types. No kind maps to performance arts or museum
# education yet: those rows appear only when a kind is added for them. ``None`` leaves the kind
# out of Table 5: HESA excludes events whose primary purpose is recruitment, and a careers fair
# is one (no exchange of the institution's knowledge with the external community).
HEBCI_EVENT_TYPE: dict[str, str | None] = {
    EventKind.GUEST_LECTURE: PUBLIC_LECTURES,
    EventKind.SEMINAR: PUBLIC_LECTURES,
    EventKind.SHOWCASE: EXHIBITIONS,
    EventKind.NETWORKING: OTHER,
    EventKind.WORKSHOP: OTHER,
    EventKind.CONFERENCE: OTHER,
    EventKind.CAREERS_FAIR: None,
}

DELIVERY = {
    EventFormat.IN_PERSON: "in person",
    EventFormat.ONLINE: "online",
    EventFormat.HYBRID: "in person and online",
}

FREE_OR_CHARGEABLE = {Admission.FREE: "free", Admission.CHARGEABLE: "chargeable"}


def hebci_event_type(kind: str, fmt: str) -> str | None:
    """The Table 5 sub-head of an event, or ``None`` when Table 5 leaves it out.

    HESA: an online event that recreates a live one keeps its sub-head (a lecture given online
    is still a public lecture), but one whose format changes significantly goes under "Other";
    its own example is an exhibition shown online. So online-only showcases count as "Other".
    """
    category = HEBCI_EVENT_TYPE[kind]
    if category == EXHIBITIONS and fmt == EventFormat.ONLINE:
        return OTHER
    return category


def hebci_table5_rows(scope: Scope) -> list[dict]:
    """HE-BCI Table 5: one row per event type, free or chargeable, and delivery, for events in
    the scope that are open to the public (``audience=public``). One query.

    ``attendees`` are people checked in; ``academic_staff_days`` is the sum of the days recorded
    on those events, ``None`` when none of them has it recorded (``events_with_staff_days`` says
    how many did, so a partial figure is visible as partial).
    """
    totals: dict[tuple[str, str, str], dict] = {}
    for group in event_groups(scope, audience=Audience.PUBLIC):  # bounded: kinds × formats × 2
        category = hebci_event_type(group["kind"], group["format"])
        if category is None:
            continue
        key = (category, group["admission"], group["format"])
        row = totals.setdefault(
            key,
            {"events": 0, "attendees": 0, "days": Decimal("0"), "with_days": 0, "kinds": []},
        )
        row["events"] += group["events"]
        row["attendees"] += group["attended"] or 0
        row["days"] += group["staff_days"] or Decimal("0")
        row["with_days"] += group["staff_days_recorded"]
        label = str(EventKind(group["kind"]).label)
        if label not in row["kinds"]:
            row["kinds"].append(label)
    admissions, formats = list(Admission.values), list(EventFormat.values)
    rows = []
    for (category, admission, fmt), row in sorted(
        totals.items(),
        key=lambda item: (
            HEBCI_CATEGORIES.index(item[0][0]),
            admissions.index(item[0][1]),
            formats.index(item[0][2]),
        ),
    ):
        rows.append(
            {
                "sub_head": HEBCI_SUB_HEADS[category],
                "event_type": category,
                "free_or_charged": FREE_OR_CHARGEABLE[admission],
                "delivery": DELIVERY[fmt],
                "events": row["events"],
                "attendees": row["attendees"],
                "academic_staff_days": row["days"] if row["with_days"] else None,
                "events_with_staff_days": row["with_days"],
                "our_event_kinds": ", ".join(row["kinds"]),
            }
        )
    return rows


HEBCI_CSV_COLUMNS = [
    ("sub_head", "Sub-head"),
    ("event_type", "Event type"),
    ("free_or_charged", "Free or chargeable"),
    ("delivery", "Delivery"),
    ("events", "Events"),
    ("attendees", "Attendees"),
    ("academic_staff_days", "Academic staff time (days)"),
    ("events_with_staff_days", "Events with staff time recorded"),
    ("our_event_kinds", "Tandem event kinds"),
]


def hebci_table5_csv(rows: list[dict]) -> str:
    """The Table 5 rows as CSV; staff time not recorded is an empty cell."""
    return _csv(
        [label for _key, label in HEBCI_CSV_COLUMNS],
        ([row[key] for key, _label in HEBCI_CSV_COLUMNS] for row in rows),
    )


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
    ("economic.funding_", WORKING_WITH_BUSINESS),
    ("economic.", SKILLS),
    ("community.events.kind.", PUBLIC_ENGAGEMENT),
    ("community.events.admission.", PUBLIC_ENGAGEMENT),
    ("community.events", PUBLIC_ENGAGEMENT),
    ("community.registrations", PUBLIC_ENGAGEMENT),
    ("community.confirmed_places", PUBLIC_ENGAGEMENT),
    ("community.attendance", PUBLIC_ENGAGEMENT),
    ("community.guest_lectures", PUBLIC_ENGAGEMENT),
    ("community.academic_staff_days", PUBLIC_ENGAGEMENT),
    ("community.events_with_staff_days", PUBLIC_ENGAGEMENT),
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


KEF_CSV_HEADER = ["perspective", "key", "label", "value", "unit", "note"]


def kef_csv(grouped: dict[str, list[Figure]]) -> str:
    """The figures grouped by KEF perspective, one row each; a perspective with no figure of ours
    gets one row with empty cells, so every perspective appears."""

    def rows():
        for perspective, figures in grouped.items():
            if not figures:
                yield (perspective, "", "", None, "", "no Tandem figure maps here")
            for figure in figures:
                yield (
                    perspective, figure.key, figure.label, figure.value, figure.unit, figure.note
                )  # fmt: skip

    return _csv(KEF_CSV_HEADER, rows())
