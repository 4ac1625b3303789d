"""Every figure against the hand-counted world in conftest.py, for each kind of scope."""

import csv
import datetime
import io
from decimal import Decimal

import pytest

from partnerships.impact import export, metrics
from partnerships.impact.metrics import NOT_RECORDED, Figure, Scope

from .conftest import END, START, build_world

pytestmark = pytest.mark.django_db


def values(figures: list[Figure]) -> dict:
    return {figure.key: figure.value for figure in figures}


# ------------------------------------------------------------------------- talent development

TALENT_PLATFORM = {
    "talent.placements_posted": 5,  # P1 P2 P3 P4 P7 (P5 old, P6 draft)
    "talent.positions_offered": 6,
    "talent.applications": 7,  # a1–a7 (a8 old, a9 draft)
    "talent.students_applying": 4,
    "talent.offers": 5,  # a1 a2 a4 a5 a6
    "talent.placements_taken": 3,  # a1 a2 a5
    "talent.students_placed": 3,
    "talent.placements_completed": 2,  # a1 a5
    "talent.placements_for_credit": 1,  # a5
    "talent.student_evaluations": 2,  # a1 a2
    "talent.supervisor_evaluations": 2,  # a1 a5
}
TALENT_UNI = {
    "talent.placements_posted": 3,  # its students applied to P1 P2 P4 (P5 old)
    "talent.positions_offered": 4,
    "talent.applications": 4,  # a1 a2 a3 a6
    "talent.students_applying": 2,
    "talent.offers": 3,  # a1 a2 a6
    "talent.placements_taken": 2,
    "talent.students_placed": 2,
    "talent.placements_completed": 1,
    "talent.placements_for_credit": 0,
    "talent.student_evaluations": 2,
    "talent.supervisor_evaluations": 1,
}
TALENT_STUDIO = {
    "talent.placements_posted": 3,  # P1 P2 P3
    "talent.positions_offered": 4,
    "talent.applications": 5,  # a1–a5
    "talent.students_applying": 3,
    "talent.offers": 4,  # a1 a2 a4 a5
    "talent.placements_taken": 3,
    "talent.students_placed": 3,
    "talent.placements_completed": 2,
    "talent.placements_for_credit": 1,
    "talent.student_evaluations": 2,
    "talent.supervisor_evaluations": 2,
}


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, TALENT_PLATFORM), ("uni", TALENT_UNI), ("studio", TALENT_STUDIO)],
)
def test_talent_development(world, period_scope, who, expected):
    scope = period_scope(world[who] if who else None)
    figures = metrics.talent_development(scope)
    assert values(figures) == expected
    assert {figure.benefit for figure in figures} == {metrics.TALENT}


def test_talent_without_period_counts_everything(world):
    got = values(metrics.talent_development(Scope()))
    assert got["talent.placements_posted"] == 6  # P1–P5, P7
    assert got["talent.applications"] == 8  # a1–a8
    assert got["talent.placements_completed"] == 3


def test_talent_sector_filter(world, sectors, period_scope):
    got = values(metrics.talent_development(period_scope(sector=sectors["film"])))
    assert got["talent.placements_posted"] == 2  # P4 P7
    assert got["talent.applications"] == 2  # a6 a7
    assert got["talent.placements_taken"] == 0


def test_period_edges_are_inclusive(world, period_scope):
    one_day = period_scope(start=START.replace(month=3, day=15), end=END.replace(month=3, day=15))
    assert values(metrics.talent_development(one_day))["talent.applications"] == 7
    before = period_scope(start=START, end=START.replace(month=3, day=14))
    assert values(metrics.talent_development(before))["talent.applications"] == 0


# ---------------------------------------------------------------------- research & innovation


def kinds(got: dict, prefix: str) -> dict:
    return {key.removeprefix(prefix): n for key, n in got.items() if key.startswith(prefix) and n}


