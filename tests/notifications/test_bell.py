"""The bell in the header: how many notifications are unread, for eyes and screen readers,
at the cost of one query; nothing for people who are not signed in."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.notifications.models import Notification

from .conftest import notify, notify_many

pytestmark = pytest.mark.django_db


def bell(response) -> str:
    html = response.content.decode()
    found = re.search(r'<a class="nav-bell"[^>]*>.*?</a>', html, re.S)
    assert found, "no bell on the page"
    return found.group(0)


def accessible_name(link: str) -> str:
    return re.search(r'<span class="visually-hidden">(.*?)</span>', link).group(1)


def test_bell_shows_the_unread_count_with_an_accessible_name(client, student):
    notify_many(student, 3)
    notify(student, read=True)
    client.force_login(student)
    link = bell(client.get(reverse("dashboard")))
    assert accessible_name(link) == "Notifications, 3 unread"
    assert '<span class="nav-bell__count" aria-hidden="true">3</span>' in link
    assert f'href="{reverse("notifications:inbox")}"' in link
    assert '<svg class="nav-bell__icon"' in link and 'aria-hidden="true" focusable="false"' in link
    assert "aria-current" not in link


def test_one_unread_reads_naturally(client, student):
    notify(student)
    client.force_login(student)
    assert accessible_name(bell(client.get(reverse("dashboard")))) == "Notifications, 1 unread"


def test_no_badge_when_everything_is_read(client, student):
    notify(student, read=True)
    client.force_login(student)
    link = bell(client.get(reverse("dashboard")))
    assert accessible_name(link) == "Notifications, none unread"
    assert "nav-bell__count" not in link


def test_counts_only_my_own(client, student, studio_owner):
    notify_many(studio_owner, 4)
    notify(student)
    client.force_login(student)
    assert accessible_name(bell(client.get(reverse("dashboard")))) == "Notifications, 1 unread"


def test_a_huge_count_is_capped(client, student):
    Notification.objects.bulk_create(
        Notification(
            recipient=student,
            type="application",
            target_type="placements.application",
            target_id=n,
            title=f"News {n}",
            url="/",
            frequency="instant",
        )
        for n in range(120)
    )
    client.force_login(student)
    link = bell(client.get(reverse("dashboard")))
    assert accessible_name(link) == "Notifications, more than 99 unread"
    assert ">99+</span>" in link


def test_bell_is_current_on_the_notification_pages(client, student):
    client.force_login(student)
    for name in ("notifications:inbox", "notifications:preferences"):
        assert 'aria-current="page"' in bell(client.get(reverse(name)))


def test_no_bell_and_no_query_for_anonymous_visitors(client, db):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("placements:browse"))
    assert 'class="nav-bell"' not in response.content.decode()
    assert not any("notifications_notification" in q["sql"] for q in ctx.captured_queries)


def test_the_bell_costs_one_query(client, student):
    notify_many(student, 5)
    client.force_login(student)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("dashboard"))
    bell_queries = [q for q in ctx.captured_queries if "notifications_notification" in q["sql"]]
    assert len(bell_queries) == 1


def test_no_inline_script_or_style_in_the_bell(client, student):
    client.force_login(student)
    link = bell(client.get(reverse("dashboard")))
    assert "style=" not in link and "<script" not in link and "onclick" not in link
