"""Each sensitive change, made through the real pages and services, leaves one audit entry:
who, what, when, before and after, in the same transaction as the change."""

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse

from accounts.models import Role
from partnerships.audit.context import acting_as
from partnerships.audit.models import AppendOnlyError, AuditEntry
from partnerships.organisations import services as org_services
from partnerships.organisations.models import MemberRole, Membership, Organisation, Status
from partnerships.placements import services as placement_services
from partnerships.placements.models import ApplicationStatus, ApprovalChecklistItem
from partnerships.stories import services as story_services
from partnerships.stories.models import StoryStatus
from tests.factories import MembershipFactory, UserFactory

from .conftest import entries

pytestmark = pytest.mark.django_db

REQUEST_ID = "X-Request-ID"


# --- Organisation verification ------------------------------------------------------------------


def test_admin_verifying_an_organisation_is_recorded(client, platform_admin, pending_studio):
    client.force_login(platform_admin)
    response = client.post(
        reverse("organisations:verification_decide", args=[pending_studio.slug, "verify"])
    )
    assert response.status_code == 302
    [entry] = entries("organisation.verification")
    assert entry.actor == platform_admin and entry.actor_label == "ada@tandem.example"
    assert entry.before == {"status": "pending", "status_reason": ""}
    assert entry.after == {"status": "verified", "status_reason": ""}
    assert entry.organisation_id == pending_studio.pk
    assert entry.organisation_label == entry.target_label == "Pending Studio"
    assert (entry.target_type, entry.target_id) == ("organisations.organisation", pending_studio.pk)
    assert entry.request_id == response[REQUEST_ID]
    assert entry.ip == "127.0.0.1"


def test_admin_rejecting_an_organisation_keeps_the_reason(client, platform_admin, pending_studio):
    client.force_login(platform_admin)
    response = client.post(
        reverse("organisations:verification_decide", args=[pending_studio.slug, "reject"]),
        {"reason": "We could not find this studio anywhere."},
        HTTP_X_REQUEST_ID="support-ticket-4711",
    )
    [entry] = entries("organisation.verification")
    assert entry.after == {
        "status": "rejected",
        "status_reason": "We could not find this studio anywhere.",
    }
    assert entry.request_id == response[REQUEST_ID] == "support-ticket-4711"


def test_a_decision_outside_a_request_names_the_admin_from_the_row(platform_admin, pending_studio):
    """A task or the Django shell has no request: the row's "changed by" names the actor."""
    org_services.organisation_verify(actor=platform_admin, organisation=pending_studio)
    [entry] = entries("organisation.verification")
    assert entry.actor == platform_admin
    assert entry.request_id == ""
    assert entry.ip is None


# --- Applications -----------------------------------------------------------------------------


def test_studio_moving_an_application_through_its_stages(client, studio_owner, application):
    client.force_login(studio_owner)
    request_ids = []
    for action in ("review", "shortlist", "interview", "offer"):
        response = client.post(reverse("placements:stage", args=[application.pk, action]))
        assert response.status_code == 302
        request_ids.append(response[REQUEST_ID])
    recorded = entries("application.status")
    assert [(e.before["status"], e.after["status"]) for e in recorded] == [
        ("submitted", "under_review"),
        ("under_review", "shortlisted"),
        ("shortlisted", "interview"),
        ("interview", "offered"),
    ]
    assert [e.request_id for e in recorded] == request_ids
    assert {e.actor_id for e in recorded} == {studio_owner.pk}
    assert {e.organisation_id for e in recorded} == {application.placement.organisation_id}
    assert recorded[0].organisation_label == "Pixel Forge"
    assert recorded[0].target_label == "sam@student.northbridge.ac.uk → Junior 3D artist"