@pytest.mark.parametrize(
    ("who", "by_kind", "by_status", "partnerships", "reviews"),
    [
        (
            None,
            {"research": 1, "guest_lecture": 1, "workshop": 1},
            {"open": 1, "agreed": 1, "completed": 1},
            (3, 2),  # active PS1 PS3 PS5; started PS3 PS5
            (2, 2),  # requested R2 R3; completed R1 R3
        ),
        (
            "uni",
            {"guest_lecture": 1, "workshop": 1},  # O2 posted, O3 proposed to
            {"agreed": 1, "completed": 1},
            (2, 1),  # active PS1 PS5; started PS5
            (1, 1),
        ),
        (
            "studio",
            {"research": 1, "guest_lecture": 1},  # O1 posted, O2 proposed to
            {"open": 1, "agreed": 1},
            (2, 1),
            (0, 1),  # reviewed R1
        ),
        ("other", {"workshop": 1}, {"completed": 1}, (1, 1), (1, 1)),  # PS5; reviewed R3
    ],
)
def test_research_innovation(world, period_scope, who, by_kind, by_status, partnerships, reviews):
    got = values(metrics.research_innovation(period_scope(world[who] if who else None)))
    assert kinds(got, "research.opportunities.kind.") == by_kind
    assert kinds(got, "research.opportunities.status.") == by_status
    assert (got["research.partnerships_active"], got["research.partnerships_started"]) == (
        partnerships
    )
    assert (
        got["research.curriculum_reviews_requested"],
        got["research.curriculum_reviews_completed"],
    ) == reviews
    # every kind and status is listed, zero or not
    assert "research.opportunities.kind.consultancy" in got
    assert "research.opportunities.status.cancelled" in got


def test_research_sector_filter(world, sectors, period_scope):
    got = values(metrics.research_innovation(period_scope(sector=sectors["games"])))
    assert kinds(got, "research.opportunities.kind.") == {"research": 1}
    assert got["research.partnerships_active"] == 2  # studio is in games
    assert got["research.curriculum_reviews_completed"] == 0  # reviews carry no sector here


# ---------------------------------------------------------------------------- economic growth


@pytest.mark.parametrize(
    ("who", "expected", "pay"),
    [
        (
            None,
            {"paid_placements": 4, "paid_places_taken": 2, "unpaid_places_taken": 1},
            {
                "EUR.total": Decimal("500"),
                "GBP.month": Decimal("2000"),
                "GBP.week": Decimal("750"),  # P1 450 + P7 300
            },
        ),
        (
            "uni",
            {"paid_placements": 3, "paid_places_taken": 2, "unpaid_places_taken": 0},
            {"EUR.total": Decimal("500"), "GBP.month": Decimal("2000"), "GBP.week": Decimal("450")},
        ),
        (
            "studio",
            {"paid_placements": 2, "paid_places_taken": 2, "unpaid_places_taken": 1},
            {"GBP.month": Decimal("2000"), "GBP.week": Decimal("450")},
        ),
    ],
)
def test_economic_growth(world, period_scope, who, expected, pay):
    figures = metrics.economic_growth(period_scope(world[who] if who else None))
    got = values(figures)
    assert {key: got[f"economic.{key}"] for key in expected} == expected
    assert kinds(got, "economic.pay_offered.") == pay
    units = {f.key: f.unit for f in figures if f.key.startswith("economic.pay_offered.")}
    assert units["economic.pay_offered.GBP.week"] == "GBP per week"


