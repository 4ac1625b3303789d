"""The notification pages as a person uses them: read the inbox, open, mark read, choose how often.

Nobody reaches anyone else's notifications (404); opening one never leaves the site; the inbox
costs the same number of queries however many notifications there are.
"""

import datetime
import re

import pytest
from django.urls import reverse

from partnerships.notifications import preferences
from partnerships.notifications.models import Frequency, Notification, NotificationType
from partnerships.notifications.views import local_path

from .conftest import notify, notify_many

pytestmark = pytest.mark.django_db
INBOX = reverse("notifications:inbox")


def body(response) -> str:
    return response.content.decode()


def main(response) -> str:
    """The page without the header and navigation."""
    return body(response).split('<main id="main"', 1)[-1]


# --- Inbox ------------------------------------------------------------------------------------


def test_inbox_needs_sign_in(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_student_sees_own_notifications_newest_first(client, student, studio_owner):
    notify(student, title="Older news", ago=datetime.timedelta(hours=3))
    notify(student, title="Newer news")
    notify(studio_owner, title="Oscar's private news")
    client.force_login(student)
    page = main(client.get(INBOX))
    assert page.index("Newer news") < page.index("Older news")
    assert "Oscar&#x27;s private news" not in page and "Oscar's private news" not in page


def test_unread_ones_are_marked_for_eyes_and_screen_readers(client, student):
    unread = notify(student, title="Not seen yet")
    read = notify(student, title="Already seen", read=True)
    client.force_login(student)
    page = main(client.get(INBOX))
    unread_item = page.split(f'id="notification-{unread.pk}"', 1)[1].split("</li>", 1)[0]
    read_item = page.split(f'id="notification-{read.pk}"', 1)[1].split("</li>", 1)[0]
    assert "Unread:" in unread_item and ">New<" in unread_item
    assert "Unread:" not in read_item and ">New<" not in read_item
    assert 'class="notification notification--unread"' in page
    assert "You have 1 unread notification." in page


def test_each_notification_shows_title_time_and_link_through_open(client, student):
    notification = notify(student, title="Pixel Forge shortlisted you")
    client.force_login(student)
    page = main(client.get(INBOX))
    assert "Pixel Forge shortlisted you" in page
    assert reverse("notifications:open", args=[notification.pk]) in page
    assert f'datetime="{notification.created_at:%Y-%m-%d}' in page
    assert "ago</time>" in page


def test_matches_explain_why_in_words(client, student, match):
    client.force_login(student)
    page = main(client.get(INBOX))
    assert "Why we suggest it:" in page
    assert "You have 2 of the 2 skills it asks for: Blender, Unity" in page
    assert "Remote allowed" in page
    assert "In a sector you follow" in page


def test_unread_filter_shows_only_unread(client, student):
    notify(student, title="Still unread")
    notify(student, title="Read already", read=True)
    client.force_login(student)
    page = main(client.get(INBOX, {"unread": "1"}))
    assert "Still unread" in page
    assert "Read already" not in page
    assert 'aria-current="true">Unread only' in page


def test_unread_filter_with_nothing_unread_says_so(client, student):
    notify(student, read=True)
    client.force_login(student)
    page = main(client.get(INBOX, {"unread": "1"}))
    assert "You have read everything." in page


def test_empty_inbox_explains_what_will_show_up_and_links_to_preferences(client, student):
    client.force_login(student)
    page = main(client.get(INBOX))
    assert "Nothing here yet." in page
    assert "placements, calls and events that suit you" in page
    assert reverse("notifications:preferences") in page


def test_inbox_is_paginated_by_twenty(client, student):
    notify_many(student, 25)
    client.force_login(student)
    first = main(client.get(INBOX))
    assert first.count('class="notification ') == 20
    assert "Page 1 of 2" in first
    second = main(client.get(INBOX, {"page": 2}))
    assert second.count('class="notification ') == 5
    assert "Update number 24" in second


def test_inbox_costs_the_same_queries_for_5_or_40(
    client, student, match, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notify_many(student, 4, type_=NotificationType.PLACEMENT_MATCH, reasons=match.reasons)
    client.force_login(student)
    with CaptureQueriesContext(connection) as few:
        assert client.get(INBOX).status_code == 200
    notify_many(student, 35, type_=NotificationType.PLACEMENT_MATCH, reasons=match.reasons)
    with django_assert_max_num_queries(len(few)):
        response = client.get(INBOX)
    assert main(response).count('class="notification ') == 20


# --- Open -------------------------------------------------------------------------------------


def test_opening_marks_read_and_goes_to_the_page(client, student):
    notification = notify(student, url="/placements/12/")
    client.force_login(student)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/placements/12/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_someone_elses_notification_is_404_and_changes_nothing(
    client, student, studio_owner
):
    theirs = notify(studio_owner)
    client.force_login(student)
    response = client.get(reverse("notifications:open", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "javascript:alert(1)",
        "evil.example",
        "",
        "/\nLocation: https://evil.example",
        "/\x1b[31m",
    ],
)
def test_opening_never_leaves_the_site(client, student, url):
    notification = notify(student, url=url)
    client.force_login(student)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == INBOX
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_local_path_keeps_paths_with_query_strings():
    assert local_path("/events/4/?tab=agenda#when") == "/events/4/?tab=agenda#when"
    assert local_path("https://testserver/events/4/") is None


# --- Read, read all ---------------------------------------------------------------------------


def test_marking_one_read_returns_to_the_same_page(client, student):
    notifications = notify_many(student, 25)
    oldest = notifications[-1]
    client.force_login(student)
    response = client.post(
        reverse("notifications:read", args=[oldest.pk]), {"page": "2", "unread": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{INBOX}?unread=1&page=2"
    oldest.refresh_from_db()
    assert oldest.read_at is not None
    assert Notification.objects.filter(recipient=student, read_at__isnull=True).count() == 24


def test_marking_read_ignores_a_garbage_page(client, student):
    notification = notify(student)
    client.force_login(student)
    response = client.post(
        reverse("notifications:read", args=[notification.pk]), {"page": "//evil.example"}
    )
    assert response["Location"] == INBOX


def test_marking_read_needs_post(client, student):
    notification = notify(student)
    client.force_login(student)
    assert client.get(reverse("notifications:read", args=[notification.pk])).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_cannot_mark_someone_elses_read(client, student, studio_owner):
    theirs = notify(studio_owner)
    client.force_login(student)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_mine(client, student, studio_owner):
    notify_many(student, 3)
    theirs = notify(studio_owner)
    client.force_login(student)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "All your notifications are marked as read." in body(response)
    assert not Notification.objects.filter(recipient=student, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_needs_sign_in(client, student):
    notify(student)
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


# --- Preferences ------------------------------------------------------------------------------


def checked(page: str, name: str) -> str:
    """The value of the checked radio button of the group ``name``."""
    found = re.findall(rf'<input type="radio" name="{name}" value="(\w+)"[^>]*\bchecked\b', page)
    assert len(found) == 1, found
    return found[0]


def test_preferences_list_every_type_as_a_radio_group(client, student):
    client.force_login(student)
    page = main(client.get(reverse("notifications:preferences")))
    assert page.count("<fieldset") == page.count("<legend") == len(NotificationType.values)
    for type_, label in NotificationType.choices:
        assert str(label).replace("'", "&#x27;") in page
        for frequency in Frequency.values:
            assert f'name="{type_}" value="{frequency}"' in page


def test_preferences_show_current_values(client, student):
    preferences.set_preference(student, NotificationType.APPROVAL, Frequency.WEEKLY)
    client.force_login(student)
    page = main(client.get(reverse("notifications:preferences")))
    assert checked(page, "approval") == Frequency.WEEKLY
    # Without a choice of their own, the default is shown.
    assert checked(page, "placement_match") == preferences.default_for("placement_match")


def test_saving_preferences_stores_them_and_says_so(client, student):
    client.force_login(student)
    data = dict.fromkeys(NotificationType.values, Frequency.DAILY)
    data[NotificationType.EVENT_MATCH] = Frequency.OFF
    response = client.post(reverse("notifications:preferences"), data, follow=True)
    assert "Your notification settings are saved." in body(response)
    saved = preferences.preferences_of(student)
    assert saved[NotificationType.EVENT_MATCH] == Frequency.OFF
    assert saved[NotificationType.APPLICATION] == Frequency.DAILY


def test_saved_preferences_are_honoured_by_the_pipeline(client, student, studio_owner):
    """Turning a type off means the next event of that type notifies nobody."""
    from partnerships.activity.models import DomainEvent
    from partnerships.notifications.outbox import direct

    client.force_login(student)
    data = preferences.preferences_of(student) | {NotificationType.REGISTRATION: Frequency.OFF}
    client.post(reverse("notifications:preferences"), data)
    event = DomainEvent.objects.create(
        name="test.registration", target_type="events.event", target_id=1
    )
    written = direct(
        event,
        NotificationType.REGISTRATION,
        [student.pk, studio_owner.pk],
        title="Your place",
        url="/events/1/",
        target=studio_owner,
    )
    assert written == 1
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [studio_owner.pk]


def test_a_tampered_frequency_is_refused_and_nothing_saved(client, student):
    client.force_login(student)
    data = dict.fromkeys(NotificationType.values, Frequency.DAILY)
    data[NotificationType.APPROVAL] = "hourly"
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 400
    assert not student.notification_preferences.exists()


def test_preferences_need_sign_in(client):
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 302
