"""Every role against every projects API endpoint and method.

The world: Northbridge (Lena) has a public open call with proposals from Pixel Forge (Oscar, Mia)
and Other Studio (Olga), a members-only call and a draft; Pixel Forge proposed a partnership to
Northbridge and uploaded its agreement; Oscar has a saved proposal. Objects a persona may not see
answer 404, visible ones they may not change 403, anonymous writes 401; every refusal is checked
to leave the data unchanged.
"""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from partnerships.organisations.models import Kind
from partnerships.projects import services
from partnerships.projects.models import Opportunity, Partnership, Proposal, SavedProposal
from tests.factories import OrganisationFactory

from .conftest import LIVE_BRIEF, PROPOSAL, future

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"

PERSONAS = [
    "anonymous",
    "student",
    "lecturer",
    "studio_owner",
    "studio_member",
    "other_owner",
    "pending_owner",
    "industry_newcomer",
    "platform_admin",
]


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def world(
    university, studio, other_studio, pending_studio, lecturer, studio_owner, studio_member,
    other_owner, pending_owner, student, platform_admin, industry_newcomer, make_call, propose,
):  # fmt: skip
    call = make_call(lecturer, university, title="Public call")
    members_only = make_call(lecturer, university, title="Members call", visibility="members")
    draft = make_call(lecturer, university, title="Draft call", publish=False)
    fresh = make_call(lecturer, university, title="Fresh call")
    ours = propose(studio_owner, call, studio, attachment=pdf("ours.pdf"))
    theirs = propose(other_owner, call, other_studio)
    partnership = services.partnership_propose(
        actor=studio_owner, from_organisation=studio, to_organisation=university, title="Lab"
    )
    services.partnership_upload_agreement(
        actor=studio_owner, partnership=partnership, agreement=pdf("agreement.pdf")
    )
    saved = services.saved_proposal_save(actor=studio_owner, name="Pitch", team="Us")
    OrganisationFactory(kind=Kind.INSTITUTION, name="Second University", slug="second-uni")
    return SimpleNamespace(
        call=call, members_only=members_only, draft=draft, fresh=fresh, ours=ours,
        theirs=theirs, partnership=partnership, saved=saved,
    )  # fmt: skip


def api_as(request, persona: str) -> APIClient:
    client = APIClient()
    if persona != "anonymous":
        client.force_authenticate(request.getfixturevalue(persona))
    return client


def table(**columns):
    """Expectations by persona, from one value per persona (in PERSONAS order) for each column."""
    for name, values in columns.items():
        assert len(values) == len(PERSONAS), name
    return {p: {k: v[i] for k, v in columns.items()} for i, p in enumerate(PERSONAS)}


# --- Opportunities ------------------------------------------------------------------------------