@pytest.mark.parametrize(
    ("who", "hires", "outcomes", "funding", "funding_partnerships"),
    [
        # a1 hired, a5 not (a8 hired, but submitted before the period); PS3 and PS5 started in
        # the period (PS1, PS2 before it; PS4 only proposed)
        (None, 1, 2, {"GBP": Decimal("5000.50"), "EUR": Decimal("3000")}, 2),
        ("uni", 1, 1, {"EUR": Decimal("3000")}, 1),  # a1; PS5
        ("uni2", 0, 1, {"GBP": Decimal("5000.50")}, 1),  # a5 said no: 0, not "not recorded"
        ("studio", 1, 2, {"GBP": Decimal("5000.50")}, 1),  # a1 a5; PS3
        ("other", None, 0, {"EUR": Decimal("3000")}, 1),  # no completed placement; PS5
    ],
)
def test_hires_and_funding(
    world, period_scope, who, hires, outcomes, funding, funding_partnerships
):
    figures = {f.key: f for f in metrics.economic_growth(period_scope(world[who] if who else None))}
    assert figures["economic.hires_after_placement"].value == hires
    expected_note = "" if hires is not None else NOT_RECORDED
    assert figures["economic.hires_after_placement"].note == expected_note
    assert figures["economic.hire_outcomes_recorded"].value == outcomes
    got = {
        key.rsplit(".", 1)[1]: f.value
        for key, f in figures.items()
        if key.startswith("economic.funding_attracted.")
    }
    assert got == funding
    assert figures["economic.funding_partnerships"].value == funding_partnerships
    assert "economic.funding_attracted" not in figures  # per currency only, never added up
    for currency in funding:
        assert figures[f"economic.funding_attracted.{currency}"].unit == currency


def test_funding_without_period_counts_every_confirmed_partnership(world):
    figures = values(metrics.economic_growth(Scope()))
    assert figures["economic.funding_attracted.GBP"] == Decimal("15000.50")  # PS1 + PS3
    assert figures["economic.funding_attracted.EUR"] == Decimal("5000")  # PS2 + PS5
    assert figures["economic.funding_partnerships"] == 4  # PS4 proposed: not counted
    assert figures["economic.hires_after_placement"] == 2  # a1 a8
    assert figures["economic.hire_outcomes_recorded"] == 3  # a1 a5 a8


def test_nothing_recorded_is_none_not_invented(world, period_scope):
    """A period with no rows: the fields nobody filled in are None with the note, counts are 0."""
    empty = period_scope(start=datetime.date(2023, 1, 1), end=datetime.date(2023, 12, 31))
    figures = {f.key: f for f in metrics.all_figures(empty)}
    for key in (
        "economic.hires_after_placement",
        "economic.funding_attracted",
        "community.academic_staff_days",
    ):
        assert figures[key].value is None
        assert figures[key].note == NOT_RECORDED
    assert figures["economic.hire_outcomes_recorded"].value == 0
    assert figures["economic.funding_partnerships"].value == 0
    assert figures["community.events_with_staff_days"].value == 0
    assert figures["talent.applications"].value == 0


# ----------------------------------------------------------------------- community engagement

COMMUNITY_PLATFORM = {
    "community.events": 4,  # E1 E2 E3 E6 (E4 cancelled, E5 old)
    "community.registrations": 10,
    "community.confirmed_places": 7,
    "community.attendance": 5,
    "community.guest_lectures": 2,
}
COMMUNITY_UNI = {  # E2 organised, E3 through partnership PS2
    "community.events": 2,
    "community.registrations": 5,
    "community.confirmed_places": 3,
    "community.attendance": 3,
    "community.guest_lectures": 0,
}
COMMUNITY_STUDIO = {  # E1, E6
    "community.events": 2,
    "community.registrations": 5,
    "community.confirmed_places": 4,
    "community.attendance": 2,
    "community.guest_lectures": 2,
}

COMMUNITY_UNI2 = {  # E6 through partnership PS3
    "community.events": 1,
    "community.registrations": 1,
    "community.confirmed_places": 1,
    "community.attendance": 0,
    "community.guest_lectures": 1,
}


@pytest.mark.parametrize(
    ("who", "expected", "by_kind"),
    [
        (None, COMMUNITY_PLATFORM, {"guest_lecture": 2, "showcase": 1, "workshop": 1}),
        ("uni", COMMUNITY_UNI, {"showcase": 1, "workshop": 1}),
        ("studio", COMMUNITY_STUDIO, {"guest_lecture": 2}),
        ("uni2", COMMUNITY_UNI2, {"guest_lecture": 1}),
    ],
)
def test_community_engagement(world, period_scope, who, expected, by_kind):
    got = values(metrics.community_engagement(period_scope(world[who] if who else None)))
    assert {key: got[key] for key in expected} == expected
    assert kinds(got, "community.events.kind.") == by_kind


