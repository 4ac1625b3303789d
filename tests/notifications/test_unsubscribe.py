"""Unsubscribing from an email link, without signing in.

A GET only asks (link scanners open every link in an email); a POST — the page's button, or a
mail client's one-click button (RFC 8058) which sends no CSRF token — makes the change. A token
names one person and one thing to stop: altered, it stops nothing.
"""

import pytest
from django.test import Client
from django.urls import reverse

from partnerships.notifications import preferences
from partnerships.notifications.models import Frequency, NotificationPreference
from partnerships.notifications.models import NotificationType as T

pytestmark = pytest.mark.django_db
ONE_CLICK = "List-Unsubscribe=One-Click"


def url_for(user, what: str) -> str:
    token = preferences.unsubscribe_token(user.pk, what)
    return reverse("notifications:unsubscribe", kwargs={"token": token})


def body(response) -> str:
    return response.content.decode()


def test_get_asks_without_signing_in_and_changes_nothing(client, student):
    response = client.get(url_for(student, T.APPROVAL))
    assert response.status_code == 200
    page = body(response)
    assert "Stop emails about “Placement approvals”?" in page
    assert "nothing in your notifications on Tandem" in page
    assert '<form method="post"' in page
    assert reverse("notifications:preferences") in page
    assert not NotificationPreference.objects.exists()


def test_head_changes_nothing(client, student):
    assert client.head(url_for(student, T.APPROVAL)).status_code == 200
    assert not NotificationPreference.objects.exists()


def test_post_turns_that_type_off_and_confirms(client, student):
    response = client.post(url_for(student, T.APPROVAL))
    assert response.status_code == 200
    assert "Done: these emails are stopped" in body(response)
    assert "Placement approvals" in body(response)
    assert reverse("notifications:preferences") in body(response)
    saved = preferences.preferences_of(student)
    assert saved[T.APPROVAL] == Frequency.OFF
    assert saved[T.APPLICATION] == preferences.default_for(T.APPLICATION)


def test_one_click_post_without_csrf_from_a_mail_client_works(student):
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        url_for(student, T.PROPOSAL),
        data=ONE_CLICK,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert preferences.preferences_of(student)[T.PROPOSAL] == Frequency.OFF


def test_posting_twice_is_harmless(client, student):
    client.post(url_for(student, T.APPROVAL))
    response = client.post(url_for(student, T.APPROVAL))
    assert response.status_code == 200
    assert NotificationPreference.objects.filter(user=student).count() == 1


def test_a_type_already_off_says_so(client, student):
    preferences.set_preference(student, T.APPROVAL, Frequency.OFF)
    assert "already turned off" in body(client.get(url_for(student, T.APPROVAL)))


def test_token_altered_by_one_character_is_refused(client, student):
    token = preferences.unsubscribe_token(student.pk, T.APPROVAL)
    position = len(token) // 2
    swapped = "A" if token[position] != "A" else "B"
    altered = token[:position] + swapped + token[position + 1 :]
    url = reverse("notifications:unsubscribe", kwargs={"token": altered})
    for response in (client.get(url), client.post(url, data=ONE_CLICK, content_type="text/plain")):
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in body(response)
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("token", ["garbage", "a:b:c", "%00", "x" * 500, ":::", "é"])
def test_garbage_tokens_get_a_clear_400_never_a_500(client, token):
    url = reverse("notifications:unsubscribe", kwargs={"token": token})
    response = client.post(url)
    assert response.status_code == 400
    assert "Nothing has been changed." in body(response)


def test_a_token_signed_with_another_salt_is_refused(client, student):
    from django.core import signing

    token = signing.dumps({"u": student.pk, "t": T.APPROVAL}, compress=True)
    response = client.post(reverse("notifications:unsubscribe", kwargs={"token": token}))
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_a_token_for_type_a_cannot_turn_off_type_b(client, student):
    client.post(url_for(student, T.APPROVAL), {"type": T.PROPOSAL, "what": T.PROPOSAL})
    saved = preferences.preferences_of(student)
    assert saved[T.APPROVAL] == Frequency.OFF
    assert saved[T.PROPOSAL] == preferences.default_for(T.PROPOSAL)
    assert NotificationPreference.objects.filter(user=student).count() == 1


def test_a_token_for_one_person_never_touches_another(client, student, studio_owner):
    client.post(url_for(student, T.APPROVAL))
    assert not NotificationPreference.objects.filter(user=studio_owner).exists()


def test_a_digest_token_turns_off_every_type_on_that_digest(client, student):
    preferences.set_preference(student, T.APPLICATION, Frequency.DAILY)
    preferences.set_preference(student, T.EVENT_MATCH, Frequency.DAILY)  # default weekly
    on_daily = [t for t, f in preferences.preferences_of(student).items() if f == Frequency.DAILY]
    page = body(client.get(url_for(student, "digest:daily")))
    assert "Stop emails about the daily digest?" in page
    assert "Applications: yours, and to your placements" in page
    assert preferences.preferences_of(student)[T.APPLICATION] == Frequency.DAILY  # GET: nothing

    response = client.post(url_for(student, "digest:daily"))
    assert response.status_code == 200
    saved = preferences.preferences_of(student)
    assert all(saved[t] == Frequency.OFF for t in on_daily)
    # The weekly digest and instant emails are left alone.
    assert saved[T.APPROVAL] == preferences.default_for(T.APPROVAL) == Frequency.INSTANT
    assert {t for t, f in saved.items() if f == Frequency.OFF} == set(on_daily)


def test_weekly_digest_token_leaves_the_daily_digest_alone(client, student):
    client.post(url_for(student, "digest:weekly"))
    saved = preferences.preferences_of(student)
    assert saved[T.EVENT_MATCH] == Frequency.OFF  # weekly by default
    assert saved[T.PLACEMENT_MATCH] == Frequency.DAILY


def test_a_digest_with_nothing_left_says_so(client, student):
    for type_ in T.values:
        preferences.set_preference(student, type_, Frequency.INSTANT)
    assert "nothing to stop" in body(client.get(url_for(student, "digest:weekly")))


def test_a_token_for_a_deleted_account_gets_a_clear_page(client, student):
    url = url_for(student, T.APPROVAL)
    student.delete()
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404
        assert "This account no longer exists" in body(response)


def test_signed_in_as_someone_else_the_token_still_decides(client, student, studio_owner):
    client.force_login(studio_owner)
    client.post(url_for(student, T.APPROVAL))
    assert preferences.preferences_of(student)[T.APPROVAL] == Frequency.OFF
    assert preferences.preferences_of(studio_owner)[T.APPROVAL] == Frequency.INSTANT


def test_other_methods_are_refused(client, student):
    assert client.put(url_for(student, T.APPROVAL)).status_code == 405
    assert not NotificationPreference.objects.exists()
