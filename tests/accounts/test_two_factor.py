"""Two-factor authentication (allauth MFA: an authenticator app and recovery codes) for
everyone, required for platform admins; signed-in sessions listed and revocable."""

import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import Role
from tests.conftest import with_two_factor
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def current_code(secret: str, *, margin: float = 5.0) -> str:
    """The code of the current 30 s window. A code is accepted only within its own window, and
    a browser test takes a moment between typing and sending it: so near the end of a window,
    wait for the next one (a code computed at 29.9 s and posted at 30.1 s was refused in CI)."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.05)
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]  # the middle one: now
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def new_admin(db):
    """A platform admin who has not set up two-factor authentication yet."""
    return UserFactory(email="grace@tandem.example", role=Role.ADMIN, is_staff=True)


def sign_in(client, user) -> object:
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def test_an_admin_without_two_factor_is_sent_to_set_it_up(client, new_admin):
    sign_in(client, new_admin)
    for path in (reverse("dashboard"), reverse("organisations:verification_queue"), "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp")
    api = client.get("/api/organisations/")
    assert api.status_code == 403 and api.json()["code"] == "mfa_required"
    # Account pages stay reachable, so they can set it up or sign out.
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("usersessions_list")).status_code == 200


def test_an_admin_api_token_is_refused_until_two_factor_is_on(new_admin):
    token = Token.objects.create(user=new_admin)
    api = Client(headers={"Authorization": f"Token {token.key}"})
    refused = api.get("/api/organisations/")
    assert refused.status_code == 401
    assert "two-factor" in refused.json()["detail"]
    with_two_factor(new_admin)
    assert api.get("/api/organisations/").status_code == 200


def test_other_roles_are_never_forced(client, student, studio_owner, lecturer):
    for person in (student, studio_owner, lecturer):
        client.force_login(person)
        assert client.get(reverse("dashboard")).status_code == 200


def test_setting_up_an_authenticator_app_then_signing_in_with_it(client, new_admin):
    sign_in(client, new_admin)
    # Changing how one signs in asks for the password again first (allauth's reauthentication).
    ask = client.get(reverse("mfa_activate_totp"))
    assert ask.status_code == 302 and ask["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html or "data:image/svg+xml" in html  # the QR code, drawn locally
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in html  # also shown as text for apps that cannot scan

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 400  # an invalid form answers 4xx, not 200
    assert not Authenticator.objects.filter(user=new_admin).exists()

    done = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert done.status_code == 302 and done["Location"] == reverse("mfa_view_recovery_codes")
    codes = RecoveryCodes(
        Authenticator.objects.get(user=new_admin, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(codes) == 10
    assert client.get(reverse("dashboard")).status_code == 200

    # Next sign-in: password, then the app's code.
    fresh = Client()
    step = sign_in(fresh, new_admin)
    assert step.status_code == 302 and step["Location"] == reverse("mfa_authenticate")
    assert fresh.get(reverse("dashboard")).status_code == 302  # not signed in yet
    bad = fresh.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert bad.status_code == 400
    ok = fresh.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert ok.status_code == 302
    assert fresh.get(reverse("dashboard")).status_code == 200

    # A recovery code works once.
    third = Client()
    sign_in(third, new_admin)
    assert third.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    assert third.get(reverse("dashboard")).status_code == 200
    again = Client()
    sign_in(again, new_admin)
    assert again.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 400


def test_anyone_can_turn_it_on_from_account_settings(client, student):
    client.force_login(student)
    index = client.get(reverse("mfa_index"))
    assert index.status_code == 200
    assert reverse("mfa_activate_totp") in index.content.decode()
    settings_page = client.get(reverse("account_email"))
    assert reverse("mfa_index") in settings_page.content.decode()
    assert reverse("usersessions_list") in settings_page.content.decode()


def test_signed_in_devices_are_listed_and_the_others_can_be_signed_out(student):
    laptop, phone = Client(HTTP_USER_AGENT="Laptop browser"), Client(HTTP_USER_AGENT="Phone app")
    sign_in(laptop, student)
    sign_in(phone, student)
    assert phone.get(reverse("dashboard")).status_code == 200
    listing = laptop.get(reverse("usersessions_list"))
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "Laptop browser" in html and "Phone app" in html
    ended = laptop.post(reverse("usersessions_list"))
    assert ended.status_code == 302
    assert laptop.get(reverse("dashboard")).status_code == 200  # this one stays
    assert phone.get(reverse("dashboard")).status_code == 302  # the other was signed out
    assert (
        re.search(r"Phone app", laptop.get(reverse("usersessions_list")).content.decode()) is None
    )