@pytest.mark.parametrize(
    ("who", "staff_days", "with_days", "admission"),
    [
        # E1 1.5 + E3 0.5 + E6 0.25 (E2 none recorded; E4 cancelled, E5 before the period)
        (None, Decimal("2.25"), 3, {"free": 2, "chargeable": 2}),  # free E1 E3; charged E2 E6
        ("uni", Decimal("0.5"), 1, {"free": 1, "chargeable": 1}),  # E3 (via PS2), E2
        ("studio", Decimal("1.75"), 2, {"free": 1, "chargeable": 1}),  # E1, E6
        ("uni2", Decimal("0.25"), 1, {"chargeable": 1}),  # E6 via PS3
        ("other", Decimal("0.5"), 1, {"free": 1}),  # E3
    ],
)
def test_staff_days_and_admission(world, period_scope, who, staff_days, with_days, admission):
    got = values(metrics.community_engagement(period_scope(world[who] if who else None)))
    assert got["community.academic_staff_days"] == staff_days
    assert got["community.events_with_staff_days"] == with_days
    assert kinds(got, "community.events.admission.") == admission


def test_staff_days_only_from_events_that_recorded_them(world, sectors, period_scope):
    """The games sector (E1, E6) records both; nothing is guessed for E2, which did not."""
    games = values(metrics.community_engagement(period_scope(sector=sectors["games"])))
    assert games["community.academic_staff_days"] == Decimal("1.75")
    everything = values(metrics.community_engagement(Scope()))
    assert everything["community.academic_staff_days"] == Decimal("3.25")  # + E5 (E4 cancelled)
    assert everything["community.events_with_staff_days"] == 4


def test_community_format_and_sector(world, sectors, period_scope):
    got = values(metrics.community_engagement(period_scope()))
    assert kinds(got, "community.events.format.") == {"in_person": 1, "hybrid": 1, "online": 2}
    games = values(metrics.community_engagement(period_scope(sector=sectors["games"])))
    assert games["community.events"] == 2  # E1 E6
    assert games["community.attendance"] == 2


# ------------------------------------------------------------------------------ query counts


def test_query_count_does_not_grow_with_rows(
    world, sectors, django_assert_num_queries, period_scope
):
    scope = period_scope()
    uni_scope = period_scope(world["uni"])
    with django_assert_num_queries(9) as first:
        metrics.all_figures(scope)
    with django_assert_num_queries(9):
        metrics.all_figures(uni_scope)
    build_world(sectors["games"], sectors["film"])  # twice the rows
    with django_assert_num_queries(len(first.captured_queries)):
        doubled = values(metrics.all_figures(scope))
    assert doubled["talent.applications"] == 14
    assert doubled["community.attendance"] == 10
    assert doubled["economic.pay_offered.GBP.week"] == Decimal("1500")
    assert doubled["economic.funding_attracted.GBP"] == Decimal("10001.00")
    assert doubled["community.academic_staff_days"] == Decimal("4.50")
    with django_assert_num_queries(1):
        export.hebci_table5_rows(scope)


# ------------------------------------------------------------------------------------ exports


def test_csv_parses_back_to_the_same_figures(world, period_scope):
    figures = metrics.all_figures(period_scope(world["studio"]))
    rows = list(csv.reader(io.StringIO(export.figures_csv(figures))))
    assert rows[0] == export.CSV_HEADER
    assert len(rows) == len(figures) + 1
    by_key = {row[1]: row for row in rows[1:]}
    for figure in figures:
        row = by_key[figure.key]
        if figure.value is None:
            assert row[3] == ""
            assert row[5] == NOT_RECORDED
        elif isinstance(figure.value, Decimal):
            assert Decimal(row[3]) == figure.value
        else:
            assert int(row[3]) == figure.value
    assert by_key["talent.applications"][0] == "Talent development"