OPPORTUNITY = table(
    #               anon  stud  lect  s_own s_mem oth   pend  new   admin
    see_members=(False, True, True, True, True, True, True, True, True),
    see_draft=(False, False, True, False, False, False, False, False, True),
    get_draft=(404, 404, 200, 404, 404, 404, 404, 404, 200),
    get_members=(404, 200, 200, 200, 200, 200, 200, 200, 200),
    create=(401, 403, 201, 403, 403, 403, 403, 403, 403),
    patch=(401, 403, 200, 403, 403, 403, 403, 403, 200),
    patch_draft=(401, 404, 200, 404, 404, 404, 404, 404, 200),
    close=(401, 403, 200, 403, 403, 403, 403, 403, 200),
    publish_draft=(401, 404, 200, 404, 404, 404, 404, 404, 200),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_opportunities(request, world, persona):
    expected = OPPORTUNITY[persona]
    api = api_as(request, persona)

    response = api.get("/api/opportunities/?page_size=100")
    assert response.status_code == 200
    titles = {row["title"] for row in response.json()["results"]}
    assert "Public call" in titles
    assert ("Members call" in titles) == expected["see_members"]
    assert ("Draft call" in titles) == expected["see_draft"]
    assert api.get(f"/api/opportunities/{world.call.pk}/").status_code == 200
    assert api.get(f"/api/opportunities/{world.draft.pk}/").status_code == expected["get_draft"]
    members_url = f"/api/opportunities/{world.members_only.pk}/"
    assert api.get(members_url).status_code == expected["get_members"]

    before = Opportunity.objects.count()
    body = {**LIVE_BRIEF, "organisation": "northbridge", "deadline": future().isoformat()}
    body["title"] = f"Posted by {persona}"
    response = api.post("/api/opportunities/", body, format="json")
    assert response.status_code == expected["create"], response.content
    assert Opportunity.objects.count() == before + (expected["create"] == 201)

    for target, key in ((world.call, "patch"), (world.draft, "patch_draft")):
        url = f"/api/opportunities/{target.pk}/"
        response = api.patch(url, {"title": f"Renamed by {persona}"}, format="json")
        assert response.status_code == expected[key], response.content
        renamed = Opportunity.objects.get(pk=target.pk).title == f"Renamed by {persona}"
        assert renamed == (expected[key] == 200)

    response = api.post(f"/api/opportunities/{world.call.pk}/close/")
    assert response.status_code == expected["close"]
    status = Opportunity.objects.get(pk=world.call.pk).status
    assert status == ("reviewing" if expected["close"] == 200 else "open")

    response = api.post(f"/api/opportunities/{world.draft.pk}/publish/")
    assert response.status_code == expected["publish_draft"]
    status = Opportunity.objects.get(pk=world.draft.pk).status
    assert status == ("open" if expected["publish_draft"] == 200 else "draft")


@pytest.mark.parametrize("action", ["publish", "close", "reopen", "start", "complete", "cancel"])
@pytest.mark.parametrize(
    "persona", [p for p in PERSONAS if p not in ("lecturer", "platform_admin")]
)
def test_opportunity_actions_refused_to_outsiders(request, world, persona, action):
    api = api_as(request, persona)
    response = api.post(f"/api/opportunities/{world.call.pk}/{action}/")
    assert response.status_code == (401 if persona == "anonymous" else 403)
    call = Opportunity.objects.get(pk=world.call.pk)
    assert (call.status, call.transitions.count()) == ("open", 2)


# --- Proposals ----------------------------------------------------------------------------------

PROPOSAL_TABLE = table(
    #               anon  stud  lect  s_own s_mem oth   pend  new   admin
    listed=(None, "", "ours theirs", "ours", "ours", "theirs", "", "", "ours theirs"),
    get_ours=(401, 404, 200, 200, 200, 404, 404, 404, 200),
    shortlist=(401, 404, 200, 403, 403, 404, 404, 404, 200),
    decline=(401, 404, 200, 403, 403, 404, 404, 404, 200),
    accept=(401, 404, 200, 403, 403, 404, 404, 404, 200),
    withdraw=(401, 404, 403, 200, 200, 404, 404, 404, 403),
    create=(401, 403, 400, 201, 201, 201, 403, 403, 403),
)

PROPOSING_FOR = {
    "anonymous": "pixel-forge",
    "student": "pixel-forge",
    "lecturer": "northbridge",
    "studio_owner": "pixel-forge",
    "studio_member": "pixel-forge",
    "other_owner": "other-studio",
    "pending_owner": "pending-studio",
    "industry_newcomer": "pixel-forge",
    "platform_admin": "pixel-forge",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_proposals(request, world, persona):
    expected = PROPOSAL_TABLE[persona]
    api = api_as(request, persona)
    names = {world.ours.pk: "ours", world.theirs.pk: "theirs"}

    response = api.get("/api/proposals/?page_size=100")
    if expected["listed"] is None:
        assert response.status_code == 401
    else:
        listed = {names[row["id"]] for row in response.json()["results"]}
        assert listed == set(expected["listed"].split())

    for suffix in ("", "attachment/"):
        response = api.get(f"/api/proposals/{world.ours.pk}/{suffix}")
        assert response.status_code == expected["get_ours"], suffix
        if response.status_code == 200 and suffix:
            assert b"".join(response.streaming_content) == PDF

    before = Proposal.objects.count()
    body = {"opportunity": world.fresh.pk, "organisation": PROPOSING_FOR[persona], **PROPOSAL}
    response = api.post("/api/proposals/", body, format="json")
    assert response.status_code == expected["create"], response.content
    assert Proposal.objects.count() == before + (expected["create"] == 201)


PROPOSAL_MOVES = {
    "shortlist": "shortlisted",
    "decline": "declined",
    "accept": "accepted",
    "withdraw": "withdrawn",
}


@pytest.mark.parametrize("action", list(PROPOSAL_MOVES))
@pytest.mark.parametrize("persona", PERSONAS)
def test_proposal_actions(request, world, persona, action):
    expected = PROPOSAL_TABLE[persona][action]
    api = api_as(request, persona)
    response = api.post(
        f"/api/proposals/{world.ours.pk}/{action}/", {"message": f"From {persona}"}, format="json"
    )
    assert response.status_code == expected, response.content
    ours = Proposal.objects.get(pk=world.ours.pk)
    if expected == 200:
        assert ours.status == PROPOSAL_MOVES[action]
    else:
        assert (ours.status, ours.message_to_proposer, ours.transitions.count()) == ("new", "", 1)
        world.call.refresh_from_db()
        assert world.call.status == "open"


@pytest.mark.parametrize("persona", PERSONAS)
def test_proposing_to_a_hidden_call_is_404(request, world, persona):
    """Only the draft's own organisation and admins see it; they are refused for other reasons."""
    api = api_as(request, persona)
    body = {"opportunity": world.draft.pk, "organisation": PROPOSING_FOR[persona], **PROPOSAL}
    response = api.post("/api/proposals/", body, format="json")
    expected = {"anonymous": 401, "lecturer": 400, "platform_admin": 403}.get(persona, 404)
    assert response.status_code == expected
    assert not Proposal.objects.filter(opportunity=world.draft).exists()


# --- Saved proposals ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_saved_proposals(request, world, persona):
    api = api_as(request, persona)
    url = f"/api/saved-proposals/{world.saved.pk}/"
    owner = persona == "studio_owner"
    hidden = 401 if persona == "anonymous" else 404

    response = api.get("/api/saved-proposals/")
    if persona == "anonymous":
        assert response.status_code == 401
    else:
        ids = [row["id"] for row in response.json()["results"]]
        assert ids == ([world.saved.pk] if owner else [])
    assert api.get(url).status_code == (200 if owner else hidden)
    response = api.patch(url, {"name": f"Taken by {persona}"}, format="json")
    assert response.status_code == (200 if owner else hidden)
    assert SavedProposal.objects.get(pk=world.saved.pk).name == (
        f"Taken by {persona}" if owner else "Pitch"
    )
    response = api.post("/api/saved-proposals/", {"name": "New"}, format="json")
    assert response.status_code == (401 if persona == "anonymous" else 201)
    assert api.delete(url).status_code == (204 if owner else hidden)
    assert SavedProposal.objects.filter(pk=world.saved.pk).exists() == (not owner)


# --- Partnerships -------------------------------------------------------------------------------

PARTNERSHIP = table(
    #               anon  stud  lect  s_own s_mem oth   pend  new   admin
    see=(401, 404, 200, 200, 200, 404, 404, 404, 200),
    patch=(401, 404, 200, 200, 200, 404, 404, 404, 200),
    upload=(401, 404, 200, 200, 403, 404, 404, 404, 200),
    confirm=(401, 404, 200, 403, 403, 404, 404, 404, 403),
    decline=(401, 404, 200, 403, 403, 404, 404, 404, 403),
    end=(401, 404, 200, 200, 200, 404, 404, 404, 200),
    create=(401, 403, 201, 201, 201, 201, 403, 403, 403),
)

PARTNERSHIP_PROPOSAL = {
    # persona: (from, to)
    "anonymous": ("pixel-forge", "second-uni"),
    "student": ("northbridge", "other-studio"),
    "lecturer": ("northbridge", "other-studio"),
    "studio_owner": ("pixel-forge", "second-uni"),
    "studio_member": ("pixel-forge", "second-uni"),
    "other_owner": ("other-studio", "second-uni"),
    "pending_owner": ("pending-studio", "second-uni"),
    "industry_newcomer": ("pixel-forge", "second-uni"),
    "platform_admin": ("pixel-forge", "second-uni"),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_partnerships(request, world, persona):
    expected = PARTNERSHIP[persona]
    api = api_as(request, persona)
    partnership = world.partnership
    url = f"/api/partnerships/{partnership.pk}/"
    agreement = Partnership.objects.get(pk=partnership.pk).agreement.name
    assert agreement

    response = api.get("/api/partnerships/")
    if persona == "anonymous":
        assert response.status_code == 401
    else:
        ids = [row["id"] for row in response.json()["results"]]
        assert ids == ([partnership.pk] if expected["see"] == 200 else [])
    assert api.get(url).status_code == expected["see"]
    response = api.get(f"{url}agreement/")
    assert response.status_code == expected["see"]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF

    response = api.patch(url, {"title": f"Renamed by {persona}"}, format="json")
    assert response.status_code == expected["patch"]
    renamed = Partnership.objects.get(pk=partnership.pk).title == f"Renamed by {persona}"
    assert renamed == (expected["patch"] == 200)

    response = api.post(f"{url}agreement/", {"agreement": pdf("new.pdf")}, format="multipart")
    assert response.status_code == expected["upload"], response.content
    replaced = Partnership.objects.get(pk=partnership.pk).agreement.name != agreement
    assert replaced == (expected["upload"] == 200)

    source, target = PARTNERSHIP_PROPOSAL[persona]
    before = Partnership.objects.count()
    body = {"from_organisation": source, "to_organisation": target, "title": "New"}
    response = api.post("/api/partnerships/", body, format="json")
    assert response.status_code == expected["create"], response.content
    assert Partnership.objects.count() == before + (expected["create"] == 201)


PARTNERSHIP_MOVES = {"confirm": "active", "decline": "ended", "end": "ended"}


@pytest.mark.parametrize("action", list(PARTNERSHIP_MOVES))
@pytest.mark.parametrize("persona", PERSONAS)
def test_partnership_actions_on_a_proposed_partnership(request, world, persona, action):
    expected = PARTNERSHIP[persona][action]
    response = api_as(request, persona).post(f"/api/partnerships/{world.partnership.pk}/{action}/")
    assert response.status_code == expected, response.content
    status = Partnership.objects.get(pk=world.partnership.pk).status
    assert status == (PARTNERSHIP_MOVES[action] if expected == 200 else "proposed")


ACTIVE_MOVES = table(
    #               anon  stud  lect  s_own s_mem oth   pend  new   admin
    pause=(401, 404, 200, 200, 200, 404, 404, 404, 200),
    end=(401, 404, 200, 200, 200, 404, 404, 404, 200),
    confirm=(401, 404, 409, 403, 403, 404, 404, 404, 403),
    resume=(401, 404, 409, 409, 409, 404, 404, 404, 409),
)
ACTIVE_TARGET = {"pause": "paused", "end": "ended"}


@pytest.mark.parametrize("action", ["pause", "end", "confirm", "resume"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_partnership_actions_on_an_active_partnership(request, world, lecturer, persona, action):
    services.partnership_confirm(actor=lecturer, partnership=world.partnership)
    expected = ACTIVE_MOVES[persona][action]
    response = api_as(request, persona).post(f"/api/partnerships/{world.partnership.pk}/{action}/")
    assert response.status_code == expected, response.content
    if expected == 409:
        assert (
            "cannot become" in response.json()["detail"]
            or "not waiting" in (response.json()["detail"])
        )
    status = Partnership.objects.get(pk=world.partnership.pk).status
    assert status == (ACTIVE_TARGET[action] if expected == 200 else "active")
