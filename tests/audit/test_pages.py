"""The audit pages: platform admins only, filters, a readable diff, constant queries, CSV."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from partnerships.audit.models import AuditEntry
from partnerships.organisations import services as org_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "audit:list"
EXPORT = "audit:export"


def make_entry(**fields) -> AuditEntry:
    values = {
        "action": "membership.role",
        "target_type": "organisations.membership",
        "target_id": 1,
        "target_label": "mia@pixelforge.example @ Pixel Forge",
        "organisation_label": "Pixel Forge",
        "actor_label": "oscar@pixelforge.example",
        "before": {"role": "member"},
        "after": {"role": "admin"},
        "request_id": "req-00000001",
    }
    values.update(fields)
    return AuditEntry.objects.create(**values)


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# --- Who may look -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [LIST, EXPORT])
def test_anonymous_people_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["student", "studio_owner", "lecturer", "industry_newcomer"])
@pytest.mark.parametrize("name", [LIST, EXPORT])
def test_everyone_but_platform_admins_is_refused(client, request, persona, name):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(name)).status_code == 403


def test_django_staff_who_are_not_platform_admins_are_refused(client, db):
    client.force_login(UserFactory(role=Role.INDUSTRY, is_staff=True))
    assert client.get(reverse(LIST)).status_code == 403


@pytest.mark.parametrize("name", [LIST, EXPORT])
def test_platform_admins_see_the_trail(client, platform_admin, name):
    client.force_login(platform_admin)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_admin_without_two_factor_is_sent_to_set_it_up(client, db, settings):
    admin = UserFactory(role=Role.ADMIN, is_staff=True)
    client.force_login(admin)
    response = client.get(reverse(LIST))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


# --- The list -------------------------------------------------------------------------------


def test_entries_show_who_what_when_and_the_change(client, platform_admin, pending_studio):
    org_services.organisation_verify(actor=platform_admin, organisation=pending_studio)
    client.force_login(platform_admin)
    page = client.get(reverse(LIST), {"action": "organisation.verification"}).content.decode()
    assert "Organisation verification" in page
    assert "Pending Studio" in page
    assert "ada@tandem.example" in page
    assert "<dt>Verification</dt>" in page
    assert "Pending verification</del>" in page and "Verified</ins>" in page
    assert "<time datetime=" in page


def test_filters_narrow_the_list(client, platform_admin):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    make_entry(target_id=7, created_at=yesterday)
    make_entry(
        action="story.status",
        target_type="stories.story",
        target_id=8,
        target_label="Games that teach",
        organisation_label="",
        actor_label="",
        before={"status": "in_review"},
        after={"status": "published"},
        request_id="req-00000002",
    )
    make_entry(organisation_label="Other Studio", actor_label="olga@other.example", target_id=9)
    client.force_login(platform_admin)

    def targets(**params) -> list[int]:
        response = client.get(reverse(LIST), params)
        assert response.status_code == 200
        listed = response.context["page"].object_list
        # The admin's own account (made a platform admin by the fixture) is on the trail too.
        return sorted(e.target_id for e in listed if e.target_type != "accounts.user")

    assert targets() == [7, 8, 9]
    assert targets(action="story.status") == [8]
    assert targets(organisation="pixel") == [7]
    assert targets(actor="olga@") == [9]
    assert targets(actor="system") == [8]
    assert targets(target_type="stories.story") == [8]
    assert targets(target="9") == [9]
    assert targets(target="#7") == [7]
    assert targets(target="games") == [8]
    assert targets(target="99999999999999999999999") == []
    assert targets(q="req-00000002") == [8]
    assert targets(q="published") == [8]
    today = timezone.localdate()
    assert targets(date_from=today.isoformat()) == [8, 9]
    assert targets(date_to=(today - datetime.timedelta(days=1)).isoformat()) == [7]


def test_bad_filters_are_explained_not_crashed_on(client, platform_admin):
    make_entry()
    client.force_login(platform_admin)
    response = client.get(
        reverse(LIST),
        {"date_from": "2026-05-02", "date_to": "2026-05-01", "action": "nope", "page": "x"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The end date is before the start date." in page
    assert client.get(reverse(LIST), {"q": "a\x00b"}).status_code == 200


def test_fifty_entries_a_page(client, platform_admin):
    for number in range(51):
        make_entry(target_id=number)
    client.force_login(platform_admin)
    first = client.get(reverse(LIST), {"action": "membership.role"}).context["page"]
    assert len(first.object_list) == 50 and first.has_next()
    second = client.get(reverse(LIST), {"action": "membership.role", "page": 2}).context["page"]
    assert [e.target_id for e in second.object_list] == [0]  # the oldest, last


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_costs_the_same_queries_however_many_entries(
    client, platform_admin, count, django_assert_max_num_queries
):
    for number in range(count):
        make_entry(target_id=number, actor_id=platform_admin.pk)
    client.force_login(platform_admin)
    filters = {"action": "membership.role"}
    client.get(reverse(LIST), filters)  # warm the session and caches
    with django_assert_max_num_queries(7):
        response = client.get(reverse(LIST), filters)
    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [3, 30])
def test_the_export_costs_the_same_queries_however_many_entries(
    client, platform_admin, count, django_assert_max_num_queries
):
    for number in range(count):
        make_entry(target_id=number)
    client.force_login(platform_admin)
    with django_assert_max_num_queries(5):
        rows = csv_rows(client.get(reverse(EXPORT), {"action": "membership.role"}))
    assert len(rows) == count + 1


# --- CSV ------------------------------------------------------------------------------------


def test_csv_parses_back_with_the_filtered_entries(client, platform_admin, pending_studio):
    org_services.organisation_reject(
        actor=platform_admin, organisation=pending_studio, reason="Not a real studio"
    )
    make_entry()
    client.force_login(platform_admin)
    response = client.get(reverse(EXPORT), {"action": "organisation.verification"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    header, *rows = csv_rows(response)
    assert header[:4] == ["When (UTC)", "Change", "Action", "Changed by"]
    [row] = rows
    record = dict(zip(header, row, strict=True))
    assert record["Action"] == "organisation.verification"
    assert record["Changed by"] == "ada@tandem.example"
    assert record["Record"] == "Pending Studio"
    assert record["Organisation"] == "Pending Studio"
    assert "Verification: Pending verification → Rejected" in record["Summary"]
    assert "Reason: — → Not a real studio" in record["Summary"]
    assert '"status": "rejected"' in record["After"]
    when = datetime.datetime.fromisoformat(record["When (UTC)"])
    assert when.utcoffset() == datetime.timedelta(0)


def test_csv_neutralises_formulas(client, platform_admin):
    make_entry(
        target_label='=HYPERLINK("http://evil.example","click")',
        organisation_label="+SUM(1,2)",
        actor_label="@evil",
    )
    client.force_login(platform_admin)
    _header, row = csv_rows(client.get(reverse(EXPORT), {"action": "membership.role"}))
    assert row[7] == '\'=HYPERLINK("http://evil.example","click")'
    assert row[8] == "'+SUM(1,2)"
    assert row[3] == "'@evil"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


# --- The Django admin -----------------------------------------------------------------------


def test_the_django_admin_shows_entries_read_only(client, platform_admin):
    entry = make_entry()
    client.force_login(platform_admin)
    changelist = reverse("admin:audit_auditentry_changelist")
    assert client.get(changelist).status_code == 200
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(change, {"actor_label": "someone"}).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=entry.pk, actor_label="oscar@pixelforge.example").exists()


def test_staff_who_are_not_platform_admins_cannot_open_it_in_the_admin(client, db):
    staff = UserFactory(role=Role.INDUSTRY, is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("admin:audit_auditentry_changelist"))
    assert response.status_code == 403
