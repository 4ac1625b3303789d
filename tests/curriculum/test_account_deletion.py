"""When a reviewer deletes their account, the institution keeps the answers already given.

Mia (Pixel Forge) answered Northbridge's review; Oscar's co-owner leaves him free to go, and his
volunteering, never answered, disappears.
"""

import pytest
from django.urls import reverse

from accounts import erasure
from partnerships.curriculum.models import Reviewer, ReviewResponse
from partnerships.organisations.models import MemberRole
from tests.factories import MembershipFactory, UserFactory

from .conftest import make_response

pytestmark = pytest.mark.django_db


def delete(person, capture) -> None:
    with capture(execute=True):
        erasure.account_delete(actor=person, user=person, confirm_email=person.email)


def test_submitted_answers_stay_and_unfinished_volunteering_goes(
    client, open_review, accepted_row, volunteer_row, studio, studio_member, studio_owner,
    lecturer, django_capture_on_commit_callbacks,
):  # fmt: skip
    response = make_response(accepted_row, relevance=4, suggested_changes="Teach Houdini")
    MembershipFactory(organisation=studio, user=UserFactory(), role=MemberRole.OWNER)

    delete(studio_member, django_capture_on_commit_callbacks)
    delete(studio_owner, django_capture_on_commit_callbacks)

    kept = Reviewer.objects.get(pk=accepted_row.pk)
    assert kept.user_id is None and kept.organisation == studio
    assert ReviewResponse.objects.get(pk=response.pk).suggested_changes == "Teach Houdini"
    assert not Reviewer.objects.filter(pk=volunteer_row.pk).exists()

    client.force_login(lecturer)
    for name in ("curriculum:reviewers", "curriculum:summary", "curriculum:export"):
        page = client.get(reverse(name, args=[open_review.pk]))
        assert page.status_code == 200, name
        assert "Deleted account" in page.content.decode(), name
