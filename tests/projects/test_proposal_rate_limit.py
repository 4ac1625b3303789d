"""Proposals land in other organisations' inboxes: a daily cap per person, answered with 429."""

import pytest
from django.urls import reverse

from partnerships.core.errors import RateLimited

from .conftest import PROPOSAL

pytestmark = pytest.mark.django_db


def test_proposals_per_person_per_day(
    settings, studio, studio_owner, university, lecturer, make_call, propose, client
):
    settings.PROPOSALS_PER_DAY = 1
    first, second = make_call(studio_owner, studio), make_call(studio_owner, studio, title="B")
    propose(lecturer, first, university)
    with pytest.raises(RateLimited):
        propose(lecturer, second, university)
    client.force_login(lecturer)
    page = client.post(
        reverse("projects:proposal_create", args=[second.pk]),
        {**PROPOSAL, "organisation": university.pk},
    )
    assert page.status_code == 429
    assert "in the last 24 hours" in page.content.decode()
    assert PROPOSAL["approach"] in page.content.decode()  # nothing typed is lost
    assert second.proposals.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_api_submits_a_proposal_outside_a_test_transaction(
    lecturer, university, studio, studio_owner, make_call
):
    """Moving the rate check broke proposal_submit's own transaction: the API (no request-wide
    transaction) then hit select_for_update outside one, a 500 that tests wrapped in a
    transaction could not see."""
    from rest_framework.test import APIClient

    call = make_call(lecturer, university)
    api = APIClient()
    api.force_authenticate(studio_owner)
    response = api.post(
        "/api/proposals/",
        {"opportunity": call.pk, "organisation": studio.slug, **PROPOSAL},
        format="json",
    )
    assert response.status_code == 201, response.content
