"""The projects API under the same rules as the pages: calls, proposals, saved proposals and
partnerships. Visibility (404), permission (403), rules (400/409), uploads by content, no mass
assignment, full-text search and a query count that does not grow with the rows."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from partnerships.organisations.models import Kind, Organisation, Status
from partnerships.projects import services
from partnerships.projects.models import (
    Opportunity,
    Partnership,
    Proposal,
    ProposalStatus,
    SavedProposal,
)
from partnerships.projects.search import is_postgres
from tests.conftest import needs_service
from tests.factories import MembershipFactory, SectorFactory, SkillFactory, UserFactory

from .conftest import LIVE_BRIEF, PROPOSAL, future

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode"
)


def pdf_upload(name: str = "proposal.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def api():
    return APIClient()


def as_(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def api_call_data(**overrides):
    data = {**LIVE_BRIEF, "organisation": "northbridge", "deadline": future().isoformat()}
    return {**data, **overrides}


# --- Opportunities: reading ---------------------------------------------------------------------


def test_anonymous_lists_public_published_calls_only(lecturer, university, student, make_call):
    public = make_call(lecturer, university, title="Public call")
    members = make_call(lecturer, university, title="Members call", visibility="members")
    draft = make_call(lecturer, university, title="Draft call", publish=False)

    titles = {row["title"] for row in as_(None).get("/api/opportunities/").json()["results"]}
    assert titles == {"Public call"}
    assert as_(None).get(f"/api/opportunities/{public.pk}/").status_code == 200
    assert as_(None).get(f"/api/opportunities/{members.pk}/").status_code == 404
    assert as_(None).get(f"/api/opportunities/{draft.pk}/").status_code == 404

    titles = {row["title"] for row in as_(student).get("/api/opportunities/").json()["results"]}
    assert titles == {"Public call", "Members call"}
    assert as_(student).get(f"/api/opportunities/{draft.pk}/").status_code == 404

    titles = {row["title"] for row in as_(lecturer).get("/api/opportunities/").json()["results"]}
    assert titles == {"Public call", "Members call", "Draft call"}


def test_representation_states_the_live_brief_terms(lecturer, university, make_call):
    call = make_call(lecturer, university)
    body = as_(None).get(f"/api/opportunities/{call.pk}/").json()
    for field in ("ip_ownership", "student_credit", "is_paid", "payment_details", "deliverables"):
        assert body[field] == LIVE_BRIEF[field]
    assert body["organisation"] == "northbridge"
    assert body["organisation_name"] == "Northbridge University"
    assert body["status"] == "open"
    assert body["status_display"] == "Open for proposals"
    assert body["kind_display"] == "Live brief / student challenge"
    assert body["contact_name"] == "Lena"
    assert body["accepts_proposals"] is True


def test_filters(lecturer, university, studio, studio_owner, make_call):
    sector = SectorFactory(slug="games")
    skill = SkillFactory(slug="unity")
    games = make_call(lecturer, university, title="Games", kind="research", mode="remote")
    games.sectors.add(sector)
    games.skills.add(skill)
    make_call(lecturer, university, title="Museum")
    make_call(studio_owner, studio, title="Studio challenge", kind="workshop")
    make_call(lecturer, university, title="Unpublished", publish=False)

    def titles(query):
        response = as_(lecturer).get(f"/api/opportunities/?{query}")
        assert response.status_code == 200, response.content
        return {row["title"] for row in response.json()["results"]}

    assert titles("kind=research") == {"Games"}
    assert titles("sectors__slug=games") == {"Games"}
    assert titles("skills__slug=unity") == {"Games"}
    assert titles("mode=remote") == {"Games"}
    assert titles("organisation__slug=pixel-forge") == {"Studio challenge"}
    assert titles("status=draft") == {"Unpublished"}
    assert titles("ordering=-title")
    # DRF's ?search= is not wired to this endpoint: ?q= is its search.
    assert len(titles("search=Games")) == 4


def test_q_finds_a_word_in_the_description_ranked(lecturer, university, make_call):
    if not is_postgres():
        needs_service("PostgreSQL", "?q= ranks with PostgreSQL full-text search")
    make_call(
        lecturer, university, title="Scanning heritage",
        description="We digitise museum objects with photogrammetry and structured light.",
    )  # fmt: skip
    make_call(
        lecturer, university, title="Photogrammetry masterclass", summary="Photogrammetry.",
        description="A hands-on photogrammetry workshop.",
    )  # fmt: skip
    make_call(lecturer, university, title="Sound design", description="Foley for games.")

    response = as_(None).get("/api/opportunities/", {"q": "photogrammetry"})
    assert response.status_code == 200
    titles = [row["title"] for row in response.json()["results"]]
    assert titles == ["Photogrammetry masterclass", "Scanning heritage"]  # title ranks higher
    response = as_(None).get("/api/opportunities/", {"q": "digitise"})
    assert [row["title"] for row in response.json()["results"]] == ["Scanning heritage"]
    response = as_(None).get("/api/opportunities/", {"q": "knitting"})
    assert response.json()["results"] == []


def test_q_never_reveals_hidden_calls(lecturer, university, make_call):
    make_call(lecturer, university, title="Secret draft photogrammetry", publish=False)
    response = as_(None).get("/api/opportunities/", {"q": "photogrammetry"})
    assert response.json()["results"] == []


def test_browsable_api_does_not_list_people(
    lecturer, university, studio_owner, other_owner, make_call
):
    call = make_call(lecturer, university)
    services.partnership_propose(
        actor=lecturer, from_organisation=university, to_organisation=other_owner.memberships.get()
        .organisation, title="Lab",
    )  # fmt: skip
    for url in ("/api/opportunities/", f"/api/opportunities/{call.pk}/", "/api/partnerships/"):
        response = as_(lecturer).get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert b"<form" in response.content
        assert studio_owner.email.encode() not in response.content, url
        assert other_owner.email.encode() not in response.content, url


# --- Opportunities: writing ---------------------------------------------------------------------


def test_lecturer_creates_a_draft_and_status_is_not_assignable(lecturer, university):
    SectorFactory(slug="museums")
    SkillFactory(slug="branding")
    response = as_(lecturer).post(
        "/api/opportunities/",
        api_call_data(
            sectors=["museums"],
            skills=["branding"],
            status="open",
            published_at=timezone.now().isoformat(),
            partnership=1,
            created_by=1,
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["published_at"] is None
    assert body["partnership"] is None
    assert body["sectors"] == ["museums"]
    call = Opportunity.objects.get(pk=body["id"])
    assert (call.status, call.organisation, call.created_by) == ("draft", university, lecturer)
    assert call.contact == lecturer


@pytest.mark.parametrize("missing", ["ip_ownership", "student_credit", "deliverables"])
def test_a_live_brief_must_state_its_terms(lecturer, university, missing):
    response = as_(lecturer).post(
        "/api/opportunities/", api_call_data(**{missing: ""}), format="json"
    )
    assert response.status_code == 400
    assert missing in response.json()
    assert not Opportunity.objects.exists()


def test_create_refusals(lecturer, university, studio_owner, pending_owner, pending_studio):
    response = as_(studio_owner).post("/api/opportunities/", api_call_data(), format="json")
    assert response.status_code == 403
    assert "verified organisation" in response.json()["detail"]
    response = as_(pending_owner).post(
        "/api/opportunities/", api_call_data(organisation="pending-studio"), format="json"
    )
    assert response.status_code == 403
    response = as_(studio_owner).post(
        "/api/opportunities/", api_call_data(organisation="pending-studio"), format="json"
    )
    assert response.status_code == 404
    response = as_(studio_owner).post(
        "/api/opportunities/", api_call_data(organisation="no-such-org"), format="json"
    )
    assert response.status_code == 404
    assert as_(None).post("/api/opportunities/", api_call_data(), format="json").status_code == 401
    response = as_(lecturer).post(
        "/api/opportunities/", api_call_data(sectors=["not-a-sector"]), format="json"
    )
    assert response.status_code == 400
    assert "not-a-sector" in str(response.json())
    assert not Opportunity.objects.exists()


def test_patch_edits_but_a_studio_cannot_touch_a_universitys_call(
    lecturer, university, studio, studio_owner, make_call
):
    call = make_call(lecturer, university)
    url = f"/api/opportunities/{call.pk}/"

    response = as_(studio_owner).patch(url, {"title": "Hijacked"}, format="json")
    assert response.status_code == 403
    assert as_(None).patch(url, {"title": "Hijacked"}, format="json").status_code == 401
    call.refresh_from_db()
    assert call.title == LIVE_BRIEF["title"]

    response = as_(lecturer).patch(
        url, {"title": "Renamed", "status": "completed", "skills": []}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Renamed"
    call.refresh_from_db()
    assert (call.title, call.status) == ("Renamed", "open")

    response = as_(lecturer).patch(url, {"organisation": "pixel-forge"}, format="json")
    assert response.status_code == 400
    assert "organisation" in response.json()
    response = as_(lecturer).patch(url, {"organisation": "northbridge"}, format="json")
    assert response.status_code == 200
    call.refresh_from_db()
    assert call.organisation == university


def test_patch_rules_come_from_the_service(lecturer, university, studio_owner, make_call):
    call = make_call(lecturer, university)
    url = f"/api/opportunities/{call.pk}/"
    response = as_(lecturer).patch(url, {"kind": "workshop"}, format="json")
    assert response.status_code == 400
    assert "cannot change" in response.json()["kind"][0]
    response = as_(lecturer).patch(url, {"contact": studio_owner.pk}, format="json")
    assert response.status_code == 400
    assert "must be a member" in response.json()["detail"]
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = as_(lecturer).patch(url, {"deadline": past}, format="json")
    assert response.status_code == 400
    call.refresh_from_db()
    assert (call.kind, call.contact, call.deadline > timezone.now()) == (
        "live_brief",
        lecturer,
        True,
    )


def test_life_cycle_actions_and_invalid_moves(lecturer, university, make_call):
    call = make_call(lecturer, university, publish=False)
    client = as_(lecturer)

    def act(name, **body):
        return client.post(f"/api/opportunities/{call.pk}/{name}/", body, format="json")

    response = act("start")
    assert response.status_code == 409
    assert response.json()["detail"] == "A call that is draft cannot become in progress."
    assert response.json()["code"] == "invalid_transition"
    assert act("publish").json()["status"] == "open"
    assert act("publish").status_code == 409
    assert act("close").json()["status"] == "reviewing"
    assert act("reopen").json()["status"] == "open"
    response = act("complete")
    assert response.status_code == 409
    assert "cannot become completed" in response.json()["detail"]
    response = act("cancel", reason="Funding fell through")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert call.transitions.last().note == "Funding fell through"
    for name in ("publish", "reopen", "close", "start", "complete", "cancel"):
        response = act(name)
        assert response.status_code in (400, 409), name
    response = client.patch(f"/api/opportunities/{call.pk}/", {"title": "X"}, format="json")
    assert response.status_code == 409
    assert "can no longer be edited" in response.json()["detail"]
    call.refresh_from_db()
    assert (call.status, call.title) == ("cancelled", LIVE_BRIEF["title"])


def test_publish_needs_a_future_deadline(lecturer, university, make_call):
    call = make_call(
        lecturer, university, publish=False, deadline=timezone.now() - timedelta(days=1)
    )
    response = as_(lecturer).post(f"/api/opportunities/{call.pk}/publish/")
    assert response.status_code == 400
    assert "deadline" in response.json()
    call.refresh_from_db()
    assert call.status == "draft"


def test_start_and_complete_after_an_accepted_proposal(
    lecturer, university, studio, studio_owner, make_call, propose
):
    call = make_call(lecturer, university)
    proposal = propose(studio_owner, call, studio)
    client = as_(lecturer)
    assert client.post(f"/api/proposals/{proposal.pk}/accept/").status_code == 200
    response = as_(studio_owner).post(f"/api/opportunities/{call.pk}/start/")
    assert response.status_code == 403  # the proposer does not run the call
    assert client.post(f"/api/opportunities/{call.pk}/start/").json()["status"] == "in_progress"
    assert client.post(f"/api/opportunities/{call.pk}/complete/").json()["status"] == "completed"


# --- Proposals ----------------------------------------------------------------------------------


def test_studio_proposes_and_cannot_assign_status(
    lecturer, university, studio, studio_owner, make_call
):
    call = make_call(lecturer, university)
    response = as_(studio_owner).post(
        "/api/proposals/",
        {
            "opportunity": call.pk,
            "organisation": "pixel-forge",
            **PROPOSAL,
            "status": "accepted",
            "message_to_proposer": "Accepted by myself",
            "submitted_by": lecturer.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "new"
    assert body["message_to_proposer"] == ""
    assert body["submitted_by"] == studio_owner.pk
    assert body["attachment_url"] is None
    proposal = Proposal.objects.get(pk=body["id"])
    assert (proposal.status, proposal.submitted_by, proposal.organisation) == (
        "new",
        studio_owner,
        studio,
    )


def test_proposal_with_a_pdf_attachment_and_its_download(
    lecturer, university, studio, studio_owner, other_studio, other_owner, make_call
):
    call = make_call(lecturer, university)
    response = as_(studio_owner).post(
        "/api/proposals/",
        {"opportunity": call.pk, "organisation": "pixel-forge", **PROPOSAL,
         "attachment": pdf_upload()},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    proposal_id = response.json()["id"]
    url = response.json()["attachment_url"]
    assert url == f"/api/proposals/{proposal_id}/attachment/"

    for user in (lecturer, studio_owner):
        download = as_(user).get(url)
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"].startswith("attachment;")
        assert b"".join(download.streaming_content) == PDF
    assert as_(lecturer).get(url, HTTP_ACCEPT="application/pdf").status_code == 200
    assert as_(other_owner).get(url).status_code == 404
    assert as_(other_owner).get(url, HTTP_ACCEPT="application/pdf").status_code == 404
    assert as_(None).get(url).status_code == 401


def test_attachment_download_without_attachment_is_404(
    lecturer, university, studio, studio_owner, make_call, propose
):
    proposal = propose(studio_owner, make_call(lecturer, university), studio)
    assert as_(lecturer).get(f"/api/proposals/{proposal.pk}/attachment/").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("proposal.pdf", EXECUTABLE, "not a PDF document"),
        ("proposal.exe", PDF, "Upload a PDF document"),
        ("proposal.pdf", b"%PDF-1.4 but cut short", "not a PDF document"),
    ],
)
def test_disguised_attachment_is_refused_and_nothing_is_stored(
    lecturer, university, studio, studio_owner, make_call, name, content, message
):
    call = make_call(lecturer, university)
    response = as_(studio_owner).post(
        "/api/proposals/",
        {"opportunity": call.pk, "organisation": "pixel-forge", **PROPOSAL,
         "attachment": pdf_upload(name, content)},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 400
    assert message in response.json()["attachment"][0]
    assert not Proposal.objects.exists()
    assert stored_files() == []


def test_oversized_attachment_is_refused(
    settings, lecturer, university, studio, studio_owner, make_call
):
    settings.MAX_DOCUMENT_UPLOAD_BYTES = 40
    call = make_call(lecturer, university)
    response = as_(studio_owner).post(
        "/api/proposals/",
        {"opportunity": call.pk, "organisation": "pixel-forge", **PROPOSAL,
         "attachment": pdf_upload()},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 400
    assert "the limit is 40" in response.json()["attachment"][0]
    assert not Proposal.objects.exists()
    assert stored_files() == []


def test_a_refused_duplicate_leaves_no_stray_attachment(
    lecturer, university, studio, studio_owner, studio_member, make_call
):
    call = make_call(lecturer, university)
    body = {"opportunity": call.pk, "organisation": "pixel-forge", **PROPOSAL}
    first = as_(studio_owner).post(
        "/api/proposals/", {**body, "attachment": pdf_upload()}, format="multipart"
    )
    assert first.status_code == 201
    stored = stored_files()
    assert len(stored) == 1
    second = as_(studio_member).post(
        "/api/proposals/", {**body, "attachment": pdf_upload()}, format="multipart"
    )
    assert second.status_code == 409
    assert stored_files() == stored


def test_proposal_submission_rules(
    lecturer, university, studio, studio_owner, studio_member, pending_owner, make_call
):
    call = make_call(lecturer, university)
    draft = make_call(lecturer, university, title="Draft", publish=False)
    closed = make_call(lecturer, university, title="Closed")
    services.opportunity_close(actor=lecturer, opportunity=closed)

    def submit(user, opportunity, organisation, **extra):
        body = {"opportunity": opportunity, "organisation": organisation, **PROPOSAL, **extra}
        return as_(user).post("/api/proposals/", body, format="json")

    response = submit(lecturer, call.pk, "northbridge")
    assert response.status_code == 400
    assert "industry partners" in response.json()["detail"]
    assert submit(studio_owner, draft.pk, "pixel-forge").status_code == 404
    assert submit(studio_owner, 999_999, "pixel-forge").status_code == 404
    response = submit(studio_owner, closed.pk, "pixel-forge")
    assert response.status_code == 409
    assert "not taking proposals" in response.json()["detail"]
    assert submit(pending_owner, call.pk, "pending-studio").status_code == 403
    assert submit(studio_owner, call.pk, "pixel-forge", approach="").status_code == 400
    assert not Proposal.objects.exists()
    assert submit(studio_owner, call.pk, "pixel-forge").status_code == 201
    response = submit(studio_member, call.pk, "pixel-forge")
    assert response.status_code == 409
    assert "already has a live proposal" in response.json()["detail"]
    assert Proposal.objects.count() == 1


def test_competing_proposers_never_see_each_other(
    lecturer, university, studio, studio_owner, other_studio, other_owner, make_call, propose
):
    call = make_call(lecturer, university)
    ours = propose(studio_owner, call, studio)
    theirs = propose(other_owner, call, other_studio)

    ids = {row["id"] for row in as_(other_owner).get("/api/proposals/").json()["results"]}
    assert ids == {theirs.pk}
    assert as_(other_owner).get(f"/api/proposals/{ours.pk}/").status_code == 404
    response = as_(other_owner).get(f"/api/proposals/?opportunity={call.pk}")
    assert [row["id"] for row in response.json()["results"]] == [theirs.pk]
    ids = {row["id"] for row in as_(lecturer).get("/api/proposals/").json()["results"]}
    assert ids == {ours.pk, theirs.pk}
    assert as_(None).get("/api/proposals/").status_code == 401


def test_decisions_with_messages_and_invalid_moves(
    lecturer, university, studio, studio_owner, other_studio, other_owner, make_call, propose
):
    call = make_call(lecturer, university)
    ours = propose(studio_owner, call, studio)
    theirs = propose(other_owner, call, other_studio)
    client = as_(lecturer)

    response = as_(studio_owner).post(f"/api/proposals/{ours.pk}/accept/")
    assert response.status_code == 403
    ours.refresh_from_db()
    assert ours.status == "new"

    response = client.post(
        f"/api/proposals/{ours.pk}/shortlist/", {"message": "Love the workshops."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "shortlisted"
    assert response.json()["message_to_proposer"] == "Love the workshops."
    response = client.post(f"/api/proposals/{ours.pk}/shortlist/")
    assert response.status_code == 409
    assert response.json()["detail"] == "A proposal that is shortlisted cannot become shortlisted."

    response = client.post(f"/api/proposals/{ours.pk}/accept/", {"message": "Welcome aboard"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    theirs.refresh_from_db()
    call.refresh_from_db()
    assert theirs.status == "declined"
    assert call.status == "agreed"
    assert call.partnership.industry_partner == studio

    response = client.post(f"/api/proposals/{ours.pk}/decline/", {"message": "Changed my mind"})
    assert response.status_code == 409
    assert "accepted cannot become declined" in response.json()["detail"]
    response = as_(studio_owner).post(f"/api/proposals/{ours.pk}/withdraw/")
    assert response.status_code == 409
    response = client.post(f"/api/proposals/{theirs.pk}/accept/")
    assert response.status_code == 409
    ours.refresh_from_db()
    assert (ours.status, ours.message_to_proposer) == (ProposalStatus.ACCEPTED, "Welcome aboard")


def test_decline_and_withdraw(lecturer, university, studio, studio_owner, make_call, propose):
    call = make_call(lecturer, university)
    proposal = propose(studio_owner, call, studio)
    response = as_(lecturer).post(f"/api/proposals/{proposal.pk}/withdraw/")
    assert response.status_code == 403
    response = as_(studio_owner).post(f"/api/proposals/{proposal.pk}/withdraw/")
    assert response.json()["status"] == "withdrawn"
    response = as_(lecturer).post(f"/api/proposals/{proposal.pk}/decline/")
    assert response.status_code == 409

    second = propose(studio_owner, call, studio)
    response = as_(lecturer).post(
        f"/api/proposals/{second.pk}/decline/", {"message": "x" * 4001}, format="json"
    )
    assert response.status_code == 400
    response = as_(lecturer).post(
        f"/api/proposals/{second.pk}/decline/", {"message": "Not this time."}, format="json"
    )
    assert response.json()["status"] == "declined"
    second.refresh_from_db()
    assert second.message_to_proposer == "Not this time."


def test_proposals_are_read_only_apart_from_actions(
    lecturer, university, studio, studio_owner, make_call, propose
):
    proposal = propose(studio_owner, make_call(lecturer, university), studio)
    url = f"/api/proposals/{proposal.pk}/"
    assert as_(studio_owner).patch(url, {"status": "accepted"}, format="json").status_code == 405
    assert as_(studio_owner).delete(url).status_code == 405
    proposal.refresh_from_db()
    assert proposal.status == "new"


@pytest.mark.parametrize("path", ["opportunities", "partnerships"])
def test_put_and_delete_are_not_offered(
    path, lecturer, university, studio, studio_owner, make_call
):
    call = make_call(lecturer, university)
    partnership = services.partnership_propose(
        actor=studio_owner, from_organisation=studio, to_organisation=university, title="Lab"
    )
    pk = call.pk if path == "opportunities" else partnership.pk
    client = as_(lecturer)
    assert client.put(f"/api/{path}/{pk}/", {"title": "X"}, format="json").status_code == 405
    assert client.delete(f"/api/{path}/{pk}/").status_code == 405
    assert Opportunity.objects.get(pk=call.pk).title == LIVE_BRIEF["title"]
    assert Partnership.objects.get(pk=partnership.pk).title == "Lab"


# --- Saved proposals ----------------------------------------------------------------------------


def test_saved_proposals_crud_for_their_owner_only(studio_owner, studio_member):
    owner = as_(studio_owner)
    response = owner.post(
        "/api/saved-proposals/", {"name": "Museum pitch", "team": "Us", "owner": studio_member.pk}
    )
    assert response.status_code == 201, response.content
    saved_id = response.json()["id"]
    assert SavedProposal.objects.get(pk=saved_id).owner == studio_owner
    response = owner.post("/api/saved-proposals/", {"name": "Museum pitch"}, format="json")
    assert response.status_code == 409
    assert owner.post("/api/saved-proposals/", {"name": " "}, format="json").status_code == 400

    url = f"/api/saved-proposals/{saved_id}/"
    response = owner.patch(url, {"approach": "Workshops"}, format="json")
    assert response.status_code == 200
    assert (response.json()["team"], response.json()["approach"]) == ("Us", "Workshops")

    other = as_(studio_member)
    assert other.get("/api/saved-proposals/").json()["results"] == []
    assert other.get(url).status_code == 404
    assert other.patch(url, {"name": "Mine now"}, format="json").status_code == 404
    assert other.delete(url).status_code == 404
    assert as_(None).get("/api/saved-proposals/").status_code == 401
    assert as_(None).delete(url).status_code == 401
    saved = SavedProposal.objects.get(pk=saved_id)
    assert (saved.name, saved.team, saved.approach) == ("Museum pitch", "Us", "Workshops")

    assert [row["id"] for row in owner.get("/api/saved-proposals/").json()["results"]] == [saved_id]
    assert owner.delete(url).status_code == 204
    assert not SavedProposal.objects.exists()


def test_renaming_a_saved_proposal_onto_another_name_is_a_conflict(studio_owner):
    first = services.saved_proposal_save(actor=studio_owner, name="First", team="One")
    services.saved_proposal_save(actor=studio_owner, name="Second", team="Two")
    response = as_(studio_owner).patch(
        f"/api/saved-proposals/{first.pk}/", {"name": "Second"}, format="json"
    )
    assert response.status_code == 409
    assert "already have a saved proposal" in response.json()["detail"]
    first.refresh_from_db()
    assert first.name == "First"


# --- Partnerships -------------------------------------------------------------------------------


def propose_partnership(user, **overrides):
    body = {
        "from_organisation": "pixel-forge",
        "to_organisation": "northbridge",
        "title": "Games research lab",
        "description": "Joint research on procedural worlds.",
        **overrides,
    }
    return as_(user).post("/api/partnerships/", body, format="json")


def test_propose_and_confirm_a_partnership(studio, studio_owner, university, lecturer):
    response = propose_partnership(
        studio_owner,
        status="active",
        institution="other",
        confirmed_at=timezone.now().isoformat(),
        start_date="2030-01-01",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "proposed"
    assert body["institution"] == {"slug": "northbridge", "name": "Northbridge University"}
    assert body["industry_partner"]["slug"] == "pixel-forge"
    assert body["proposed_by_organisation"] == "pixel-forge"
    assert body["confirmed_at"] is None
    assert body["start_date"] == "2030-01-01"
    assert body["contacts"] == [
        {"id": studio_owner.pk, "display_name": "Oscar", "side": "industry"}
    ]
    url = f"/api/partnerships/{body['id']}/"

    response = as_(studio_owner).post(f"{url}confirm/")
    assert response.status_code == 403
    assert "Only members of Northbridge University" in response.json()["detail"]
    response = as_(lecturer).post(f"{url}confirm/")
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    response = as_(lecturer).post(f"{url}confirm/")
    assert response.status_code == 409
    assert "not waiting for confirmation" in response.json()["detail"]
    response = as_(lecturer).post(f"{url}decline/")
    assert response.status_code == 409


def test_decline_a_proposed_partnership(studio, studio_owner, university, lecturer):
    partnership_id = propose_partnership(studio_owner).json()["id"]
    assert as_(studio_owner).post(f"/api/partnerships/{partnership_id}/decline/").status_code == 403
    response = as_(lecturer).post(f"/api/partnerships/{partnership_id}/decline/")
    assert response.json()["status"] == "ended"


def test_propose_refusals(
    studio, studio_owner, university, lecturer, other_studio, pending_studio, student
):
    response = propose_partnership(studio_owner, to_organisation="other-studio")
    assert response.status_code == 400
    assert "institution with an industry partner" in response.json()["detail"]
    assert propose_partnership(studio_owner, to_organisation="pending-studio").status_code == 404
    assert propose_partnership(studio_owner, from_organisation="other-studio").status_code == 403
    assert propose_partnership(student, from_organisation="northbridge").status_code == 403
    assert propose_partnership(None).status_code == 401
    response = propose_partnership(studio_owner, start_date="2030-02-01", end_date="2030-01-01")
    assert response.status_code == 400
    assert "end_date" in response.json()
    response = propose_partnership(studio_owner, industry_contacts=[studio_owner.pk])
    assert response.status_code == 400
    assert not Partnership.objects.exists()
    assert propose_partnership(studio_owner).status_code == 201
    response = propose_partnership(lecturer, from_organisation="northbridge",
                                   to_organisation="pixel-forge")  # fmt: skip
    assert response.status_code == 409
    assert "already have a partnership" in response.json()["detail"]
    assert Partnership.objects.count() == 1


def test_status_moves_and_invalid_ones(studio, studio_owner, university, lecturer):
    partnership_id = propose_partnership(studio_owner).json()["id"]
    url = f"/api/partnerships/{partnership_id}/"
    response = as_(lecturer).post(f"{url}pause/")
    assert response.status_code == 409
    assert response.json()["detail"] == "A partnership that is proposed cannot become paused."
    as_(lecturer).post(f"{url}confirm/")
    response = as_(lecturer).post(f"{url}resume/")
    assert response.status_code == 409
    assert "active cannot become active" in response.json()["detail"]
    assert as_(studio_owner).post(f"{url}pause/").json()["status"] == "paused"
    assert as_(lecturer).post(f"{url}resume/").json()["status"] == "active"
    response = as_(lecturer).post(f"{url}end/")
    assert response.json()["status"] == "ended"
    assert response.json()["end_date"] is not None
    assert as_(lecturer).post(f"{url}resume/").status_code == 409
    assert Partnership.objects.get(pk=partnership_id).status == "ended"


def test_patch_partnership_fields_and_contacts(
    studio, studio_owner, studio_member, university, lecturer, other_owner
):
    partnership_id = propose_partnership(studio_owner).json()["id"]
    url = f"/api/partnerships/{partnership_id}/"
    client = as_(studio_owner)
    response = client.patch(
        url,
        {"title": "Procedural worlds lab", "status": "active", "end_date": "2031-06-30",
         "industry_contacts": [studio_owner.pk, studio_member.pk],
         "institution_contacts": [lecturer.pk]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["status"], body["end_date"]) == (
        "Procedural worlds lab",
        "proposed",
        "2031-06-30",
    )
    assert sorted(body["industry_contacts"]) == sorted([studio_owner.pk, studio_member.pk])
    assert {c["side"] for c in body["contacts"]} == {"industry", "institution"}

    response = client.patch(url, {"industry_contacts": [other_owner.pk]}, format="json")
    assert response.status_code == 400
    assert "must be members of Pixel Forge" in response.json()["detail"]
    response = client.patch(url, {"start_date": "2032-01-01"}, format="json")
    assert response.status_code == 400
    response = client.patch(url, {"to_organisation": "other-studio"}, format="json")
    assert response.status_code == 400
    response = as_(other_owner).patch(url, {"title": "Mine"}, format="json")
    assert response.status_code == 404
    partnership = Partnership.objects.get(pk=partnership_id)
    assert (partnership.title, partnership.institution, partnership.industry_partner) == (
        "Procedural worlds lab",
        university,
        studio,
    )
    assert set(partnership.industry_contacts.all()) == {studio_owner, studio_member}


def test_agreement_upload_and_download(
    studio, studio_owner, studio_member, university, lecturer, other_owner, student,
    platform_admin, django_capture_on_commit_callbacks,
):  # fmt: skip
    partnership_id = propose_partnership(studio_owner).json()["id"]
    url = f"/api/partnerships/{partnership_id}/agreement/"
    assert as_(studio_owner).get(url).status_code == 404  # nothing uploaded yet

    response = as_(studio_member).post(url, {"agreement": pdf_upload("a.pdf")}, format="multipart")
    assert response.status_code == 403
    assert "owners and admins" in response.json()["detail"]
    response = as_(other_owner).post(url, {"agreement": pdf_upload("a.pdf")}, format="multipart")
    assert response.status_code == 404
    assert as_(None).post(url, {"agreement": pdf_upload("a.pdf")}).status_code == 401
    assert stored_files() == []

    response = as_(studio_owner).post(url, {"agreement": pdf_upload("a.pdf")}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["agreement_url"] == url
    first = Partnership.objects.get(pk=partnership_id).agreement.name
    assert first.startswith("private/agreements/")

    for user in (studio_owner, studio_member, lecturer, platform_admin):
        download = as_(user).get(url)
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["Cache-Control"] == "private, no-store"
        assert b"".join(download.streaming_content) == PDF
    for user in (other_owner, student):
        assert as_(user).get(url).status_code == 404
    assert as_(None).get(url).status_code == 401

    with django_capture_on_commit_callbacks(execute=True):
        response = as_(lecturer).post(
            url, {"agreement": pdf_upload("signed.pdf")}, format="multipart"
        )
    assert response.status_code == 200
    second = Partnership.objects.get(pk=partnership_id).agreement.name
    assert second != first
    assert [p.name for p in stored_files()] == [Path(second).name]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("agreement.pdf", EXECUTABLE, "not a PDF document"), ("agreement.docx", PDF, "a .pdf file")],
)
def test_disguised_agreement_is_refused(studio, studio_owner, university, name, content, message):
    partnership_id = propose_partnership(studio_owner).json()["id"]
    response = as_(studio_owner).post(
        f"/api/partnerships/{partnership_id}/agreement/",
        {"agreement": pdf_upload(name, content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert message in response.json()["agreement"][0]
    assert not Partnership.objects.get(pk=partnership_id).agreement
    assert stored_files() == []


def test_oversized_agreement_is_refused(settings, studio, studio_owner, university):
    partnership_id = propose_partnership(studio_owner).json()["id"]
    settings.MAX_DOCUMENT_UPLOAD_BYTES = 20
    response = as_(studio_owner).post(
        f"/api/partnerships/{partnership_id}/agreement/",
        {"agreement": pdf_upload()},
        format="multipart",
    )
    assert response.status_code == 400
    assert "the limit is 20" in response.json()["agreement"][0]
    assert response.json()["agreement"][0]
    assert not Partnership.objects.get(pk=partnership_id).agreement
    assert stored_files() == []
    response = as_(studio_owner).post(f"/api/partnerships/{partnership_id}/agreement/", {})
    assert response.status_code == 400


# --- Query counts -------------------------------------------------------------------------------

LIST_QUERY_BOUND = 5  # count, page, and one per prefetched relation


def bulk_calls(organisation, count: int, **fields) -> list[Opportunity]:
    calls = Opportunity.objects.bulk_create(
        Opportunity(
            organisation=organisation, kind="research", title=f"Call {i}", summary="A call.",
            description="Research together.", deadline=future(), status="open",
            published_at=timezone.now(), **fields,
        )
        for i in range(count)
    )  # fmt: skip
    sector, skill = SectorFactory(), SkillFactory()
    Opportunity.sectors.through.objects.bulk_create(
        Opportunity.sectors.through(opportunity_id=c.pk, sector_id=sector.pk) for c in calls
    )
    Opportunity.skills.through.objects.bulk_create(
        Opportunity.skills.through(opportunity_id=c.pk, skill_id=skill.pk) for c in calls
    )
    return calls


@pytest.mark.parametrize("rows", [5, 200])
@pytest.mark.parametrize("persona", [None, "lecturer"])
def test_opportunity_list_queries_do_not_grow(
    request, university, lecturer, rows, persona, django_assert_max_num_queries
):
    bulk_calls(university, rows, contact=lecturer)
    client = as_(request.getfixturevalue(persona) if persona else None)
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get("/api/opportunities/?page_size=100")
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(rows, 100)


@pytest.mark.parametrize("rows", [5, 200])
def test_proposal_list_queries_do_not_grow(
    university, lecturer, studio, studio_owner, rows, django_assert_max_num_queries
):
    calls = bulk_calls(university, rows, contact=lecturer)
    Proposal.objects.bulk_create(
        Proposal(opportunity=c, organisation=studio, submitted_by=studio_owner, **PROPOSAL)
        for c in calls
    )
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = as_(lecturer).get("/api/proposals/?page_size=100")
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(rows, 100)


@pytest.mark.parametrize("rows", [5, 200])
def test_partnership_list_queries_do_not_grow(
    university, lecturer, rows, django_assert_max_num_queries
):
    partners = Organisation.objects.bulk_create(
        Organisation(kind=Kind.INDUSTRY, category="studio", name=f"Studio {i}",
                     slug=f"bulk-studio-{i}", status=Status.VERIFIED)
        for i in range(rows)
    )  # fmt: skip
    partnerships = Partnership.objects.bulk_create(
        Partnership(institution=university, industry_partner=p, title=f"P {i}",
                    status="active", proposed_by_organisation=p)
        for i, p in enumerate(partners)
    )  # fmt: skip
    people = [MembershipFactory(organisation=partners[0]).user, UserFactory()]
    Partnership.institution_contacts.through.objects.bulk_create(
        Partnership.institution_contacts.through(partnership_id=p.pk, user_id=lecturer.pk)
        for p in partnerships
    )
    Partnership.industry_contacts.through.objects.bulk_create(
        Partnership.industry_contacts.through(partnership_id=p.pk, user_id=people[0].pk)
        for p in partnerships
    )
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = as_(lecturer).get("/api/partnerships/?page_size=100")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == min(rows, 100)
    assert len(results[0]["contacts"]) == 2
