"""An event's times are not moved into the past: people registered for what is still to come."""

import datetime

import pytest

from events.services import event_update
from partnerships.core.errors import DomainError
from tests.events.conftest import in_days

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fixture", ["event", "draft_event"])
def test_moving_an_event_to_have_ended_is_refused(request, studio_owner, fixture):
    event = request.getfixturevalue(fixture)
    before = (event.starts_at, event.ends_at)
    with pytest.raises(DomainError) as refused:
        event_update(
            actor=studio_owner, event=event, starts_at=in_days(-3), ends_at=in_days(-3) + HOUR
        )
    assert refused.value.field == "ends_at" and refused.value.code == "in_the_past"
    event.refresh_from_db()
    assert (event.starts_at, event.ends_at) == before


def test_an_event_under_way_may_still_end_later(studio_owner, event):
    event.starts_at, event.ends_at = in_days(-0.1), in_days(0.05)
    event.save()
    updated = event_update(actor=studio_owner, event=event, ends_at=in_days(0.2))
    assert updated.ends_at > event.ends_at


def test_other_edits_of_an_event_that_just_ended_are_allowed(studio_owner, event):
    event.starts_at, event.ends_at = in_days(-0.2), in_days(-0.01)  # not yet marked held
    event.save()
    assert event_update(actor=studio_owner, event=event, summary="Slides added").summary == (
        "Slides added"
    )


def test_the_form_says_why(client, studio_owner, event):
    client.force_login(studio_owner)
    page = client.get(f"/events/{event.pk}/edit/")
    assert page.status_code == 200
    api = client.patch(
        f"/api/events/{event.pk}/",
        {"starts_at": in_days(-2).isoformat(), "ends_at": (in_days(-2) + HOUR).isoformat()},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "The event must end in the future." in api.content.decode()


HOUR = datetime.timedelta(hours=1)