def test_student_withdrawing_is_recorded_as_the_student(client, student, application):
    client.force_login(student)
    client.post(reverse("placements:respond", args=[application.pk, "withdraw"]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    [entry] = entries("application.status")
    assert entry.actor == student
    assert (entry.before, entry.after) == ({"status": "submitted"}, {"status": "withdrawn"})


def test_saving_a_draft_writes_nothing(student, placement):
    placement_services.application_save_draft(
        actor=student, placement=placement, cover_letter="Hello"
    )
    placement_services.application_save_draft(
        actor=student, placement=placement, cover_letter="Hello again"
    )
    assert entries("application.status") == []


# --- Placement approvals --------------------------------------------------------------------


def test_officer_approving_a_placement(client, approval, officer, university):
    client.force_login(officer)
    agreement = ApprovalChecklistItem.objects.get(text="Agreement signed")
    response = client.post(
        reverse("placements:approval", args=[approval.pk]),
        {"checked_items": [agreement.pk], "low_risk": "on"},
    )
    assert response.status_code == 302
    [entry] = entries("approval.decision")
    assert entry.actor == officer
    assert entry.before == {"status": "pending", "reason": "", "low_risk": False}
    assert entry.after == {"status": "approved", "reason": "", "low_risk": True}
    assert entry.organisation_id == university.pk
    assert entry.organisation_label == "Northbridge University"
    assert entry.request_id == response[REQUEST_ID]


def test_officer_refusing_a_placement(client, approval, officer):
    client.force_login(officer)
    response = client.post(
        reverse("placements:approval_refuse", args=[approval.pk]), {"reason": "No insurance"}
    )
    [entry] = entries("approval.decision")
    assert entry.after["status"] == "refused" and entry.after["reason"] == "No insurance"
    assert entry.request_id == response[REQUEST_ID]


# --- Stories --------------------------------------------------------------------------------


def test_curator_publishing_and_archiving_a_story(client, platform_admin, approved):
    client.force_login(platform_admin)
    url = reverse("stories:curate_transition", args=[approved.pk, "publish"])
    published = client.post(url, {"from": "in_review"})
    archived = client.post(
        reverse("stories:curate_transition", args=[approved.pk, "archive"]), {"from": "published"}
    )
    approved.refresh_from_db()
    assert approved.status == StoryStatus.ARCHIVED
    publish, archive = entries("story.status", target_id=approved.pk)[-2:]
    assert (publish.before["status"], publish.after["status"]) == ("in_review", "published")
    assert (archive.before["status"], archive.after["status"]) == ("published", "archived")
    assert publish.request_id == published[REQUEST_ID]
    assert archive.request_id == archived[REQUEST_ID]
    assert {publish.actor_id, archive.actor_id} == {platform_admin.pk}
    assert publish.target_label == approved.title


def test_story_changes_outside_a_request_are_the_systems_unless_told(platform_admin, approved):
    story_services.publish(actor=platform_admin, story=approved)
    with acting_as(platform_admin):
        story_services.archive(actor=platform_admin, story=approved)
    publish, archive = entries("story.status", target_id=approved.pk)[-2:]
    assert publish.actor is None and publish.actor_label == "" and publish.actor_display == "System"
    assert archive.actor == platform_admin


def test_editing_a_storys_text_writes_nothing(platform_admin, nominated):
    story = story_services.accept_nomination(actor=platform_admin, story=nominated)
    before = AuditEntry.objects.count()
    story_services.edit_story(actor=platform_admin, story=story, summary="A better summary.")
    assert AuditEntry.objects.count() == before


# --- Memberships ----------------------------------------------------------------------------


def test_owner_changing_a_members_role(client, studio, studio_owner, studio_member):
    membership = Membership.objects.get(user=studio_member)
    client.force_login(studio_owner)
    response = client.post(
        reverse("organisations:membership_role", args=[studio.slug, membership.pk]),
        {"role": MemberRole.ADMIN},
    )
    [entry] = entries("membership.role")
    assert entry.actor == studio_owner
    assert (entry.before, entry.after) == ({"role": "member"}, {"role": "admin"})
    assert entry.organisation_id == studio.pk
    assert entry.target_label == "mia@pixelforge.example @ Pixel Forge"
    assert entry.request_id == response[REQUEST_ID]


def test_owner_removing_a_member(client, studio, studio_owner, studio_member):
    membership = Membership.objects.get(user=studio_member)
    client.force_login(studio_owner)
    response = client.post(
        reverse("organisations:membership_remove", args=[studio.slug, membership.pk])
    )
    [entry] = entries("membership.deleted")
    assert entry.actor == studio_owner
    assert (entry.before, entry.after) == ({"role": "member"}, {})
    assert entry.target_id == membership.pk
    assert entry.target_label == "mia@pixelforge.example @ Pixel Forge"
    assert entry.request_id == response[REQUEST_ID]


def test_ownership_transfer_records_both_roles(client, studio, studio_owner, studio_member):
    mine = Membership.objects.get(user=studio_owner)
    theirs = Membership.objects.get(user=studio_member)
    client.force_login(studio_owner)
    response = client.post(
        reverse("organisations:transfer", args=[studio.slug]), {"membership": theirs.pk}
    )
    recorded = {e.target_id: e for e in entries("membership.role")}
    assert (recorded[theirs.pk].before, recorded[theirs.pk].after) == (
        {"role": "member"},
        {"role": "owner"},
    )
    assert (recorded[mine.pk].before, recorded[mine.pk].after) == (
        {"role": "owner"},
        {"role": "admin"},
    )
    assert {e.request_id for e in recorded.values()} == {response[REQUEST_ID]}
    assert {e.actor_id for e in recorded.values()} == {studio_owner.pk}


def test_creating_an_organisation_records_its_first_owner(industry_newcomer):
    with acting_as(industry_newcomer):
        organisation = org_services.organisation_create(
            actor=industry_newcomer, kind="industry", category="studio", name="Ivy Works",
            slug="ivy-works",
        )  # fmt: skip
    [entry] = entries("membership.created")
    assert entry.after == {"role": "owner"} and entry.before == {}
    assert entry.organisation_id == organisation.pk and entry.actor == industry_newcomer
    assert entries("organisation.verification") == []  # created pending: not a decision


def test_deleting_an_organisation_records_its_memberships_and_keeps_the_trail(
    platform_admin, studio, studio_owner, studio_member
):
    pk = studio.pk
    with acting_as(platform_admin):
        studio.delete()
    removed = entries("membership.deleted")
    assert len(removed) == 2
    assert {e.organisation_id for e in removed} == {pk}
    assert {e.organisation_label for e in removed} == {"Pixel Forge"}
    assert not Organisation.objects.filter(pk=pk).exists()


def test_deleting_a_user_keeps_their_entries(client, studio, studio_owner, studio_member):
    membership = Membership.objects.get(user=studio_member)
    client.force_login(studio_owner)
    client.post(
        reverse("organisations:membership_role", args=[studio.slug, membership.pk]),
        {"role": MemberRole.ADMIN},
    )
    owner_pk = studio_owner.pk
    client.logout()
    studio_owner.delete()
    entry = AuditEntry.objects.get(action="membership.role")
    assert entry.actor_id == owner_pk and entry.actor_label == "oscar@pixelforge.example"
    listed = AuditEntry.objects.select_related("actor").get(pk=entry.pk)
    assert listed.actor is None  # the person is gone; the label says who it was


# --- Users ----------------------------------------------------------------------------------


def test_role_and_staff_changes_through_the_orm(platform_admin, industry_newcomer):
    with acting_as(platform_admin):
        industry_newcomer.role = Role.ADMIN
        industry_newcomer.is_staff = True
        industry_newcomer.save()
    [role] = entries("user.role", target_id=industry_newcomer.pk)
    [staff] = entries("user.staff", target_id=industry_newcomer.pk)
    assert (role.before, role.after) == ({"role": "industry"}, {"role": "admin"})
    assert (staff.before, staff.after) == ({"is_staff": False}, {"is_staff": True})
    assert role.actor == staff.actor == platform_admin
    assert role.target_label == "ivy@freelance.example"


def test_creating_a_privileged_user_is_recorded(db):
    user = UserFactory(email="root@tandem.example", role=Role.ADMIN, is_staff=True)
    assert [e.action for e in entries(target_id=user.pk, target_type="accounts.user")] == [
        "user.role",
        "user.staff",
    ]
    assert entries("user.role", target_id=user.pk)[0].after == {"role": "admin"}


def test_signing_up_as_a_student_writes_nothing(db):
    UserFactory(email="new@student.example")
    assert entries() == []


def test_logging_in_costs_no_audit_query(student, django_assert_num_queries):
    """Saves that cannot touch a tracked field (last_login) do not even read the row."""
    with django_assert_num_queries(1):
        student.save(update_fields=["last_login"])
    assert entries() == []


@pytest.fixture
def superuser(db):
    from tests.conftest import with_two_factor

    return with_two_factor(
        UserFactory(email="root@tandem.example", role=Role.ADMIN, is_staff=True, is_superuser=True)
    )


def test_superuser_changing_a_role_in_the_django_admin(client, superuser, industry_newcomer):
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[industry_newcomer.pk])
    data = form_data(client.get(url).content.decode(), form_id="user_form")
    data.update(role=Role.ADMIN, is_staff="on")
    response = client.post(url, data)
    assert response.status_code == 302, _admin_errors(response)
    [role] = entries("user.role", target_id=industry_newcomer.pk)
    [staff] = entries("user.staff", target_id=industry_newcomer.pk)
    assert role.actor == staff.actor == superuser
    assert role.request_id == staff.request_id == response[REQUEST_ID]
    assert entries("user.active", target_id=industry_newcomer.pk) == []


def test_groups_given_and_taken_are_recorded(platform_admin, industry_newcomer):
    editors = Group.objects.create(name="Editors")
    with acting_as(platform_admin):
        industry_newcomer.groups.add(editors)
        editors.user_set.remove(industry_newcomer)
    given, taken = entries("user.groups")
    assert (given.before, given.after) == ({"groups": []}, {"groups": ["Editors"]})
    assert (taken.before, taken.after) == ({"groups": ["Editors"]}, {"groups": []})
    assert given.target_id == taken.target_id == industry_newcomer.pk


# --- Transactions and immutability ----------------------------------------------------------


class Boom(Exception):
    pass


def test_a_rolled_back_change_leaves_no_entry(platform_admin, pending_studio):
    with pytest.raises(Boom), transaction.atomic():
        org_services.organisation_verify(actor=platform_admin, organisation=pending_studio)
        assert len(entries("organisation.verification")) == 1
        raise Boom
    pending_studio.refresh_from_db()
    assert pending_studio.status == Status.PENDING
    assert entries("organisation.verification") == []


def test_untracked_fields_write_nothing(studio, studio_owner, studio_member):
    already = AuditEntry.objects.count()  # the fixtures' memberships
    org_services.organisation_update(
        actor=studio_owner, organisation=studio, name="Pixel Forge Games", location="Leeds"
    )
    membership = Membership.objects.get(user=studio_member)
    membership.job_title = "Lead artist"
    membership.save()
    studio_member.profile.headline = "Artist"
    studio_member.profile.save()
    studio_member.save()  # a full save with nothing tracked changed
    assert AuditEntry.objects.count() == already


def test_entries_cannot_be_changed_or_deleted(platform_admin, pending_studio):
    org_services.organisation_verify(actor=platform_admin, organisation=pending_studio)
    entry = AuditEntry.objects.get(action="organisation.verification")
    entry.after = {"status": "rejected"}
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(actor_label="someone else")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).after["status"] == "verified"


