"""The impact dashboards and their CSV exports: who may see what, filters, numbers, queries.

Personas on top of the hand-counted world (conftest.py): Una belongs to Northbridge (``uni``),
Sol to Southgate (``uni2``, another institution), Oscar to Pixel Forge (``studio``); Stu is a
Northbridge student with no membership; Ada is a platform admin.
"""

import csv
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from partnerships.impact import export, metrics
from partnerships.impact.metrics import NOT_RECORDED, Scope
from partnerships.organisations.models import Kind, Status
from tests.events.conftest import EventFactory, RegistrationFactory
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.placements.conftest import ApplicationFactory, PlacementFactory

from .conftest import END, IN, START, build_world

pytestmark = pytest.mark.django_db

PERIOD = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}
ORG_URLS = [
    "impact:organisation",
    "impact:organisation_figures_csv",
    "impact:organisation_hebci_csv",
    "impact:organisation_kef_csv",
]
PLATFORM_URLS = [
    "impact:platform",
    "impact:platform_figures_csv",
    "impact:platform_hebci_csv",
    "impact:platform_kef_csv",
]


def member(organisation, role=Role.UNIVERSITY, **kwargs):
    user = UserFactory(role=role, **kwargs)
    MembershipFactory(organisation=organisation, user=user)
    return user


@pytest.fixture
def una(world):
    return member(world["uni"], display_name="Una")


@pytest.fixture
def sol(world):
    return member(world["uni2"], display_name="Sol")


@pytest.fixture
def oscar(world):
    return member(world["studio"], role=Role.INDUSTRY, display_name="Oscar")


@pytest.fixture
def stu(world):
    user = UserFactory(role=Role.STUDENT, display_name="Stu")
    user.profile.institution = world["uni"]
    user.profile.save()
    return user


@pytest.fixture
def personas(una, sol, stu, platform_admin):
    return {"member": una, "other_institution": sol, "student": stu, "admin": platform_admin}


def get(client, user, url, params=None):
    if user is not None:
        client.force_login(user)
    return client.get(url, params or {})


def org_url(name, world, who="uni"):
    return reverse(name, args=[world[who].slug])


def parse_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# ------------------------------------------------------------------------------- permissions


@pytest.mark.parametrize("name", ORG_URLS)
@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("student", 403), ("other_institution", 403), ("member", 200), ("admin", 200)],
)
def test_organisation_pages_are_for_members_and_admins(client, world, personas, name, who, status):
    response = get(client, personas.get(who), org_url(name, world), PERIOD)
    assert response.status_code == status
    if who is None:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", PLATFORM_URLS)
@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("student", 403), ("other_institution", 403), ("member", 403), ("admin", 200)],
)
def test_platform_pages_are_for_platform_admins(client, world, personas, name, who, status):
    response = get(client, personas.get(who), reverse(name), PERIOD)
    assert response.status_code == status
    if who is None:
        assert response["Location"].startswith(reverse("account_login"))


def test_an_institution_cannot_see_another_institutions_dashboard(client, world, sol):
    response = get(client, sol, org_url("impact:organisation", world, "uni"))
    assert response.status_code == 403
    assert world["uni"].name in response.content.decode()  # the refusal says whose it is
    for name in ORG_URLS[1:]:
        assert get(client, sol, org_url(name, world, "uni")).status_code == 403


def test_a_studio_member_sees_only_the_studio(client, world, oscar):
    assert get(client, oscar, org_url("impact:organisation", world, "studio")).status_code == 200
    assert get(client, oscar, org_url("impact:organisation", world, "uni")).status_code == 403


def test_unknown_or_hidden_organisation_is_404(client, world, una):
    pending = OrganisationFactory(kind=Kind.INSTITUTION, status=Status.PENDING)
    assert get(client, una, reverse("impact:organisation", args=["no-such-org"])).status_code == 404
    assert get(client, una, reverse("impact:organisation", args=[pending.slug])).status_code == 404
    assert (
        get(client, una, reverse("impact:organisation_figures_csv", args=[pending.slug]))
    ).status_code == 404


