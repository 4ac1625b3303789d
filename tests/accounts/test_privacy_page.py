"""The public privacy page: what is kept, who sees it, for how long, and how to export or delete."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PRIVACY = reverse("accounts:privacy")


def test_anyone_can_read_it_with_the_configured_periods(client, settings):
    settings.CV_RETENTION_DAYS = 97
    settings.PRIVACY_EXPORTS_PER_HOUR = 3
    page = client.get(PRIVACY)
    assert page.status_code == 200
    html = page.content.decode()
    assert "CVs are deleted 97 days after the placement" in html
    assert "3 times an hour" in html and "/api/me/export/" in html
    for heading in ("What we keep, and why", "Who sees what", "How long we keep it"):
        assert heading in html
    assert reverse("accounts:privacy_data") in html and reverse("accounts:account_delete") in html


def test_every_page_links_to_it_from_the_footer(client, student):
    assert f'href="{PRIVACY}"' in client.get(reverse("home")).content.decode()
    client.force_login(student)
    assert f'href="{PRIVACY}"' in client.get(reverse("dashboard")).content.decode()