def test_membership_factory_rows_are_recorded_as_system(studio):
    member = MembershipFactory(organisation=studio)
    [entry] = entries("membership.created", target_id=member.pk)
    assert entry.actor is None and entry.request_id == ""


# --- Helpers --------------------------------------------------------------------------------


def form_data(html: str, *, form_id: str) -> dict:
    """What a browser would submit for the form ``form_id`` as it is rendered."""
    from html.parser import HTMLParser

    data: dict[str, list[str]] = {}

    class Parser(HTMLParser):
        inside = False
        select = None
        textarea = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.inside = attrs.get("id") == form_id
            if not self.inside or ("name" not in attrs and tag != "option"):
                return
            if tag == "input":
                kind = attrs.get("type", "text")
                if kind in ("submit", "button", "file"):
                    return
                if kind in ("checkbox", "radio") and "checked" not in attrs:
                    return
                default = "on" if kind in ("checkbox", "radio") else ""
                data.setdefault(attrs["name"], []).append(attrs.get("value") or default)
            elif tag == "select":
                self.select = attrs["name"]
                data.setdefault(self.select, [])
            elif tag == "option" and self.select and "selected" in attrs:
                data[self.select].append(attrs.get("value", ""))
            elif tag == "textarea":
                self.textarea = attrs["name"]
                data[self.textarea] = [""]

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            elif tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, text):
            if self.textarea:
                data[self.textarea][-1] += text

    Parser().feed(html)
    return {k: v if len(v) != 1 else v[0] for k, v in data.items()}


def _admin_errors(response) -> str:
    context = response.context or {}
    errors = [str(context["adminform"].form.errors)] if "adminform" in context else []
    errors += [str(f.formset.errors) for f in context.get("inline_admin_formsets", [])]
    return "\n".join(errors)
