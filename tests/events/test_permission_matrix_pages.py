"""Who may open which event page or file, persona by persona.

Personas: anonymous, Sam (a Northbridge student holding a place), Uma (a student elsewhere), the
studio's owner and member (the organisers), Olga (another studio), Lena (a Northbridge lecturer,
not an organiser) and a platform admin. Drafts are invisible (404) to everyone but the
organisers and admins; visible pages organisers alone may use answer 403; account pages send
anonymous people to log in. Refused actions leave the data unchanged.
"""

import pytest
from django.urls import reverse

from events import services
from events.models import EventSession, EventStatus, Registration, RegistrationStatus, Speaker

from .conftest import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db
R = RegistrationStatus
LOGIN = "login"

PERSONAS = [
    "anonymous", "student", "other_student", "studio_owner", "studio_member", "other_owner",
    "lecturer", "platform_admin",
]  # fmt: skip
ORGANISERS = {"studio_owner", "studio_member", "platform_admin"}


def everyone(status):
    return dict.fromkeys(PERSONAS, status)


def signed_in(status):
    return {p: (LOGIN if p == "anonymous" else status) for p in PERSONAS}


def organisers_only(outsiders):
    """Organisers 200, signed-out people to log in, everyone else ``outsiders``."""
    return {
        p: 200 if p in ORGANISERS else LOGIN if p == "anonymous" else outsiders for p in PERSONAS
    }


def draft_visibility():
    return {p: 200 if p in ORGANISERS else 404 for p in PERSONAS}


class World:
    def __init__(self, event, draft, registration, pending, session, speaker, feed):
        self.event, self.draft, self.registration = event, draft, registration
        self.pending, self.session, self.speaker, self.feed = pending, session, speaker, feed


@pytest.fixture
def world(event, draft_event, student, other_student, studio_member, other_owner, lecturer,
          platform_admin):  # fmt: skip
    registration = RegistrationFactory(event=event, user=student)
    pending = RegistrationFactory(event=event, status=R.PENDING)
    session = EventSession.objects.create(
        event=event, title="Keynote", starts_at=event.starts_at, ends_at=event.ends_at
    )
    speaker = Speaker.objects.create(event=event, session=session, name="Guest Star")
    return World(
        event, draft_event, registration, pending, session, speaker, services.feed_for(student)
    )


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == expected


PAGES = {
    # name: (url builder, expected by persona)
    "events:browse": (lambda w: reverse("events:browse"), everyone(200)),
    "events:browse past": (lambda w: reverse("events:browse") + "?when=past", everyone(200)),
    "events:month": (lambda w: reverse("events:month"), everyone(200)),
    "events:my_events": (lambda w: reverse("events:my_events"), signed_in(200)),
    "events:feed_settings": (lambda w: reverse("events:feed_settings"), signed_in(200)),
    "events:create": (lambda w: reverse("events:create"), signed_in(200)),
    "events:feed": (lambda w: reverse("events:feed", args=[w.feed.token]), everyone(200)),
    "events:feed unknown": (lambda w: reverse("events:feed", args=["0" * 64]), everyone(404)),
    "events:detail": (lambda w: reverse("events:detail", args=[w.event.pk]), everyone(200)),
    "events:detail draft": (
        lambda w: reverse("events:detail", args=[w.draft.pk]), draft_visibility()
    ),
    "events:detail missing": (lambda w: reverse("events:detail", args=[99999]), everyone(404)),
    "events:ics": (lambda w: reverse("events:ics", args=[w.event.pk]), everyone(200)),
    "events:ics draft": (lambda w: reverse("events:ics", args=[w.draft.pk]), draft_visibility()),
    "events:edit": (lambda w: reverse("events:edit", args=[w.event.pk]), organisers_only(403)),
    "events:edit draft": (
        lambda w: reverse("events:edit", args=[w.draft.pk]), organisers_only(404)
    ),
    "events:transition cancel": (
        lambda w: reverse("events:transition", args=[w.event.pk, "cancel"]), organisers_only(403)
    ),
    "events:agenda": (lambda w: reverse("events:agenda", args=[w.event.pk]), organisers_only(403)),
    "events:agenda draft": (
        lambda w: reverse("events:agenda", args=[w.draft.pk]), organisers_only(404)
    ),
    "events:registrants": (
        lambda w: reverse("events:registrants", args=[w.event.pk]), organisers_only(403)
    ),
    "events:registrants draft": (
        lambda w: reverse("events:registrants", args=[w.draft.pk]), organisers_only(404)
    ),
    "events:export_csv": (
        lambda w: reverse("events:export_csv", args=[w.event.pk]), organisers_only(403)
    ),
    "events:check_in": (
        lambda w: reverse("events:check_in", args=[w.event.pk]), organisers_only(403)
    ),
    "events:message": (
        lambda w: reverse("events:message", args=[w.event.pk]), organisers_only(403)
    ),
    "events:message draft": (
        lambda w: reverse("events:message", args=[w.draft.pk]), organisers_only(404)
    ),
}  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_matrix(client, request, world, persona, page):
    url_for, expected = PAGES[page]
    login(client, request, persona)
    check(client.get(url_for(world)), expected[persona])


