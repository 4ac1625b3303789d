"""Story notifications through the outbox: testimonial requests, requests to approve, a story
published, and quotes waiting for consent. The right people (never outsiders) are told once,
in the app and by email with a link that works for them; preferences apply.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from partnerships.activity.models import DomainEvent
from partnerships.notifications import emails, outbox, preferences
from partnerships.notifications.models import Frequency, Notification
from partnerships.notifications.models import NotificationType as T
from partnerships.stories import services
from partnerships.stories.models import TestimonialRequest

pytestmark = pytest.mark.django_db
SITE = "http://testserver"


@pytest.fixture
def run_outbox(django_capture_on_commit_callbacks):
    """Dispatch every pending domain event as the worker would, with after-commit work (the
    chained dispatches, the emails) run at once."""

    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            for pk in DomainEvent.objects.filter(dispatched_at__isnull=True).values_list(
                "pk", flat=True
            ):
                outbox.dispatch(pk)

    return run


def notified(name: str) -> dict[str, Notification]:
    rows = Notification.objects.filter(event__name=name, type=T.STORY).select_related("recipient")
    return {n.recipient.email: n for n in rows}


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def link_in(message) -> str:
    match = re.search(rf"{re.escape(SITE)}(/stories/[^\s\"<]+)", message.body)
    assert match, message.body
    return match.group(1)


def redispatch(name: str, run_outbox) -> None:
    """Handle the same domain event again (a retry after a crash between handling and marking)."""
    DomainEvent.objects.filter(name=name).update(dispatched_at=None)
    run_outbox()


# --- (a) Testimonials requested ---------------------------------------------------------------


def test_each_side_is_asked_how_it_went(
    client, run_outbox, completed_call, lecturer, studio_owner, studio_member, other_owner, student
):
    run_outbox()  # opportunity.completed → the prompt → story.testimonials_requested
    people = notified("story.testimonials_requested")
    assert set(people) == {lecturer.email, studio_owner.email, studio_member.email}
    title = f"How did “{completed_call.title}” go? Tell us in two minutes"
    assert all(n.title == title for n in people.values())
    for user in (lecturer, studio_owner, studio_member):
        (message,) = mails_to(user.email)
        assert title in message.subject
        assert message.alternatives and message.alternatives[0][1] == "text/html"
        assert message.extra_headers["List-Unsubscribe"].startswith(f"<{SITE}/notifications/")
        url = link_in(message)
        assert url == people[user.email].url
        assert f'href="{SITE}{url}"' in message.alternatives[0][0]
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200, user
        token = url.rstrip("/").rsplit("/", 1)[1]
        side = TestimonialRequest.objects.get(token=token).organisation
        assert user.memberships.filter(organisation=side).exists()
    assert not mails_to(other_owner.email) and not mails_to(student.email)
    assert all(n.emailed_at for n in people.values())


def test_handling_the_request_again_notifies_nobody_twice(
    run_outbox, completed_call, lecturer, studio_owner
):
    run_outbox()
    count, sent = Notification.objects.count(), len(mail.outbox)
    redispatch("story.testimonials_requested", run_outbox)
    redispatch("opportunity.completed", run_outbox)
    assert Notification.objects.count() == count
    assert len(mail.outbox) == sent
    emails.send_instant()  # the beat safety net finds nothing left to send
    assert len(mail.outbox) == sent


# --- (b) Sent for review ----------------------------------------------------------------------


def test_the_sides_are_asked_to_approve(
    client,
    run_outbox,
    nominated,
    platform_admin,
    lecturer,
    studio_owner,
    studio_member,
    other_owner,
    student,
):
    story = services.accept_nomination(actor=platform_admin, story=nominated)
    services.send_for_review(actor=platform_admin, story=story)
    run_outbox()
    people = notified("story.sent_for_review")
    assert set(people) == {lecturer.email, studio_owner.email, studio_member.email}
    review_url = reverse("stories:review", args=[story.pk])
    assert {n.url for n in people.values()} == {review_url}
    (message,) = mails_to(studio_member.email)
    assert "Please approve the story about “Northbridge × Pixel Forge”" in message.subject
    assert link_in(message) == review_url
    client.force_login(studio_member)
    assert client.get(review_url).status_code == 200
    for outsider in (other_owner, student, platform_admin):
        assert not mails_to(outsider.email)
    redispatch("story.sent_for_review", run_outbox)
    assert len(notified("story.sent_for_review")) == 3
    assert len(mails_to(studio_member.email)) == 1


# --- (c) Published ----------------------------------------------------------------------------


def test_the_sides_hear_their_story_is_live(
    client, run_outbox, approved, platform_admin, lecturer, studio_owner, other_owner
):
    run_outbox()  # the earlier events of the story
    mail.outbox.clear()
    story = services.publish(actor=platform_admin, story=approved)
    run_outbox()
    people = notified("story.published")
    assert set(people) == {lecturer.email, studio_owner.email}
    public_url = reverse("stories:detail", args=[story.slug])
    (message,) = mails_to(lecturer.email)
    assert f"Your story is live: “{story.title}”" in message.subject
    assert link_in(message) == public_url
    client.logout()
    assert client.get(public_url).status_code == 200  # public now, for anyone
    assert not mails_to(other_owner.email) and not mails_to(platform_admin.email)
    redispatch("story.published", run_outbox)
    assert len(mails_to(lecturer.email)) == 1


def test_a_story_archived_before_dispatch_tells_nobody(run_outbox, approved, platform_admin):
    story = services.publish(actor=platform_admin, story=approved)
    services.archive(actor=platform_admin, story=story)
    run_outbox()
    assert not notified("story.published")


# --- (d) Quotes needing consent ---------------------------------------------------------------


def test_the_person_quoted_is_asked_to_consent(
    client, run_outbox, nominated, platform_admin, studio_member, studio_owner
):
    quote = services.add_quote(
        actor=platform_admin,
        story=nominated,
        text="Best six weeks of the year.",
        person_name="Mia",
        user=studio_member,
    )
    services.add_quote(actor=platform_admin, story=nominated, text="Nice.", person_name="Visitor")
    run_outbox()
    people = notified("story.quote_added")
    assert set(people) == {studio_member.email}
    (message,) = mails_to(studio_member.email)
    assert "May we quote you" in message.subject
    assert "Best six weeks of the year." in message.body
    url = link_in(message)
    assert url == reverse("stories:quote_consent", args=[quote.pk])
    client.force_login(studio_member)
    assert client.get(url).status_code == 200
    client.post(url, {"action": "give"})
    quote.refresh_from_db()
    assert quote.has_consent
    assert not mails_to(studio_owner.email)


def test_changed_words_ask_again_but_a_changed_role_does_not(
    run_outbox, nominated, platform_admin, studio_member
):
    quote = services.add_quote(
        actor=platform_admin, story=nominated, text="Good.", person_name="Mia", user=studio_member
    )
    run_outbox()
    services.give_quote_consent(actor=studio_member, quote=quote)
    services.edit_quote(actor=platform_admin, quote=quote, text="Good.", person_role="Artist")
    run_outbox()
    assert not notified("story.quote_edited")
    assert len(mails_to(studio_member.email)) == 1
    services.edit_quote(actor=platform_admin, quote=quote, text="Very good.")
    run_outbox()
    assert set(notified("story.quote_edited")) == {studio_member.email}
    assert len(mails_to(studio_member.email)) == 2  # asked when added, and again now


# --- Preferences --------------------------------------------------------------------------------


def test_stories_are_emailed_at_once_by_default():
    assert preferences.default_for(T.STORY) == Frequency.INSTANT
    assert T.STORY.label == "Success stories about your work"


def test_off_and_digest_preferences_apply(
    run_outbox, nominated, platform_admin, lecturer, studio_owner, studio_member
):
    preferences.set_preference(studio_owner, T.STORY, Frequency.OFF)
    preferences.set_preference(studio_member, T.STORY, Frequency.DAILY)
    services.send_for_review(
        actor=platform_admin,
        story=services.accept_nomination(actor=platform_admin, story=nominated),
    )
    run_outbox()
    people = notified("story.sent_for_review")
    assert set(people) == {lecturer.email, studio_member.email}
    assert people[studio_member.email].frequency == Frequency.DAILY
    assert people[studio_member.email].emailed_at is None
    assert [m.to for m in mail.outbox] == [[lecturer.email]]
    assert emails.send_digests(Frequency.DAILY) == 1
    digest = mails_to(studio_member.email)[0]
    assert "Please approve the story about" in digest.body
    assert f"{SITE}{reverse('stories:review', args=[nominated.pk])}" in digest.body


def test_inbox_shows_story_notifications(client, run_outbox, nominated, platform_admin, lecturer):
    services.send_for_review(
        actor=platform_admin,
        story=services.accept_nomination(actor=platform_admin, story=nominated),
    )
    run_outbox()
    client.force_login(lecturer)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "Please approve the story about" in html
    assert "Success stories about your work" in html
    settings_page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Success stories about your work" in settings_page
