"""The person of a session is loaded with their profile, and sessions started under the backends'
former names (Django's and allauth's own) keep working."""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def session_for(user, backend: str) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def test_a_signed_in_request_reads_the_profile_with_the_user(client, student):
    client.force_login(student)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("accounts:privacy"))
    assert response.status_code == 200
    assert response.wsgi_request.user == student
    user_reads = [q["sql"] for q in captured if 'FROM "accounts_user"' in q["sql"]]
    assert len(user_reads) == 1 and '"accounts_profile"' in user_reads[0]
    # The time-zone middleware and the header read it from there.
    assert not [q for q in captured if q["sql"].startswith('SELECT "accounts_profile"')]


@pytest.mark.parametrize(
    "former",
    [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ],
)
def test_a_session_under_a_former_backend_name_stays_signed_in(client, student, former):
    key = session_for(student, former)
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.wsgi_request.user == student
    # Moved to the new name once, so later requests need no rewrite.
    assert SessionStore(session_key=key).load()[BACKEND_SESSION_KEY].startswith("accounts.")


def test_a_session_under_an_unknown_backend_is_still_signed_out(client, student):
    client.cookies[settings.SESSION_COOKIE_NAME] = session_for(student, "elsewhere.Backend")
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.wsgi_request.user.is_anonymous


def test_log_in_by_email_starts_a_session_under_a_new_backend_name(client, student):
    student.set_password("a long enough password 42")
    student.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=student, email=student.email, defaults={"verified": True, "primary": True}
    )
    response = client.post(
        reverse("account_login"),
        {"login": student.email, "password": "a long enough password 42"},
    )
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] in settings.AUTHENTICATION_BACKENDS[:2]
    assert client.get(reverse("dashboard")).wsgi_request.user == student


def test_a_session_cookie_while_the_database_is_down_gets_the_health_answer(client, student):
    """A database outage must still reach the health view, which answers 503: neither the
    session read before authentication nor the request's log line (which names the signed-in
    person) may turn it into a 500."""
    from unittest import mock

    from django.db import OperationalError

    client.cookies[settings.SESSION_COOKIE_NAME] = session_for(
        student, "django.contrib.auth.backends.ModelBackend"
    )
    down = OperationalError("connection to server at 127.0.0.1 failed")
    with (
        mock.patch.object(SessionStore, "_get_session_from_db", side_effect=down),
        mock.patch("partnerships.core.health.check_database", side_effect=down),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
