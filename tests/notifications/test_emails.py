"""Notification emails as people receive them: one per person, each with a working one-click
unsubscribe; digests list every item once, grouped by type; jobs run twice send once."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from partnerships.notifications import emails, preferences
from partnerships.notifications.models import Digest, Frequency, Notification
from partnerships.notifications.models import NotificationType as T

from .conftest import notify

pytestmark = pytest.mark.django_db
SITE = "http://testserver"


def unsubscribe_link(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/notifications/unsubscribe/") and header.endswith(">")
    return header[1:-1]


def html_of(message) -> str:
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def one_click(url: str):
    """What a mail client does when its unsubscribe button is pressed (RFC 8058)."""
    return Client(enforce_csrf_checks=True).post(
        url.removeprefix(SITE),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )


# --- Instant ----------------------------------------------------------------------------------


def test_instant_email_goes_to_the_recipient_alone(student, studio_owner):
    notify(student, title="Pixel Forge shortlisted your application")
    notify(studio_owner, type_=T.APPLICATION, title="Sam applied to Junior 3D artist")
    assert emails.send_instant() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([student.email, studio_owner.email])
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    sam = next(m for m in mail.outbox if m.to == [student.email])
    assert "Pixel Forge shortlisted your application" in sam.subject
    assert "Sam applied" not in sam.body


def test_instant_email_has_link_preferences_and_honest_unsubscribe(student):
    notify(student, type_=T.APPROVAL, title="Northbridge approved it", url="/placements/7/")
    emails.send_instant()
    (message,) = mail.outbox
    assert f"{SITE}/placements/7/" in message.body
    assert f"{SITE}/notifications/preferences/" in message.body
    assert "Stop these emails (this turns off “Placement approvals” on Tandem too):" in (
        message.body
    )
    assert unsubscribe_link(message) in message.body
    html = html_of(message)
    assert f'href="{SITE}/placements/7/"' in html
    assert f'href="{unsubscribe_link(message)}">Stop these emails</a>' in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_instant_email_for_a_match_says_why(student, match):
    Notification.objects.filter(pk=match.pk).update(frequency=Frequency.INSTANT)
    emails.send_instant()
    (message,) = mail.outbox
    assert message.subject.endswith("Suggested for you: Junior 3D artist")
    assert "Why we suggest it:" in message.body
    assert "- You have 2 of the 2 skills it asks for: Blender, Unity" in message.body
    assert "<li>Remote allowed</li>" in html_of(message)


def test_instant_list_unsubscribe_header_works_in_one_click(student):
    notify(student, type_=T.PROPOSAL)
    emails.send_instant()
    response = one_click(unsubscribe_link(mail.outbox[0]))
    assert response.status_code == 200
    saved = preferences.preferences_of(student)
    assert saved[T.PROPOSAL] == Frequency.OFF
    assert saved[T.APPLICATION] == Frequency.INSTANT


def test_running_instant_twice_sends_once(student):
    notify(student)
    assert emails.send_instant() == 1
    assert emails.send_instant() == 0
    assert len(mail.outbox) == 1


def test_instant_skips_digest_notifications(student):
    notify(student, frequency=Frequency.DAILY)
    assert emails.send_instant() == 0
    assert mail.outbox == []


def test_titles_are_not_html_escaped_in_plain_text_or_subject(student):
    notify(student, title="Tom & Jerry's <studio> replied")
    emails.send_instant()
    (message,) = mail.outbox
    assert "Tom & Jerry's <studio> replied" in message.subject
    assert "Tom & Jerry's <studio> replied" in message.body
    assert "Tom &amp; Jerry&#x27;s &lt;studio&gt; replied" in html_of(message)


# --- Digests ----------------------------------------------------------------------------------


def test_daily_digest_lists_each_item_once_grouped_by_type(student, studio_owner, match):
    notify(student, type_=T.APPLICATION, title="Pixel Forge shortlisted you", frequency="daily")
    notify(student, type_=T.APPLICATION, title="Other Studio declined", frequency="daily")
    notify(studio_owner, type_=T.PROPOSAL, title="A new proposal", frequency="daily")
    notify(student, type_=T.APPROVAL, title="Sent at once, not in the digest")
    assert emails.send_digests(Frequency.DAILY) == 2
    assert len(mail.outbox) == 2
    sam = next(m for m in mail.outbox if m.to == [student.email])
    assert sam.subject.endswith("Your daily digest: 3 new things for you")
    for title in ("Junior 3D artist", "Pixel Forge shortlisted you", "Other Studio declined"):
        assert sam.body.count(title) == 1
        assert html_of(sam).count(f">{title}</a>") == 1
    assert "Sent at once" not in sam.body
    assert "A new proposal" not in sam.body
    # Grouped under one heading per type, each heading once, items under their own heading.
    applications = sam.body.index("Applications: yours, and to your placements")
    placements = sam.body.index("New placements that suit you")
    assert sam.body.count("Applications: yours, and to your placements") == 1
    assert applications < sam.body.index("Pixel Forge shortlisted you") < placements
    assert placements < sam.body.index("Junior 3D artist")
    assert "Why we suggest it: You have 2 of the 2 skills it asks for" in sam.body
    assert html_of(sam).count("<h2>") == 2


def test_digest_links_and_honest_unsubscribe(student):
    notify(student, frequency=Frequency.DAILY, url="/placements/applications/")
    emails.send_digests(Frequency.DAILY)
    (message,) = mail.outbox
    assert f"{SITE}/placements/applications/" in message.body
    assert f"{SITE}/notifications/preferences/" in message.body
    assert "Stop the daily digest" in message.body
    assert f'href="{unsubscribe_link(message)}">Stop the daily digest</a>' in html_of(message)


def test_digest_list_unsubscribe_turns_off_every_type_on_that_digest(student):
    preferences.set_preference(student, T.APPLICATION, Frequency.DAILY)
    notify(student, frequency=Frequency.DAILY)
    emails.send_digests(Frequency.DAILY)
    assert one_click(unsubscribe_link(mail.outbox[0])).status_code == 200
    saved = preferences.preferences_of(student)
    assert saved[T.APPLICATION] == saved[T.PLACEMENT_MATCH] == Frequency.OFF
    assert saved[T.EVENT_MATCH] == Frequency.WEEKLY
    assert saved[T.APPROVAL] == Frequency.INSTANT


def test_weekly_digest_uses_its_own_wording(student):
    notify(student, type_=T.EVENT_MATCH, title="Portfolio clinic", frequency=Frequency.WEEKLY)
    emails.send_digests(Frequency.WEEKLY)
    (message,) = mail.outbox
    assert message.subject.endswith("Your weekly digest: 1 new thing for you")
    assert "Stop the weekly digest" in message.body
    assert re.search(r"/notifications/unsubscribe/[^/]+/", unsubscribe_link(message))


def test_running_digests_twice_sends_once(student):
    notify(student, frequency=Frequency.DAILY)
    assert emails.send_digests(Frequency.DAILY) == 1
    assert emails.send_digests(Frequency.DAILY) == 0
    assert len(mail.outbox) == 1
    assert Digest.objects.count() == 1


def test_running_digests_twice_at_the_same_moment_sends_once(student):
    """A retried job that was handed the same ``now`` must not send the digest again."""
    notify(student, frequency=Frequency.DAILY)
    now = timezone.now()
    emails.send_digests(Frequency.DAILY, now=now)
    emails.send_digests(Frequency.DAILY, now=now)
    assert len(mail.outbox) == 1


def test_a_notification_after_the_digest_waits_for_the_next_one(student):
    notify(student, title="Early news", frequency=Frequency.DAILY)
    today = timezone.now()
    emails.send_digests(Frequency.DAILY, now=today)
    notify(student, title="Late news", frequency=Frequency.DAILY)
    emails.send_digests(Frequency.DAILY, now=today + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2
    assert "Early news" in mail.outbox[0].body and "Late news" not in mail.outbox[0].body
    assert "Late news" in mail.outbox[1].body and "Early news" not in mail.outbox[1].body
