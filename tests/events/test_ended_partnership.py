"""Once a partnership ends, its events stay with the organisation that created them: the former
partner no longer edits them, sees drafts, or reads who registered (page, API and dashboards).
A paused partnership keeps both sides running its events, as it may resume."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from events import selectors
from events.models import EventStatus, RegistrationStatus
from events.permissions import can_manage_event, organiser_organisations
from partnerships.projects.models import PartnershipStatus
from partnerships.projects.services import partnership_set_status

from .conftest import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_event(studio, partnership):
    event = EventFactory(organisation=studio, partnership=partnership)
    RegistrationFactory(event=event, status=RegistrationStatus.CONFIRMED)
    return event


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _end(partnership, actor, status=PartnershipStatus.ENDED) -> None:
    partnership_set_status(actor=actor, partnership=partnership, status=status)


def _lecturer_sees(client, lecturer, event) -> dict[str, int]:
    client.force_login(lecturer)
    return {
        "edit": client.get(reverse("events:edit", args=[event.pk])).status_code,
        "registrants": client.get(reverse("events:registrants", args=[event.pk])).status_code,
        "export": client.get(reverse("events:export_csv", args=[event.pk])).status_code,
        "api registrants": api(lecturer).get(f"/api/events/{event.pk}/registrants/").status_code,
    }


def test_both_sides_run_it_while_the_partnership_lasts(client, shared_event, lecturer):
    assert can_manage_event(lecturer, shared_event)
    assert set(_lecturer_sees(client, lecturer, shared_event).values()) == {200}
    assert shared_event in selectors.hosted_events(lecturer)


@pytest.mark.parametrize("status", [PartnershipStatus.ENDED, PartnershipStatus.PAUSED])
def test_ending_leaves_the_event_to_its_organiser(
    client, partnership, shared_event, lecturer, studio_owner, status
):
    _end(partnership, lecturer, status)
    shared_event.refresh_from_db()
    lasts = status == PartnershipStatus.PAUSED
    assert can_manage_event(lecturer, shared_event) is lasts
    assert (shared_event in selectors.hosted_events(lecturer)) is lasts
    seen = _lecturer_sees(client, lecturer, shared_event)
    if lasts:
        assert set(seen.values()) == {200}
    else:
        assert all(code in (403, 404) for code in seen.values()), seen
    # The organiser keeps everything.
    assert can_manage_event(studio_owner, shared_event)
    assert shared_event in selectors.hosted_events(studio_owner)
    client.force_login(studio_owner)
    assert client.get(reverse("events:registrants", args=[shared_event.pk])).status_code == 200
    slugs = [o.slug for o in organiser_organisations(shared_event)]
    assert slugs == (["pixel-forge", "northbridge"] if lasts else ["pixel-forge"])


def test_the_former_partner_can_no_longer_change_it(client, partnership, shared_event, lecturer):
    _end(partnership, lecturer)
    url = f"/api/events/{shared_event.pk}/"
    refused = (403, 404)
    assert api(lecturer).patch(url, {"title": "Taken over"}, format="json").status_code in refused
    cancel = api(lecturer).post(f"{url}cancel/", {"reason": "Ended"}, format="json")
    assert cancel.status_code in refused
    client.force_login(lecturer)
    client.post(reverse("events:transition", args=[shared_event.pk, "cancel"]))
    shared_event.refresh_from_db()
    assert shared_event.title != "Taken over"
    assert shared_event.status == EventStatus.PUBLISHED
    # Nor read one registration through the API.
    registration = shared_event.registrations.get()
    response = api(lecturer).get(f"/api/event-registrations/{registration.pk}/")
    assert response.status_code == 404


def test_a_draft_disappears_from_the_former_partner(client, studio, partnership, lecturer):
    draft = EventFactory(organisation=studio, partnership=partnership, status=EventStatus.DRAFT)
    client.force_login(lecturer)
    assert client.get(reverse("events:detail", args=[draft.pk])).status_code == 200
    _end(partnership, lecturer)
    assert client.get(reverse("events:detail", args=[draft.pk])).status_code == 404
    assert draft not in selectors.visible_events(lecturer)


def test_the_partnership_page_says_what_happens_to_its_events(client, partnership, lecturer):
    client.force_login(lecturer)
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "stays with the organisation that created it" in page
    _end(partnership, lecturer)
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "now run by their organising organisation alone" in page


def test_its_pages_and_the_organiser_filter_name_the_organiser_alone(
    client, partnership, shared_event, lecturer, university
):
    partner_link = f'href="{university.get_absolute_url()}"'
    by_partner = f"/events/?organiser={university.slug}"
    # Seen by a visitor, so from the page cache: ending the partnership must refresh it.
    assert shared_event.title in client.get(by_partner).content.decode()
    assert partner_link in client.get(shared_event.get_absolute_url()).content.decode()
    _end(partnership, lecturer)
    assert shared_event.title not in client.get(by_partner).content.decode()
    listed = client.get(f"/events/?organiser={shared_event.organisation.slug}").content.decode()
    assert shared_event.title in listed and f"with {university.name}" not in listed
    assert partner_link not in client.get(shared_event.get_absolute_url()).content.decode()


def test_a_story_about_it_still_needs_both_sides(partnership, shared_event, lecturer, university):
    """What they did together stays theirs: both approve a story about it."""
    from partnerships.stories.services import collaboration_sides

    _end(partnership, lecturer)
    shared_event.refresh_from_db()
    assert {org.pk for org in collaboration_sides(shared_event)} == {
        shared_event.organisation_id,
        university.pk,
    }
