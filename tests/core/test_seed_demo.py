import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from partnerships.core.management.commands.seed_demo import PASSWORD
from partnerships.organisations.models import JoinRequest, Organisation

pytestmark = pytest.mark.django_db


def counts():
    return (User.objects.count(), Organisation.objects.count(), JoinRequest.objects.count())


def test_seed_demo_is_idempotent_and_logins_work(client, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = counts()
    assert first[0] >= 20
    assert Organisation.objects.filter(status="verified").count() == 7
    assert Organisation.objects.filter(status="pending").count() == 1
    assert "tandem-demo-2026" in capsys.readouterr().out

    call_command("seed_demo")
    assert counts() == first

    for email in ("admin@tandem.example", "oscar.pike@pixelforge.example",
                  "sam.taylor@student.northbridge.example"):  # fmt: skip
        response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
        assert response.status_code == 302, email
        assert response["Location"] == reverse("dashboard")
        assert client.get(reverse("dashboard")).status_code == 200
        client.logout()


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.exists()
