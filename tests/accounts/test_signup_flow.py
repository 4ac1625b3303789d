"""Sign-up → verification email → log-in → dashboard, password reset, and the rate limits."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "display_name": "Priya Patel",
    "email": "Priya@Example.org",
    "role": "industry",
    "password1": "a-long-unusual-passphrase-42",
    "password2": "a-long-unusual-passphrase-42",
}


def link_in(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def test_signup_verify_login_dashboard(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="priya@example.org")
    assert user.role == Role.INDUSTRY
    assert user.profile.display_name == "Priya Patel"

    # Not verified yet: the dashboard is not reachable, logging in asks for verification.
    assert client.get(reverse("dashboard")).status_code == 302
    assert len(mail.outbox) == 1
    confirm_path = link_in(mail.outbox[0])
    assert "/accounts/confirm-email/" in confirm_path

    assert client.get(confirm_path).status_code == 200
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "priya@example.org", "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "accounts/dashboard_industry.html" in [t.name for t in dashboard.templates]


def test_platform_admin_cannot_be_chosen_at_signup(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "role": "admin"})
    assert response.status_code == 400
    assert not User.objects.filter(email="priya@example.org").exists()


def test_signup_errors_keep_what_was_typed(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "password2": "different"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Priya Patel" in content
    assert not User.objects.exists()


def test_duplicate_email_creates_no_account_and_tells_the_owner(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="priya@example.org", role=Role.STUDENT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), SIGNUP)
    # No enumeration: the page looks like success, but the address owner is emailed instead.
    assert response.status_code == 302
    assert User.objects.filter(email="priya@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.role == Role.STUDENT
    assert mail.outbox[0].to == ["priya@example.org"]
    assert "already" in mail.outbox[0].body.lower()


def test_each_role_lands_on_its_dashboard(client, student, lecturer, studio_owner, platform_admin):
    expected = {
        student: "accounts/dashboard_student.html",
        lecturer: "accounts/dashboard_university.html",
        studio_owner: "accounts/dashboard_industry.html",
        platform_admin: "accounts/dashboard_admin.html",
    }
    for user, template in expected.items():
        client.force_login(user)
        response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        assert template in [t.name for t in response.templates]


def test_failed_logins_hit_the_rate_limit(client, student):
    statuses = [
        client.post(
            reverse("account_login"), {"login": student.email, "password": "wrong"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    # Even the right password is refused while the limit holds.
    response = client.post(reverse("account_login"), {"login": student.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()


def test_password_reset(client, student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": student.email})
    assert response.status_code == 302
    reset_path = link_in(mail.outbox[0])
    response = client.get(reset_path, follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else reset_path
    response = client.post(
        form_path, {"password1": "brand-new-passphrase-77", "password2": "brand-new-passphrase-77"}
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password("brand-new-passphrase-77")


def test_password_change(client, student):
    client.force_login(student)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another-passphrase-88",
            "password2": "another-passphrase-88",
        },
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password("another-passphrase-88")


def test_email_change_requires_verification(client, student, django_capture_on_commit_callbacks):
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_email"), {"action_add": "", "email": "sam.new@example.org"}
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["sam.new@example.org"]
    student.refresh_from_db()
    assert student.email == "sam@student.northbridge.ac.uk"  # until the new one is confirmed


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_login_form_cannot_be_used_to_guess_passwords(client, student, platform_admin):
    client.force_login(student)
    response = client.post(
        reverse("admin:login"), {"username": platform_admin.email, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert client.get("/admin/").status_code in (302, 403)
    assert "_auth_user_id" in client.session
    assert str(client.session["_auth_user_id"]) == str(student.pk)


def test_platform_admins_use_the_django_admin_without_being_superusers(client, platform_admin):
    assert not platform_admin.is_superuser
    client.force_login(platform_admin)
    assert client.get("/admin/login/")["Location"] == "/admin/"
    for url in ("/admin/", "/admin/organisations/organisation/", "/admin/accounts/user/",
                "/admin/core/skill/"):  # fmt: skip
        assert client.get(url).status_code == 200, url
