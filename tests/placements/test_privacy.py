"""Who sees which applications and placements, at the selector level (and the predicates agree).

Sam (Northbridge) applied to Pixel Forge; Uma (Southgate) applied too; Sam also has a draft
elsewhere. Lena is Northbridge's officer, Sol Southgate's; Olga runs a competing studio.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.placements import selectors
from partnerships.placements.models import PlacementStatus
from partnerships.placements.permissions import can_view_application, can_view_placement

from .conftest import ApplicationFactory, PlacementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(placement, other_placement, student, other_student, university, other_university):
    return {
        "sam": ApplicationFactory(placement=placement, student=student, institution=university),
        "uma": ApplicationFactory(
            placement=placement, student=other_student, institution=other_university
        ),
        "sam_draft": ApplicationFactory(
            placement=other_placement, student=student, status="draft", institution=None
        ),
    }


EXPECTED = {
    "student": {"sam", "sam_draft"},
    "other_student": {"uma"},
    "studio_owner": {"sam", "uma"},
    "studio_member": {"sam", "uma"},
    "other_owner": set(),
    "officer": {"sam"},
    "other_officer": {"uma"},
    "industry_newcomer": set(),
    "platform_admin": {"sam", "uma"},
}


@pytest.mark.parametrize(("persona", "expected"), EXPECTED.items())
def test_application_visibility_matrix(world, persona, expected, request):
    user = request.getfixturevalue(persona)
    names = {app.pk: name for name, app in world.items()}
    seen = {names[a.pk] for a in selectors.visible_applications(user)}
    assert seen == expected
    for name, app in world.items():
        assert can_view_application(user, app) == (name in expected), name


def test_officer_lists_only_their_students(world, officer, other_officer, placement):
    assert [a.pk for a in selectors.officer_applications(officer)] == [world["sam"].pk]
    assert list(selectors.officer_placements(officer)) == [placement]
    assert [a.pk for a in selectors.officer_applications(other_officer)] == [world["uma"].pk]


def test_pipeline_is_the_studios_only(world, placement, studio_owner, other_owner, student):
    assert {a.pk for a in selectors.placement_pipeline(studio_owner, placement)} == {
        world["sam"].pk,
        world["uma"].pk,
    }
    assert not selectors.placement_pipeline(other_owner, placement).exists()
    assert not selectors.placement_pipeline(student, placement).exists()


def test_drafts_are_visible_to_their_studio_and_admins_only(
    studio, studio_member, other_owner, student, platform_admin
):
    draft = PlacementFactory(organisation=studio, status=PlacementStatus.DRAFT)
    for user, sees in [(studio_member, True), (platform_admin, True), (other_owner, False),
                       (student, False)]:  # fmt: skip
        assert (draft in selectors.visible_placements(user)) is sees
        assert can_view_placement(user, draft) is sees


def test_application_lists_are_constant_query(placement, studio_owner, university):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            for app in selectors.visible_applications(studio_owner):
                _ = (app.placement.organisation.name, app.student.profile.display_name)
                _ = app.institution and app.institution.name
        return len(ctx.captured_queries)

    ApplicationFactory(placement=placement, institution=university)
    few = count_queries()
    for _ in range(5):
        ApplicationFactory(placement=placement, institution=university)
    assert count_queries() == few


def test_browse_is_constant_query(studio, student):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            for p in selectors.placement_browse(student):
                _ = (p.organisation.name, p.sector, list(p.required_skills.all()), p.pay_display)
        return len(ctx.captured_queries)

    PlacementFactory(organisation=studio)
    few = count_queries()
    for _ in range(5):
        PlacementFactory(organisation=studio)
    assert count_queries() == few
