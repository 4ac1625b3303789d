"""The test suite's taxonomy restore (after flushes) gives exactly what migration 0002 seeds."""

import pytest

from partnerships.core.models import Sector, Skill
from tests.conftest import _reseed_taxonomy


def _taxonomy():
    return (
        set(Skill.objects.values_list("slug", "name", "sector__slug")),
        set(Sector.objects.values_list("slug", "name", "description", "position")),
    )


@pytest.mark.django_db
def test_reseeding_restores_the_migrated_taxonomy():
    migrated = _taxonomy()
    assert len(migrated[0]) > 300 and len(migrated[1]) == 9
    Skill.objects.all().delete()
    Sector.objects.all().delete()
    _reseed_taxonomy()
    assert _taxonomy() == migrated
