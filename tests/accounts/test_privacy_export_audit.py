"""The data download includes the audit trail: entries about the person, and what they did.

Oscar (owner of Pixel Forge) moves Sam's application on and makes Mia an admin, then removes
her; Ada (a platform admin) rejects Pending Studio with a reason and changes Sam's role. Each
person's download holds the entries about them in full and the entries they made, without the
other people's emails, addresses or records.
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import privacy
from accounts.models import Role
from partnerships.audit.context import acting_as
from partnerships.audit.models import AuditEntry
from partnerships.organisations.models import MemberRole, Membership, Status
from tests.accounts.test_privacy_export import data_of, open_zip, reauthenticate
from tests.factories import MembershipFactory, UserFactory
from tests.placements.conftest import ApplicationFactory, PlacementFactory

pytestmark = pytest.mark.django_db

OSCAR, MIA, SAM, ADA = (
    "oscar@pixelforge.example",
    "mia@pixelforge.example",
    "sam@student.northbridge.ac.uk",
    "ada@tandem.example",
)


def trail(user) -> list[dict]:
    return privacy.personal_data(user)["audit_trail"]


def raw_trail(user) -> str:
    return json.dumps(trail(user), default=str)


@pytest.fixture
def application(studio, studio_owner, student, university):
    placement = PlacementFactory(organisation=studio, created_by=studio_owner, title="Junior 3D")
    return ApplicationFactory(placement=placement, student=student, institution=university)


@pytest.fixture
def uma_application(studio):
    uma = UserFactory(email="uma@southgate.ac.uk", role=Role.STUDENT)
    return ApplicationFactory(placement=PlacementFactory(organisation=studio), student=uma)


@pytest.fixture
def history(
    client, studio, studio_owner, studio_member, student, application, uma_application,
    platform_admin, pending_studio,
):  # fmt: skip
    """The changes, made through the real pages (so entries carry the request's address)."""
    client.force_login(studio_owner)
    assert (
        client.post(reverse("placements:stage", args=[application.pk, "review"])).status_code == 302
    )
    client.post(reverse("placements:stage", args=[uma_application.pk, "review"]))
    mia = Membership.objects.get(user=studio_member)
    client.post(
        reverse("organisations:membership_role", args=[studio.slug, mia.pk]),
        {"role": MemberRole.ADMIN},
    )
    client.post(reverse("organisations:membership_remove", args=[studio.slug, mia.pk]))
    assert not Membership.objects.filter(pk=mia.pk).exists()

    client.force_login(platform_admin)
    client.post(
        reverse("organisations:verification_decide", args=[pending_studio.slug, "reject"]),
        {"reason": "Olga Smith told us this studio is a front."},
    )
    with acting_as(platform_admin):
        student.role = Role.UNIVERSITY
        student.save()
    return {"mia_membership": mia.pk}


def test_entries_about_sam_are_his_in_full_without_who_made_them(student, application, history):
    entries = trail(student)
    by_action = {entry["action"]: entry for entry in entries}
    assert set(by_action) == {"application.status", "user.role"}

    stage = by_action["application.status"]
    assert stage["about_you"] is True and stage["by"] == "someone else"
    assert (stage["target_type"], stage["target_id"]) == ("placements.application", application.pk)
    assert stage["target"] == f"{SAM} → Junior 3D"
    assert (stage["before"], stage["after"]) == (
        {"status": "submitted"},
        {"status": "under_review"},
    )
    assert stage["organisation"] == "Pixel Forge" and stage["description"] == "Application stage"

    role = by_action["user.role"]
    assert role["about_you"] is True and role["by"] == "someone else"
    assert (role["before"], role["after"]) == ({"role": "student"}, {"role": "university"})
    # Who made the changes, and from where, is theirs, not Sam's.
    raw = raw_trail(student)
    assert OSCAR not in raw and ADA not in raw and "127.0.0.1" not in raw
    # Uma's application moved too: not Sam's business.
    assert "uma@southgate.ac.uk" not in raw


def test_membership_changes_reach_mia_even_after_she_was_removed(studio_member, history):
    entries = [e for e in trail(studio_member) if e["target_type"] == "organisations.membership"]
    assert [e["action"] for e in entries] == [
        "membership.created",
        "membership.role",
        "membership.deleted",
    ]
    assert {e["target_id"] for e in entries} == {history["mia_membership"]}
    assert all(e["about_you"] and e["target"] == f"{MIA} @ Pixel Forge" for e in entries)
    assert entries[1]["before"] == {"role": "member"} and entries[1]["after"] == {"role": "admin"}
    assert entries[2]["by"] == "someone else" and OSCAR not in raw_trail(studio_member)


def test_what_oscar_did_to_others_is_listed_without_their_data(studio_owner, history):
    entries = trail(studio_owner)
    mine = [e for e in entries if not e["about_you"]]
    assert {e["action"] for e in mine} == {
        "application.status",
        "membership.role",
        "membership.deleted",
    }
    assert len([e for e in mine if e["action"] == "application.status"]) == 2  # Sam's and Uma's
    for entry in mine:
        assert entry["by"] == "you" and entry["ip"] == "127.0.0.1"  # his own address
        assert entry["target"] is None and entry["target_id"]
        # Another person's stage or role: only the kind of change, not the values.
        assert entry["before"] is None and entry["after"] is None
        assert entry["organisation"] == "Pixel Forge"
    raw = raw_trail(studio_owner)
    for someone_else in (MIA, SAM, "uma@southgate.ac.uk"):
        assert someone_else not in raw
    # His own membership's creation is about him.
    [own] = [e for e in entries if e["about_you"]]
    assert own["action"] == "membership.created" and own["target"] == f"{OSCAR} @ Pixel Forge"


def test_an_organisations_status_is_given_but_not_a_free_text_reason(
    platform_admin, pending_studio, history
):
    entries = trail(platform_admin)
    [decision] = [e for e in entries if e["action"] == "organisation.verification"]
    assert decision["by"] == "you" and decision["about_you"] is False
    assert decision["target_id"] == pending_studio.pk
    assert decision["before"] == {"status": Status.PENDING}
    assert decision["after"] == {"status": Status.REJECTED}
    raw = raw_trail(platform_admin)
    assert "Olga Smith" not in raw and SAM not in raw
    [role] = [e for e in entries if e["action"] == "user.role" and not e["about_you"]]
    assert role["before"] is None and role["target"] is None


def test_a_former_holder_of_the_address_is_not_matched(studio):
    """A membership entry labelled with an address from before this account existed belongs to
    whoever had the address then."""
    AuditEntry.objects.create(
        action="membership.deleted",
        created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        target_type="organisations.membership",
        target_id=999_999,
        target_label="reused@example.org @ Pixel Forge",
        organisation_id=studio.pk,
        organisation_label="Pixel Forge",
        before={"role": "owner"},
    )
    newcomer = UserFactory(email="reused@example.org", role=Role.INDUSTRY)
    assert trail(newcomer) == []
    MembershipFactory(organisation=studio, user=newcomer, role=MemberRole.MEMBER)
    assert [e["action"] for e in trail(newcomer)] == ["membership.created"]


def test_the_trail_is_in_the_downloaded_archive(client, student, history):
    client.force_login(student)
    reauthenticate(client)
    data = data_of(open_zip(client.post(reverse("accounts:privacy_export"))))
    assert {e["action"] for e in data["audit_trail"]} == {"application.status", "user.role"}


def test_the_trail_costs_the_same_queries_however_long(studio_owner, studio):
    with CaptureQueriesContext(connection) as few:
        privacy.personal_data(studio_owner)
    members = [MembershipFactory(organisation=studio) for _ in range(5)]
    with acting_as(studio_owner):
        for membership in members:
            membership.role = MemberRole.ADMIN
            membership.save()
    with CaptureQueriesContext(connection) as many:
        data = privacy.personal_data(studio_owner)
    assert len(data["audit_trail"]) == 6
    assert len(many) == len(few)


def test_the_pages_say_the_download_holds_the_security_records(client, student):
    policy = client.get(reverse("accounts:privacy")).content.decode()
    assert "It includes the security records of changes to your account" in policy
    client.force_login(student)
    page = client.get(reverse("accounts:privacy_data")).content.decode()
    assert "security records (audit trail) of changes about you or made by you" in page
