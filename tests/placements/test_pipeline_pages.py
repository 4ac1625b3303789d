"""The applicant pipeline shows a page of applicants at a time, keeping the stage filter."""

import pytest
from django.urls import reverse

from partnerships.placements.models import ApplicationStatus
from partnerships.placements.views.pipeline import PAGE_SIZE
from tests.placements.conftest import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_busy_pipelines_are_paginated_within_the_stage(client, placement, studio_owner, university):
    ApplicationFactory.create_batch(PAGE_SIZE + 3, placement=placement, institution=university)
    ApplicationFactory.create_batch(
        2, placement=placement, institution=university, status=ApplicationStatus.SHORTLISTED
    )
    client.force_login(studio_owner)
    url = reverse("placements:pipeline", args=[placement.pk])

    first = client.get(url).content.decode()
    assert first.count('class="pipeline__item"') == PAGE_SIZE
    assert "Page 1 of 2" in first and "page=2" in first

    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('class="pipeline__item"') == 5

    shortlisted = client.get(url, {"stage": "shortlisted"}).content.decode()
    assert shortlisted.count('class="pipeline__item"') == 2
    assert 'class="pagination"' not in shortlisted

    assert client.get(url, {"page": "x"}).status_code == 200  # the first page, not an error