def _organiser_posts(world):
    """Every organiser action, aimed at the published event (and its draft sibling)."""
    event, draft = world.event, world.draft
    return [
        (reverse("events:transition", args=[draft.pk, "publish"]), {}),
        (reverse("events:transition", args=[event.pk, "cancel"]), {"reason": "Sneaky"}),
        (reverse("events:transition", args=[event.pk, "complete"]), {}),
        (reverse("events:registration_action", args=[event.pk, world.pending.pk, "approve"]), {}),
        (reverse("events:registration_action", args=[event.pk, world.pending.pk, "decline"]), {}),
        (
            reverse("events:registration_action", args=[event.pk, world.registration.pk, "cancel"]),
            {},
        ),
        (reverse("events:check_in_toggle", args=[event.pk, world.registration.pk]), {}),
        (reverse("events:session_delete", args=[event.pk, world.session.pk]), {}),
        (reverse("events:speaker_delete", args=[event.pk, world.speaker.pk]), {}),
        (reverse("events:edit", args=[event.pk]), {"title": "Hijacked"}),
        (reverse("events:agenda", args=[event.pk]), {"form": "speaker", "speaker-name": "X"}),
        (reverse("events:message", args=[event.pk]), {"subject": "Spam", "body": "Spam"}),
    ]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ORGANISERS])
def test_refused_organiser_actions_change_nothing(client, request, world, persona):
    login(client, request, persona)
    for url, data in _organiser_posts(world):
        response = client.post(url, data)
        if persona == "anonymous":
            check(response, LOGIN)
        else:
            assert response.status_code in (403, 404), url
    world.event.refresh_from_db()
    world.draft.refresh_from_db()
    assert world.event.status == EventStatus.PUBLISHED and world.event.title != "Hijacked"
    assert world.draft.status == EventStatus.DRAFT
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {world.registration.pk: R.CONFIRMED, world.pending.pk: R.PENDING}
    assert Registration.objects.get(pk=world.registration.pk).checked_in_at is None
    assert EventSession.objects.filter(pk=world.session.pk).exists()
    assert Speaker.objects.filter(event=world.event).count() == 1
    assert not world.event.messages.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_outsiders_cannot_touch_draft_organiser_actions_with_404(client, request, world, persona):
    """On a draft, people who cannot see it get 404 (never 403), so drafts do not leak."""
    login(client, request, persona)
    response = client.post(reverse("events:transition", args=[world.draft.pk, "cancel"]))
    if persona == "anonymous":
        check(response, LOGIN)
    elif persona in ORGANISERS:
        assert response.status_code == 302
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_register_for_a_draft_is_refused(client, request, world, persona):
    login(client, request, persona)
    response = client.post(reverse("events:register", args=[world.draft.pk]))
    if persona == "anonymous":
        check(response, LOGIN)
    elif persona in ORGANISERS:
        assert response.status_code == 302  # visible, but the service refuses: a message
    else:
        assert response.status_code == 404
    assert not Registration.objects.filter(event=world.draft).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_register_for_a_public_event(client, request, world, persona):
    login(client, request, persona)
    response = client.post(reverse("events:register", args=[world.event.pk]))
    if persona == "anonymous":
        check(response, LOGIN)
        return
    assert response.status_code == 302
    assert Registration.objects.filter(event=world.event, user=response.wsgi_request.user).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_cancel_registration_only_touches_your_own(client, request, world, persona):
    login(client, request, persona)
    response = client.post(reverse("events:cancel_registration", args=[world.event.pk]))
    if persona == "anonymous":
        check(response, LOGIN)
    elif persona == "student":
        assert response.status_code == 302
    else:
        assert response.status_code == 404
    expected = R.CANCELLED if persona == "student" else R.CONFIRMED
    assert Registration.objects.get(pk=world.registration.pk).status == expected


@pytest.mark.parametrize("persona", ["student", "other_student", "other_owner", "lecturer"])
def test_students_only_event_is_invisible_to_staff_and_visitors(client, request, studio, persona):
    from events.models import Audience

    event = EventFactory(organisation=studio, audience=Audience.STUDENTS, starts_at=in_days(5))
    login(client, request, persona)
    expected = 200 if persona in ("student", "other_student") else 404
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == expected
    assert client.get(reverse("events:ics", args=[event.pk])).status_code == expected
    client.logout()
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 404
