"""One short sentence per figure, shown beside it on the dashboards.

The full definitions (which rows, which dates, which statuses) are in ``docs/impact.md``; these
say the same in words a reader of the dashboard needs. A pattern matches its exact key and the
keys below it (``economic.funding_attracted`` also covers ``economic.funding_attracted.EUR``);
the first match wins.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EXPLANATIONS: list[tuple[str, str]] = [
    (
        "talent.placements_posted",
        _("Placements published in the period (for a university: those its students applied to)."),
    ),
    ("talent.positions_offered", _("Positions those placements offered in total.")),
    (
        "talent.applications",
        _(
            "Applications submitted in the period (for a university: by its students; for a "
            "studio: to its placements)."
        ),
    ),
    ("talent.students_applying", _("Different students among those applications.")),
    ("talent.offers", _("Applications that reached an offer (and were not since withdrawn).")),
    ("talent.placements_taken", _("Offers accepted, including placements since completed.")),
    ("talent.students_placed", _("Different students who accepted a place.")),
    ("talent.placements_completed", _("Placements marked completed after they ended.")),
    ("talent.placements_for_credit", _("Places taken that count for academic credit.")),
    ("talent.student_evaluations", _("Evaluations students wrote at the end of a placement.")),
    ("talent.supervisor_evaluations", _("Evaluations written by placement supervisors.")),
    (
        "research.opportunities.kind.",
        _("Calls published in the period, of this kind (posted, or answered with a proposal)."),
    ),
    ("research.opportunities.status.", _("Those calls by where they stand today.")),
    ("research.partnerships_active", _("Partnerships active at some time in the period.")),
    ("research.partnerships_started", _("Partnerships whose start date is in the period.")),
    ("research.curriculum_reviews_requested", _("Curriculum reviews asked for in the period.")),
    ("research.curriculum_reviews_completed", _("Curriculum reviews completed in the period.")),
    ("economic.paid_placements", _("Published placements that pay.")),
    ("economic.paid_places_taken", _("Places taken in placements that pay.")),
    ("economic.unpaid_places_taken", _("Places taken in unpaid placements.")),
    (
        "economic.pay_offered.",
        _("Pay advertised, added up per currency and pay period (a rate, not a total earned)."),
    ),
    (
        "economic.hires_after_placement",
        _("Students the host organisation hired after a completed placement."),
    ),
    (
        "economic.hire_outcomes_recorded",
        _("Completed placements whose host said whether it hired the student."),
    ),
    (
        "economic.funding_attracted",
        _("Funding recorded on partnerships that started in the period, per currency."),
    ),
    ("economic.funding_partnerships", _("Partnerships with a funding amount recorded.")),
    ("community.events.kind.", _("Events held in the period, of this kind.")),
    ("community.events.format.", _("Events held in the period, by how people attend.")),
    ("community.events.admission.", _("Events held in the period, free or chargeable.")),
    (
        "community.events",
        _("Published or completed events starting in the period (organised, or by a partnership)."),
    ),
    ("community.registrations", _("Every registration to those events, whatever its status.")),
    ("community.confirmed_places", _("Registrations holding a confirmed place.")),
    ("community.attendance", _("People checked in at the door (or online).")),
    ("community.guest_lectures", _("Guest lectures among those events.")),
    (
        "community.academic_staff_days",
        _("Academic staff time given to those events, in days of eight hours."),
    ),
    (
        "community.events_with_staff_days",
        _("Events whose organisers recorded the academic staff time."),
    ),
]


def explain(key: str) -> str:
    """The sentence for a figure key, or an empty string."""
    for pattern, text in EXPLANATIONS:
        prefix = pattern if pattern.endswith(".") else pattern + "."
        if key == pattern or key.startswith(prefix):
            return str(text)
    return ""
