"""Abuse answered with 429, not errors: every API write counts against one budget per person."""

import pytest
from rest_framework.test import APIClient

from partnerships.core.throttling import WriteRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_writes_a_minute(monkeypatch):
    monkeypatch.setattr(WriteRateThrottle, "rate", "3/min", raising=False)


def test_api_writes_share_one_budget_per_person_and_reads_are_not_counted(
    three_writes_a_minute, student, lecturer
):
    api = APIClient()
    api.force_authenticate(student)
    attempts = [
        api.post(
            "/api/saved-searches/", {"name": f"Search {n}", "scope": "nonsense"}, format="json"
        )
        for n in range(3)
    ]
    assert [r.status_code for r in attempts] == [400, 400, 400]  # refused input still counts
    # A fourth write, on another endpoint, is over the budget.
    blocked = api.post("/api/notifications/read-all/")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "throttled" in blocked.json().get("code", "throttled")
    # Reads go on; somebody else is not affected.
    assert api.get("/api/notifications/").status_code == 200
    other = APIClient()
    other.force_authenticate(lecturer)
    assert other.post("/api/notifications/read-all/").status_code != 429
