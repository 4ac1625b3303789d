"""Every persona against every action on calls, proposals and partnerships, through the pages.

An object a person may not see answers 404 (drafts, competing proposals, other organisations'
partnerships and agreements); a visible object they may not change answers 403; anonymous
visitors are sent to log in (302). Every refused action is checked to leave the data unchanged.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partnerships.projects import services
from partnerships.projects.models import Opportunity, Partnership, Proposal

from .conftest import LIVE_BRIEF, PROPOSAL, future

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

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

COLUMNS = (
    "view_draft", "view_members_only", "edit_call", "publish", "propose", "view_proposal",
    "decide_proposal", "download_agreement", "upload_agreement", "confirm_partnership",
)  # fmt: skip

EXPECTED = {
    # The proposal is Pixel Forge's (so Other Studio is a competing proposer); the agreement is
    # Northbridge × Pixel Forge's; the partnership to confirm was proposed by Other Studio to
    # Northbridge.
    "anonymous": (404, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "student": (404, 200, 403, 404, 403, 404, 404, 404, 404, 404),
    "lecturer": (200, 200, 302, 302, 403, 200, 302, 200, 302, 302),
    "studio_owner": (404, 200, 403, 404, 302, 200, 403, 200, 302, 404),
    "studio_member": (404, 200, 403, 404, 302, 200, 403, 200, 403, 404),
    "other_owner": (404, 200, 403, 404, 302, 404, 404, 404, 404, 403),
    "pending_owner": (404, 200, 403, 404, 403, 404, 404, 404, 404, 404),
    "industry_newcomer": (404, 200, 403, 404, 403, 404, 404, 404, 404, 404),
    "platform_admin": (200, 200, 302, 302, 403, 200, 302, 200, 302, 403),
}

PROPOSING_FOR = {
    "studio_owner": "studio",
    "studio_member": "studio",
    "other_owner": "other_studio",
    "pending_owner": "pending_studio",
}


@pytest.fixture
def world(
    lecturer, university, studio, studio_owner, studio_member, other_studio, other_owner,
    pending_studio, pending_owner, student, industry_newcomer, platform_admin, make_call, propose,
):  # fmt: skip
    public = make_call(lecturer, university, title="Public call")
    ours = propose(studio_owner, public, studio)
    propose(other_owner, public, other_studio)
    partnership = services.partnership_propose(
        actor=studio_owner, from_organisation=studio, to_organisation=university, title="Lab"
    )
    partnership = services.partnership_confirm(actor=lecturer, partnership=partnership)
    partnership.agreement.save("signed.pdf", ContentFile(PDF))
    to_confirm = services.partnership_propose(
        actor=other_owner, from_organisation=other_studio, to_organisation=university,
        title="Waiting for Northbridge",
    )  # fmt: skip
    return {
        "draft": make_call(lecturer, university, publish=False, title="Draft call"),
        "members_only": make_call(lecturer, university, title="Members", visibility="members"),
        "public": public,
        "proposal": ours,
        "partnership": partnership,
        "to_confirm": to_confirm,
        "university": university,
        "lecturer": lecturer,
        "orgs": {"studio": studio, "other_studio": other_studio, "pending_studio": pending_studio},
    }


def _edit_data(world, title: str) -> dict:
    deadline = timezone.localtime(future(30)).strftime("%Y-%m-%dT%H:%M")
    data = {k: v for k, v in LIVE_BRIEF.items() if k != "is_paid"}
    return {
        **data, "is_paid": "on", "title": title, "deadline": deadline, "visibility": "public",
        "contact": world["lecturer"].pk,
    }  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_html_permission_matrix(client, request, world, persona):
    expected = dict(zip(COLUMNS, EXPECTED[persona], strict=True))
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    got = {}

    def check(column: str, response) -> bool:
        """Record the status; True when the action was carried out."""
        got[column] = response.status_code
        if persona == "anonymous" and response.status_code == 302:
            assert reverse("account_login") in response["Location"], column
            return False
        return response.status_code == 302

    draft, members_only, public = world["draft"], world["members_only"], world["public"]
    got["view_draft"] = client.get(reverse("projects:opportunity", args=[draft.pk])).status_code
    check("view_members_only", client.get(reverse("projects:opportunity", args=[members_only.pk])))

    title = f"Edited by {persona}"
    url = reverse("projects:opportunity_edit", args=[public.pk])
    done = check("edit_call", client.post(url, _edit_data(world, title)))
    assert (Opportunity.objects.get(pk=public.pk).title == title) == done

    url = reverse("projects:opportunity_transition", args=[draft.pk, "publish"])
    done = check("publish", client.post(url))
    assert (Opportunity.objects.get(pk=draft.pk).status == "open") == done

    organisation = world["orgs"][PROPOSING_FOR.get(persona, "studio")]
    url = reverse("projects:proposal_create", args=[members_only.pk])
    done = check("propose", client.post(url, {"organisation": organisation.pk, **PROPOSAL}))
    assert Proposal.objects.filter(opportunity=members_only).exists() == done

    proposal = world["proposal"]
    check("view_proposal", client.get(reverse("projects:proposal", args=[proposal.pk])))

    url = reverse("projects:proposal_decide", args=[proposal.pk])
    done = check("decide_proposal", client.post(url, {"decision": "shortlist"}))
    assert (Proposal.objects.get(pk=proposal.pk).status == "shortlisted") == done

    partnership = world["partnership"]
    response = client.get(reverse("projects:agreement", args=[partnership.pk]))
    check("download_agreement", response)
    if response.status_code == 200:
        assert response["Content-Disposition"] == 'attachment; filename="Lab-agreement.pdf"'

    before = Partnership.objects.get(pk=partnership.pk).agreement.name
    upload = SimpleUploadedFile("new.pdf", PDF, "application/pdf")
    url = reverse("projects:agreement_upload", args=[partnership.pk])
    done = check("upload_agreement", client.post(url, {"agreement": upload}))
    assert (Partnership.objects.get(pk=partnership.pk).agreement.name != before) == done

    to_confirm = world["to_confirm"]
    url = reverse("projects:partnership_status", args=[to_confirm.pk, "confirm"])
    done = check("confirm_partnership", client.post(url))
    assert (Partnership.objects.get(pk=to_confirm.pk).status == "active") == done

    assert got == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_never_show_what_details_refuse(client, request, world, persona):
    """The browse page, "my proposals" and the partnership list use the detail pages' rules."""
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("projects:browse"), {"show": "all"})
    for opportunity in response.context["page"].object_list:
        detail = client.get(reverse("projects:opportunity", args=[opportunity.pk]))
        assert detail.status_code == 200, opportunity.title
    assert "Draft call" not in response.content.decode()
    if persona == "anonymous":
        return
    for name, detail_name in (
        ("projects:my_proposals", "projects:proposal"),
        ("projects:partnerships", "projects:partnership"),
    ):
        page = client.get(reverse(name)).context["page"]
        for row in page.object_list:
            assert client.get(reverse(detail_name, args=[row.pk])).status_code == 200