def test_members_of_a_pending_organisation_see_its_dashboard(client, db):
    pending = OrganisationFactory(kind=Kind.INDUSTRY, status=Status.PENDING)
    pete = member(pending, role=Role.INDUSTRY)
    assert get(client, pete, reverse("impact:organisation", args=[pending.slug])).status_code == 200


# ------------------------------------------------------------------------------------- index


def test_index_sends_a_member_to_their_organisation(client, world, una):
    response = get(client, una, reverse("impact:index"))
    assert response.status_code == 302
    assert response["Location"] == org_url("impact:organisation", world, "uni")


def test_index_sends_a_platform_admin_to_the_platform(client, platform_admin):
    response = get(client, platform_admin, reverse("impact:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("impact:platform")


def test_index_lists_several_organisations(client, world, una):
    MembershipFactory(organisation=world["studio"], user=una)
    response = get(client, una, reverse("impact:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert org_url("impact:organisation", world, "uni") in page
    assert org_url("impact:organisation", world, "studio") in page
    assert reverse("impact:platform") not in page


def test_index_refuses_people_without_an_organisation(client, stu):
    response = get(client, stu, reverse("impact:index"))
    assert response.status_code == 403
    assert "join your university or studio" in response.content.decode()


def test_index_asks_anonymous_people_to_log_in(client, db):
    response = client.get(reverse("impact:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_dashboards_link_to_the_impact_pages(client, lecturer, studio_owner, platform_admin):
    for user, target in (
        (lecturer, reverse("impact:index")),
        (studio_owner, reverse("impact:index")),
        (platform_admin, reverse("impact:platform")),
    ):
        client.force_login(user)
        assert target in client.get(reverse("dashboard")).content.decode()


# ------------------------------------------------------------------------------ the numbers


def page_values(response) -> dict:
    return {
        row.figure.key: row.figure.value
        for section in response.context["sections"]
        for row in section.rows
    }


def test_organisation_dashboard_shows_its_own_hand_counted_figures(client, world, una):
    response = get(client, una, org_url("impact:organisation", world), PERIOD)
    assert response.status_code == 200
    got = page_values(response)
    assert got["talent.applications"] == 4  # a1 a2 a3 a6
    assert got["talent.students_placed"] == 2
    assert got["economic.hires_after_placement"] == 1  # a1
    assert got["economic.funding_attracted.EUR"] == Decimal("3000")  # PS5
    assert got["community.events"] == 2  # E2, E3 via PS2
    assert got["community.academic_staff_days"] == Decimal("0.5")
    assert [s.key for s in response.context["sections"]] == list(metrics.BENEFITS)
    page = response.content.decode()
    for title in metrics.BENEFITS.values():
        assert f">{title}</h2>" in page
    assert 'data-key="economic.funding_attracted.EUR"' in page
    assert "1 January 2025 to 30 June 2025" in page


def test_not_recorded_yet_is_shown_honestly(client, world, platform_admin):
    other = world["other"]  # no completed placement: nobody could say whether they hired
    url = reverse("impact:organisation", args=[other.slug])
    response = get(client, platform_admin, url, PERIOD)
    assert page_values(response)["economic.hires_after_placement"] is None
    page = response.content.decode()
    row = page[page.index('data-key="economic.hires_after_placement"') :]
    assert NOT_RECORDED in row[: row.index("</tr>")]


def test_platform_dashboard_filters_by_organisation_and_sector(
    client, world, sectors, platform_admin
):
    everything = page_values(get(client, platform_admin, reverse("impact:platform"), PERIOD))
    assert everything["talent.applications"] == 7
    one = page_values(
        get(
            client,
            platform_admin,
            reverse("impact:platform"),
            {**PERIOD, "organisation": world["studio"].slug},
        )
    )
    assert one["talent.applications"] == 5  # as test_metrics.TALENT_STUDIO
    games_only = {**PERIOD, "sector": "impact-games"}
    games = page_values(get(client, platform_admin, reverse("impact:platform"), games_only))
    assert games["community.events"] == 2  # E1 E6
    assert games["community.academic_staff_days"] == Decimal("1.75")


def test_the_default_period_is_this_academic_year(client, world, una):
    response = get(client, una, org_url("impact:organisation", world))
    scope = response.context["scope"]
    assert (scope.start.month, scope.start.day, scope.end.month, scope.end.day) == (8, 1, 7, 31)
    assert scope.end.year == scope.start.year + 1


def test_all_time_counts_everything(client, world, una):
    got = page_values(get(client, una, org_url("impact:organisation", world), {"period": "all"}))
    assert got["talent.applications"] == 5  # a1 a2 a3 a6 and a8 (submitted OLD)


# ------------------------------------------------------------------------- bad filter input


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"period": "custom", "start": "2025-06-30", "end": "2025-01-01"}, "end", "before"),
        ({"period": "custom", "start": "yesterday"}, "start", "valid date"),
        ({"period": "custom", "start": "99999-01-01"}, "start", "valid date"),
        ({"period": "custom", "start": "1850-01-01"}, "start", "between the years"),
        ({"period": "custom"}, "start", "start date, an end date or both"),
        ({"period": "fortnight"}, "period", "valid choice"),
        ({"sector": "no-such-sector"}, "sector", "valid choice"),
        ({"start": "\x00"}, "start", "valid date"),
    ],
)
def test_bad_filters_are_form_errors_never_500(client, world, una, params, field, message):
    response = get(client, una, org_url("impact:organisation", world), params)
    assert response.status_code == 400
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert "sections" not in response.context
    assert "There is a problem" in response.content.decode()
    csv_response = get(client, una, org_url("impact:organisation_figures_csv", world), params)
    assert csv_response.status_code == 400
    assert csv_response["Content-Type"].startswith("text/plain")


def test_an_end_before_the_start_says_so_clearly(client, world, una):
    params = {"period": "custom", "start": "2025-06-30", "end": "2025-01-01"}
    page = get(client, una, org_url("impact:organisation", world), params).content.decode()
    assert "The end date (1 January 2025) is before the start date (30 June 2025)." in page


def test_unknown_organisation_filter_on_the_platform_page(client, world, platform_admin):
    response = get(client, platform_admin, reverse("impact:platform"), {"organisation": "nope"})
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors


def test_organisation_filter_is_not_offered_on_an_organisation_page(client, world, una):
    response = get(
        client, una, org_url("impact:organisation", world), {"organisation": world["uni2"].slug}
    )
    assert response.status_code == 200
    assert response.context["scope"].organisation == world["uni"]  # ignored: not a field here


# ------------------------------------------------------------------------------------- CSVs


def test_figures_csv_parses_back_to_the_page(client, world, una):
    page = page_values(get(client, una, org_url("impact:organisation", world), PERIOD))
    response = get(client, una, org_url("impact:organisation_figures_csv", world), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="impact-figures-{world["uni"].slug}-2025-01-01-to-2025-06-30.csv"'
    )
    rows = parse_csv(response)
    assert rows[0] == export.CSV_HEADER
    from_csv = {row[1]: row[3] for row in rows[1:]}
    assert set(from_csv) == set(page)
    for key, value in page.items():
        if value is None:
            assert from_csv[key] == ""
        elif isinstance(value, Decimal):
            assert Decimal(from_csv[key]) == value
        else:
            assert int(from_csv[key]) == value
    assert int(from_csv["talent.applications"]) == 4  # and the hand count


def test_hebci_csv_parses_back_to_the_hand_counts(client, world, platform_admin):
    response = get(client, platform_admin, reverse("impact:platform_hebci_csv"), PERIOD)
    assert response["Content-Disposition"] == (
        'attachment; filename="hebci-table5-platform-2025-01-01-to-2025-06-30.csv"'
    )
    rows = parse_csv(response)
    assert rows[0] == [label for _key, label in export.HEBCI_CSV_COLUMNS]
    assert [row[:8] for row in rows[1:]] == [
        ["2a", export.PUBLIC_LECTURES, "free", "in person", "1", "2", "1.50", "1"],
        ["2a", export.PUBLIC_LECTURES, "chargeable", "online", "1", "0", "0.25", "1"],
        ["2c", export.EXHIBITIONS, "chargeable", "in person and online", "1", "2", "", "0"],
    ]


def test_kef_csv_lists_every_perspective(client, world, una):
    response = get(client, una, org_url("impact:organisation_kef_csv", world), PERIOD)
    assert response["Content-Disposition"].endswith('-2025-01-01-to-2025-06-30.csv"')
    rows = parse_csv(response)
    assert rows[0] == export.KEF_CSV_HEADER
    assert list(dict.fromkeys(row[0] for row in rows[1:])) == export.KEF_PERSPECTIVES
    by_key = {row[1]: row for row in rows[1:] if row[1]}
    assert by_key["economic.funding_attracted.EUR"][0] == export.WORKING_WITH_BUSINESS
    assert Decimal(by_key["economic.funding_attracted.EUR"][3]) == Decimal("3000")
    assert by_key["community.academic_staff_days"][0] == export.PUBLIC_ENGAGEMENT
    empty = [row for row in rows[1:] if row[0] == export.IP_COMMERCIALISATION]
    assert empty == [[export.IP_COMMERCIALISATION, "", "", "", "", "no Tandem figure maps here"]]


def test_csv_filenames_name_the_sector_and_open_periods(client, world, platform_admin):
    response = get(
        client,
        platform_admin,
        reverse("impact:platform_figures_csv"),
        {"period": "all", "sector": "impact-film"},
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="impact-figures-platform-impact-film.csv"'
    )
    response = get(
        client,
        platform_admin,
        reverse("impact:platform_figures_csv"),
        {"period": "custom", "start": "2025-01-01"},
    )
    assert (
        'filename="impact-figures-platform-2025-01-01-to-now.csv"'
        in (response["Content-Disposition"])
    )


def test_csv_links_on_the_page_carry_the_filters(client, world, una):
    response = get(client, una, org_url("impact:organisation", world), PERIOD)
    link = response.context["exports"]["figures"]
    assert link.startswith(org_url("impact:organisation_figures_csv", world) + "?")
    assert "start=2025-01-01" in link and "end=2025-06-30" in link and "period=custom" in link
    assert link.replace("&", "&amp;") in response.content.decode()


def test_csv_cells_a_spreadsheet_would_run_are_neutralised():
    rows = [
        {
            "sub_head": "2e",
            "event_type": '=HYPERLINK("x")',
            "free_or_charged": "free",
            "delivery": "online",
            "events": 1,
            "attendees": 2,
            "academic_staff_days": None,
            "events_with_staff_days": 0,
            "our_event_kinds": "@SUM(A1)",
        }
    ]
    parsed = list(csv.reader(io.StringIO(export.hebci_table5_csv(rows))))
    assert parsed[1][1] == '\'=HYPERLINK("x")'
    assert parsed[1][8] == "'@SUM(A1)"
    figure = metrics.Figure("x", "-1+1", 1, "+u", metrics.TALENT)
    kef = list(csv.reader(io.StringIO(export.kef_csv({"-evil": [figure]}))))
    assert kef[1][:3] == ["'-evil", "x", "'-1+1"]


# ---------------------------------------------------------------------------------- charts


def test_every_chart_is_well_formed_svg_with_its_table(client, world, una):
    response = get(client, una, org_url("impact:organisation", world), PERIOD)
    charts = [chart for section in response.context["sections"] for chart in section.charts]
    assert len(charts) == 7
    page = response.content.decode()
    ids = set()
    for chart in charts:
        if chart.is_empty:
            continue
        root = ET.fromstring(str(chart.svg))  # noqa: S314 - our own markup
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.get("role") == "img"
        title_id, desc_id = root.get("aria-labelledby").split()
        found = {el.get("id"): el for el in root.iter() if el.get("id")}
        assert found[title_id].tag.endswith("title") and found[title_id].text == chart.title
        assert found[desc_id].tag.endswith("desc")
        assert not ids & {title_id, desc_id}  # unique on the page
        ids |= {title_id, desc_id}
        assert str(chart.svg) in page
        after = page[page.index(str(chart.svg)) :]
        assert after.index("<table") < after.index("</details>")  # the data table follows
    stages = next(c for c in charts if c.chart_id.endswith("stages"))
    assert {bar.label: bar.value for bar in stages.bars}["Completed"] == 1  # a1
    assert stages.total == 4
    monthly = next(c for c in charts if c.chart_id.endswith("registrations-monthly"))
    assert [bar.label for bar in monthly.bars] == [
        "Jan 2025", "Feb 2025", "Mar 2025", "Apr 2025", "May 2025", "Jun 2025",
    ]  # fmt: skip
    assert monthly.total == page_values(response)["community.registrations"]


def test_pages_have_no_inline_script_or_style(client, world, una, platform_admin):
    for user, url in (
        (una, org_url("impact:organisation", world)),
        (platform_admin, reverse("impact:platform")),
        (una, reverse("impact:index")),
    ):
        page = get(client, user, url, PERIOD).content.decode()
        assert "style=" not in page
        assert "<script>" not in page and "<script " not in page.replace(
            '<script src="/static/js/app.js" defer>', ""
        )


# ------------------------------------------------------------------------------- queries


def more_rows_for(institution, studio, count: int = 3) -> None:
    """Three more applications from the institution's students and three more events it
    organises (two registrations each), all inside the period."""
    for _ in range(count):
        placement = PlacementFactory(organisation=studio, published_at=IN)
        ApplicationFactory(
            placement=placement, institution=institution, submitted_at=IN, status="submitted"
        )
        event = EventFactory(organisation=institution, starts_at=IN)
        RegistrationFactory(event=event)
        RegistrationFactory(event=event, checked_in_at=IN)


def test_dashboard_runs_a_constant_number_of_queries(
    client, world, sectors, una, django_assert_max_num_queries
):
    url = org_url("impact:organisation", world)
    client.force_login(una)
    client.get(url, PERIOD)  # warm: session, user, caches
    with django_assert_max_num_queries(30) as small:
        before = page_values(client.get(url, PERIOD))
    baseline = len(small.captured_queries)  # read now: the next request empties the log
    build_world(sectors["games"], sectors["film"])  # twice the rows on the platform
    more_rows_for(world["uni"], world["studio"])  # and more of Northbridge's own
    with django_assert_max_num_queries(baseline):
        response = client.get(url, PERIOD)
    after = page_values(response)
    assert after["talent.applications"] == before["talent.applications"] + 3
    assert after["community.events"] == before["community.events"] + 3
    assert after["community.registrations"] == before["community.registrations"] + 6


def test_platform_dashboard_queries_do_not_grow_with_rows(
    client, world, sectors, platform_admin, django_assert_max_num_queries
):
    url = reverse("impact:platform")
    client.force_login(platform_admin)
    client.get(url, PERIOD)
    with django_assert_max_num_queries(30) as small:
        first = client.get(url, PERIOD)
    build_world(sectors["games"], sectors["film"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        second = client.get(url, PERIOD)
    assert (
        page_values(second)["talent.applications"] == 2 * page_values(first)["talent.applications"]
    )


def test_scope_is_what_the_metrics_get(client, world, una):
    response = get(client, una, org_url("impact:organisation", world), PERIOD)
    assert response.context["scope"] == Scope(organisation=world["uni"], start=START, end=END)


def test_the_headlines_repeat_key_figures_without_extra_queries(client, world, una):
    response = get(client, una, org_url("impact:organisation", world), PERIOD)
    headlines = {row.figure.key: row.figure.value for row in response.context["headlines"]}
    assert headlines["talent.students_placed"] == 2
    assert headlines["community.events"] == 2
    assert headlines["economic.funding_attracted.EUR"] == Decimal("3000")
    page = response.content.decode()
    glance = page[page.index('id="headlines-title"') : page.index("impact-contents")]
    assert "Funding attracted" in glance and "3,000.00" in glance
