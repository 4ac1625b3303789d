"""The notifications API: your own notifications only, marking them read, and your preferences
as one object (type → frequency) with unknown types and frequencies refused."""

import pytest
from rest_framework.test import APIClient

from partnerships.notifications import preferences
from partnerships.notifications.models import Frequency, Notification
from partnerships.notifications.models import NotificationType as T

from .conftest import notify, notify_many

pytestmark = pytest.mark.django_db
LIST = "/api/notifications/"
PREFERENCES = "/api/notification-preferences/"


def as_(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_anonymous_callers_get_401(client):
    api = APIClient()
    assert api.get(LIST).status_code == 401
    assert api.get(PREFERENCES).status_code == 401
    assert api.post(f"{LIST}read-all/").status_code == 401


def test_list_shows_only_my_own_newest_first(student, studio_owner):
    mine = notify_many(student, 3)
    notify(studio_owner, title="Oscar's")
    response = as_(student).get(LIST)
    assert response.status_code == 200
    assert response.data["count"] == 3
    assert [row["id"] for row in response.data["results"]] == [n.pk for n in mine]


def test_list_is_paginated(student):
    notify_many(student, 25)
    response = as_(student).get(LIST)
    assert response.data["count"] == 25
    assert len(response.data["results"]) == 20
    assert response.data["next"]


def test_fields_include_the_explanation(student, match):
    (row,) = as_(student).get(LIST).data["results"]
    assert row["type"] == "placement_match"
    assert row["type_display"] == "New placements that suit you"
    assert row["url"] == match.url
    assert row["score"] == 87
    assert row["is_read"] is False and row["read_at"] is None
    assert "Remote allowed" in row["explanation"]
    assert row["explanation"][0] == "You have 2 of the 2 skills it asks for: Blender, Unity"
    assert "reasons" not in row and "recipient" not in row


def test_unread_filter(student):
    notify(student, title="unread")
    notify(student, title="read", read=True)
    titles = [r["title"] for r in as_(student).get(LIST, {"unread": "true"}).data["results"]]
    assert titles == ["unread"]
    assert as_(student).get(LIST, {"unread": "false"}).data["count"] == 2


def test_someone_elses_notification_is_404(student, studio_owner):
    theirs = notify(studio_owner)
    api = as_(student)
    assert api.get(f"{LIST}{theirs.pk}/").status_code == 404
    assert api.post(f"{LIST}{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_detail_has_the_explanation_too(student, match):
    row = as_(student).get(f"{LIST}{match.pk}/").data
    assert "Remote allowed" in row["explanation"]


def test_mark_one_read(student):
    notification = notify(student)
    response = as_(student).post(f"{LIST}{notification.pk}/read/")
    assert response.status_code == 200
    assert response.data["is_read"] is True
    notification.refresh_from_db()
    first = notification.read_at
    assert first is not None
    as_(student).post(f"{LIST}{notification.pk}/read/")
    notification.refresh_from_db()
    assert notification.read_at == first  # idempotent: the first reading stays


def test_read_all_marks_only_mine(student, studio_owner):
    notify_many(student, 3)
    notify(student, read=True)
    theirs = notify(studio_owner)
    response = as_(student).post(f"{LIST}read-all/")
    assert response.status_code == 200
    assert response.data == {"marked": 3}
    assert not Notification.objects.filter(recipient=student, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notifications_are_read_only(student):
    notification = notify(student)
    api = as_(student)
    assert api.patch(f"{LIST}{notification.pk}/", {"title": "x"}).status_code == 405
    assert api.delete(f"{LIST}{notification.pk}/").status_code == 405
    assert api.post(LIST, {"title": "x"}).status_code == 405


def test_list_query_count_is_constant(student, match, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = as_(student)
    notify_many(student, 4, type_=T.PLACEMENT_MATCH, reasons=match.reasons)
    with CaptureQueriesContext(connection) as few:
        assert api.get(LIST).status_code == 200
    notify_many(student, 35, type_=T.PLACEMENT_MATCH, reasons=match.reasons)
    with django_assert_max_num_queries(len(few)):
        assert len(api.get(LIST).data["results"]) == 20


# --- Preferences ------------------------------------------------------------------------------


def test_get_preferences_lists_every_type_with_defaults(student):
    preferences.set_preference(student, T.APPROVAL, Frequency.WEEKLY)
    data = as_(student).get(PREFERENCES).data
    assert set(data) == set(T.values)
    assert data["approval"] == "weekly"
    assert data["placement_match"] == preferences.default_for("placement_match")


def test_put_sets_every_type(student):
    body = dict.fromkeys(T.values, Frequency.DAILY)
    response = as_(student).put(PREFERENCES, body, format="json")
    assert response.status_code == 200
    assert response.data == body
    assert preferences.preferences_of(student) == body


def test_put_missing_a_type_is_400(student):
    body = {t: Frequency.DAILY for t in T.values if t != "approval"}
    response = as_(student).put(PREFERENCES, body, format="json")
    assert response.status_code == 400
    assert "approval" in response.data
    assert not student.notification_preferences.exists()


def test_patch_changes_only_what_is_sent(student):
    response = as_(student).patch(PREFERENCES, {"proposal": "off"}, format="json")
    assert response.status_code == 200
    assert response.data["proposal"] == "off"
    assert response.data["application"] == "instant"
    assert student.notification_preferences.count() == 1


def test_unknown_frequency_is_400(student):
    response = as_(student).patch(PREFERENCES, {"proposal": "hourly"}, format="json")
    assert response.status_code == 400
    assert "proposal" in response.data
    assert not student.notification_preferences.exists()


def test_unknown_type_is_400_and_named(student):
    response = as_(student).patch(
        PREFERENCES, {"proposal": "off", "gossip": "daily"}, format="json"
    )
    assert response.status_code == 400
    assert response.data["gossip"] == ["Not a notification type."]
    assert not student.notification_preferences.exists()


def test_a_list_body_is_400(student):
    response = as_(student).put(PREFERENCES, ["proposal"], format="json")
    assert response.status_code == 400


def test_preferences_are_per_person(student, studio_owner):
    as_(student).patch(PREFERENCES, {"proposal": "off"}, format="json")
    assert as_(studio_owner).get(PREFERENCES).data["proposal"] == "instant"


def test_schema_documents_the_notification_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (LIST, f"{LIST}{{id}}/read/", f"{LIST}read-all/", PREFERENCES):
        assert f"{path}:" in schema
    assert "NotificationFrequency" in schema