def test_csv_neutralises_formulas():
    figures = [Figure("x.evil", "=cmd|' /C calc'!A0", 1, "@units", metrics.TALENT, "+note")]
    rows = list(csv.reader(io.StringIO(export.figures_csv(figures))))
    assert rows[1][2] == "'=cmd|' /C calc'!A0"
    assert rows[1][4] == "'@units"
    assert rows[1][5] == "'+note"


def test_hebci_table5_rows(world, period_scope):
    rows = export.hebci_table5_rows(period_scope())
    # E3 is for students only, so not public engagement; E4 cancelled; E5 before the period.
    assert [
        (
            r["sub_head"],
            r["event_type"],
            r["free_or_charged"],
            r["delivery"],
            r["events"],
            r["attendees"],
            r["academic_staff_days"],
            r["events_with_staff_days"],
        )
        for r in rows
    ] == [
        ("2a", export.PUBLIC_LECTURES, "free", "in person", 1, 2, Decimal("1.50"), 1),  # E1
        ("2a", export.PUBLIC_LECTURES, "chargeable", "online", 1, 0, Decimal("0.25"), 1),  # E6
        ("2c", export.EXHIBITIONS, "chargeable", "in person and online", 1, 2, None, 0),  # E2
    ]
    assert rows[0]["our_event_kinds"] == "Guest lecture"


def test_hebci_table5_for_an_institution(world, period_scope):
    rows = export.hebci_table5_rows(period_scope(world["uni"]))
    assert [(r["event_type"], r["free_or_charged"], r["events"], r["attendees"]) for r in rows] == [
        (export.EXHIBITIONS, "chargeable", 1, 2)
    ]


def test_every_event_kind_is_mapped_for_hebci():
    from events.models import EventKind

    assert set(export.HEBCI_EVENT_TYPE) == set(EventKind.values)
    assert set(export.HEBCI_EVENT_TYPE.values()) <= {*export.HEBCI_CATEGORIES, None}


def test_hebci_leaves_out_careers_fairs_and_moves_online_exhibitions_to_other(db):
    """HESA excludes recruitment events; an exhibition shown only online is "Other"."""
    from events.models import EventFormat, EventKind

    assert export.hebci_event_type(EventKind.CAREERS_FAIR, EventFormat.IN_PERSON) is None
    assert export.hebci_event_type(EventKind.SHOWCASE, EventFormat.ONLINE) == export.OTHER
    assert export.hebci_event_type(EventKind.SHOWCASE, EventFormat.HYBRID) == export.EXHIBITIONS
    assert export.hebci_event_type(EventKind.GUEST_LECTURE, EventFormat.ONLINE) == (
        export.PUBLIC_LECTURES
    )


def test_kef_perspectives(world, period_scope):
    grouped = export.kef_perspectives(period_scope())
    assert list(grouped) == export.KEF_PERSPECTIVES
    keys = {perspective: {f.key for f in figs} for perspective, figs in grouped.items()}
    assert "talent.students_placed" in keys[export.SKILLS]
    assert "research.opportunities.kind.research" in keys[export.RESEARCH_PARTNERSHIPS]
    assert "research.partnerships_active" in keys[export.WORKING_WITH_BUSINESS]
    assert "economic.funding_attracted.GBP" in keys[export.WORKING_WITH_BUSINESS]
    assert "economic.funding_partnerships" in keys[export.WORKING_WITH_BUSINESS]
    assert "economic.hires_after_placement" in keys[export.SKILLS]
    assert "community.academic_staff_days" in keys[export.PUBLIC_ENGAGEMENT]
    assert "community.events.admission.chargeable" in keys[export.PUBLIC_ENGAGEMENT]
    assert "community.attendance" in keys[export.PUBLIC_ENGAGEMENT]
    assert keys[export.LOCAL_GROWTH] == set()
    assert keys[export.IP_COMMERCIALISATION] == set()
    # context figures are not KEF figures
    every = set().union(*keys.values())
    assert "research.opportunities.status.open" not in every
    assert "community.events.format.online" not in every
