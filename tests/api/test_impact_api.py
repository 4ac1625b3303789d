"""The impact API against the hand-counted world of tests/impact/conftest.py.

Northbridge (``uni``) and Southgate (``uni2``) are institutions, Pixel Forge (``studio``) and Other
Studio (``other``) industry partners. Each has one member here; Sam is a student; Ada a platform
admin. Members read their own organisation's figures; other organisations' answer 403 (404 when
the organisation itself is hidden); the platform's are for admins only.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from partnerships.impact import export, metrics
from partnerships.impact.api import figure_data, jsonable
from partnerships.impact.metrics import NOT_RECORDED, Scope
from partnerships.organisations.models import Kind, Status
from tests.factories import MembershipFactory, OrganisationFactory, SectorFactory, UserFactory
from tests.impact.conftest import END, START, build_world
from tests.impact.test_metrics import (
    COMMUNITY_PLATFORM,
    COMMUNITY_STUDIO,
    COMMUNITY_UNI,
    COMMUNITY_UNI2,
    TALENT_PLATFORM,
    TALENT_STUDIO,
    TALENT_UNI,
)

pytestmark = pytest.mark.django_db

PERIOD = f"start={START.isoformat()}&end={END.isoformat()}"


@pytest.fixture
def world(db) -> SimpleNamespace:
    games = SectorFactory(name="Games", slug="impact-games")
    film = SectorFactory(name="Film", slug="impact-film")
    orgs = build_world(games, film)
    members = {}
    for name, org in orgs.items():
        role = Role.UNIVERSITY if org.kind == Kind.INSTITUTION else Role.INDUSTRY
        members[name] = UserFactory(role=role, display_name=f"Member of {name}")
        MembershipFactory(organisation=org, user=members[name])
    return SimpleNamespace(orgs=orgs, members=members, games=games, film=film)


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def flat(data: dict) -> dict:
    """{figure key: value} from an impact response."""
    return {f["key"]: f["value"] for benefit in data["benefits"] for f in benefit["figures"]}


def org_url(org, suffix: str = "") -> str:
    return f"/api/impact/organisations/{org.slug}/{suffix}"


# --- Numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "talent", "community"),
    [
        ("uni", TALENT_UNI, COMMUNITY_UNI),
        ("studio", TALENT_STUDIO, COMMUNITY_STUDIO),
        ("uni2", None, COMMUNITY_UNI2),
    ],
)
def test_an_organisations_figures_are_the_hand_counted_ones(world, who, talent, community):
    org = world.orgs[who]
    response = client_for(world.members[who]).get(f"{org_url(org)}?{PERIOD}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["scope"] == {
        "organisation": {"id": org.pk, "slug": org.slug, "name": org.name, "kind": org.kind},
        "start": "2025-01-01",
        "end": "2025-06-30",
        "sector": None,
    }
    got = flat(data)
    if talent is not None:
        assert {key: got[key] for key in talent} == talent
    assert {key: got[key] for key in community} == community


def test_response_carries_every_figure_as_metrics_computes_it(world):
    """Nothing is hard-coded: the API passes on every figure, in order, with every attribute."""
    org = world.orgs["uni"]
    data = client_for(world.members["uni"]).get(f"{org_url(org)}?{PERIOD}").json()
    figures = metrics.all_figures(Scope(organisation=org, start=START, end=END))
    sent = [f for benefit in data["benefits"] for f in benefit["figures"]]
    assert sent == [figure_data(figure) for figure in figures]
    assert [b["key"] for b in data["benefits"]] == list(metrics.BENEFITS)
    assert [b["label"] for b in data["benefits"]] == list(metrics.BENEFITS.values())
    for benefit in data["benefits"]:
        assert {f["benefit"] for f in benefit["figures"]} == {benefit["key"]}
    by_key = {f["key"]: f for f in sent}
    # decimals as strings, whole numbers as numbers, missing data as null with a note
    assert by_key["economic.pay_offered.GBP.week"]["value"] == "450.00"
    assert by_key["economic.pay_offered.GBP.week"]["unit"] == "GBP per week"
    assert by_key["talent.applications"]["value"] == 4
    missing = [f for f in sent if f["value"] is None]
    assert all(f["note"] == NOT_RECORDED for f in missing)
    assert all("breakdown" in f for f in sent)


def test_platform_figures_and_filters(world, platform_admin):
    api = client_for(platform_admin)
    data = api.get(f"/api/impact/platform/?{PERIOD}").json()
    assert data["scope"]["organisation"] is None
    got = flat(data)
    assert {key: got[key] for key in TALENT_PLATFORM} == TALENT_PLATFORM
    assert {key: got[key] for key in COMMUNITY_PLATFORM} == COMMUNITY_PLATFORM
    assert Decimal(got["economic.pay_offered.GBP.week"]) == Decimal("750")

    film = flat(api.get(f"/api/impact/platform/?{PERIOD}&sector=impact-film").json())
    assert (film["talent.placements_posted"], film["talent.applications"]) == (2, 2)

    uni = world.orgs["uni"]
    one = api.get(f"/api/impact/platform/?{PERIOD}&organisation={uni.slug}").json()
    assert one["scope"]["organisation"]["slug"] == uni.slug
    assert {key: flat(one)[key] for key in TALENT_UNI} == TALENT_UNI

    everything = flat(api.get("/api/impact/platform/").json())  # no period: all time
    assert everything["talent.placements_posted"] == 6
    assert everything["talent.applications"] == 8


def test_sector_filter_on_an_organisation(world):
    studio = world.orgs["studio"]
    api = client_for(world.members["studio"])
    games = api.get(f"{org_url(studio)}?{PERIOD}&sector=impact-games").json()
    assert games["scope"]["sector"] == "impact-games"
    assert flat(games)["community.events"] == 2
    film = flat(api.get(f"{org_url(studio)}?{PERIOD}&sector=impact-film").json())
    assert film["talent.placements_posted"] == 0


def test_hebci_table5(world):
    uni = world.orgs["uni"]
    response = client_for(world.members["uni"]).get(f"{org_url(uni, 'hebci-table5/')}?{PERIOD}")
    assert response.status_code == 200
    data = response.json()
    assert data["scope"]["organisation"]["slug"] == uni.slug
    # E2, Northbridge's hybrid showcase, is its only public event in the period
    (row,) = data["rows"]
    assert (row["event_type"], row["delivery"], row["events"], row["attendees"]) == (
        export.EXHIBITIONS,
        "in person and online",
        1,
        2,
    )
    assert row["academic_staff_days"] is None  # not recorded in the world
    rows = export.hebci_table5_rows(Scope(organisation=uni, start=START, end=END))
    assert data["rows"] == [jsonable(r) for r in rows]  # every column, as export makes it


def test_kef_perspectives(world):
    studio = world.orgs["studio"]
    response = client_for(world.members["studio"]).get(f"{org_url(studio, 'kef/')}?{PERIOD}")
    assert response.status_code == 200
    perspectives = response.json()["perspectives"]
    assert [p["name"] for p in perspectives] == export.KEF_PERSPECTIVES
    keys = {p["name"]: {f["key"] for f in p["figures"]} for p in perspectives}
    assert "talent.students_placed" in keys[export.SKILLS]
    assert "research.partnerships_active" in keys[export.WORKING_WITH_BUSINESS]
    assert keys[export.LOCAL_GROWTH] == set()
    skills = {f["key"]: f["value"] for p in perspectives if p["name"] == export.SKILLS
              for f in p["figures"]}  # fmt: skip
    assert skills["talent.students_placed"] == TALENT_STUDIO["talent.students_placed"]


# --- Query parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("start=2025-13-01", "start", "YYYY-MM-DD"),
        ("start=yesterday", "start", "YYYY-MM-DD"),
        ("end=01/02/2025", "end", "YYYY-MM-DD"),
        ("start=2025-06-30&end=2025-01-01", "end", "must not be before the start"),
        ("sector=no-such-sector", "sector", "no-such-sector"),
    ],
)
def test_bad_parameters_are_clear_400s(world, platform_admin, query, field, words):
    uni = world.orgs["uni"]
    for client, url in (
        (client_for(world.members["uni"]), org_url(uni)),
        (client_for(world.members["uni"]), org_url(uni, "hebci-table5/")),
        (client_for(world.members["uni"]), org_url(uni, "kef/")),
        (client_for(platform_admin), "/api/impact/platform/"),
    ):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, (url, response.content)
        assert words in " ".join(response.json()[field])


def test_platform_organisation_must_exist(world, platform_admin):
    response = client_for(platform_admin).get("/api/impact/platform/?organisation=nobody")
    assert response.status_code == 400
    assert "nobody" in response.json()["organisation"][0]


def test_blank_parameters_count_as_absent(world, platform_admin):
    response = client_for(platform_admin).get("/api/impact/platform/?start=&end=&sector=")
    assert response.status_code == 200
    assert response.json()["scope"] == {
        "organisation": None,
        "start": None,
        "end": None,
        "sector": None,
    }


# --- Who may read -------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "hebci-table5/", "kef/"])
def test_who_reads_an_organisations_figures(world, suffix, student, platform_admin):
    uni = world.orgs["uni"]
    expected = [
        (None, 401),
        (student, 403),  # a student of no organisation here
        (world.members["uni2"], 403),  # institution B cannot read institution A
        (world.members["studio"], 403),  # a partner cannot read it either
        (world.members["uni"], 200),
        (platform_admin, 200),
    ]
    for user, code in expected:
        response = client_for(user).get(f"{org_url(uni, suffix)}?{PERIOD}")
        assert response.status_code == code, (user, response.content)
        if code != 200:
            assert "benefits" not in response.json() and "rows" not in response.json()
    for user in (world.members["uni"], platform_admin):
        assert (
            client_for(user).get(f"/api/impact/organisations/no-such-org/{suffix}").status_code
            == 404
        )


def test_hidden_organisations_answer_404(world, platform_admin):
    pending = OrganisationFactory(kind=Kind.INDUSTRY, status=Status.PENDING)
    owner = UserFactory(role=Role.INDUSTRY)
    MembershipFactory(organisation=pending, user=owner)
    assert client_for(world.members["uni"]).get(org_url(pending)).status_code == 404
    assert client_for(owner).get(org_url(pending)).status_code == 200  # its own member
    assert client_for(platform_admin).get(org_url(pending)).status_code == 200


def test_platform_figures_are_for_admins_only(world, student, platform_admin):
    for user, code in (
        (None, 401),
        (student, 403),
        (world.members["uni"], 403),
        (world.members["studio"], 403),
        (platform_admin, 200),
    ):
        response = client_for(user).get("/api/impact/platform/")
        assert response.status_code == code
        if code != 200:
            assert "benefits" not in response.json()


def test_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    uni = world.orgs["uni"]
    api = client_for(world.members["uni"])
    with django_assert_max_num_queries(12):
        first = flat(api.get(f"{org_url(uni)}?{PERIOD}").json())
    build_world(world.games, world.film)  # more rows, other organisations
    with django_assert_max_num_queries(12):
        again = flat(api.get(f"{org_url(uni)}?{PERIOD}").json())
    assert again == first
