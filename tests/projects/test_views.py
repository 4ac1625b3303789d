"""The pages for calls, proposals and partnerships as people use them.

Forms keep their input and answer 400; refused actions answer their 4xx and change nothing;
uploads are checked by content; lists cost a constant number of queries; private objects 404.
"""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partnerships.organisations.models import Kind
from partnerships.projects import services
from partnerships.projects.models import (
    Opportunity,
    OpportunityStatus,
    Partnership,
    Proposal,
    SavedProposal,
)
from partnerships.projects.search import is_postgres, weighted_vector
from tests.conftest import needs_service
from tests.factories import MembershipFactory, OrganisationFactory, SectorFactory, SkillFactory

from .conftest import LIVE_BRIEF, PROPOSAL, future

pytestmark = pytest.mark.django_db

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 400


def pdf(name="proposal.pdf", content=MINIMAL_PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def local_input(moment) -> str:
    """A datetime as a datetime-local input sends it (in the active time zone)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def call_form(organisation, contact, **overrides) -> dict:
    data = {
        "organisation": organisation.pk,
        "kind": LIVE_BRIEF["kind"],
        "title": LIVE_BRIEF["title"],
        "summary": LIVE_BRIEF["summary"],
        "description": LIVE_BRIEF["description"],
        "ip_ownership": LIVE_BRIEF["ip_ownership"],
        "student_credit": LIVE_BRIEF["student_credit"],
        "is_paid": "on",
        "payment_details": LIVE_BRIEF["payment_details"],
        "deliverables": LIVE_BRIEF["deliverables"],
        "mode": "hybrid",
        "location": "Manchester",
        "timeline": "February to April",
        "commitment": "Two days a week",
        "deadline": local_input(future(30)),
        "visibility": "public",
        "contact": contact.pk,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def html(response) -> str:
    return response.content.decode()


def private_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "private"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def call(lecturer, university, make_call):
    return make_call(lecturer, university)


@pytest.fixture
def draft(lecturer, university, make_call):
    return make_call(lecturer, university, publish=False, title="Secret draft brief")


@pytest.fixture
def ours(call, studio_owner, studio, propose):
    return propose(studio_owner, call, studio)


@pytest.fixture
def theirs(call, other_owner, other_studio, propose):
    return propose(other_owner, call, other_studio)


@pytest.fixture
def partnership(lecturer, university, studio_owner, studio):
    """Active: proposed by the studio, confirmed by the lecturer."""
    created = services.partnership_propose(
        actor=studio_owner, from_organisation=studio, to_organisation=university,
        title="Games research lab",
    )  # fmt: skip
    return services.partnership_confirm(actor=lecturer, partnership=created)


# --- Browse ---------------------------------------------------------------------------------


def test_browse_shows_open_public_calls_with_pay_and_deadline(
    client, lecturer, university, make_call, draft
):
    make_call(lecturer, university, deadline=future(10))
    make_call(lecturer, university, title="Members only", visibility="members")
    make_call(lecturer, university, title="Unpaid workshop", kind="workshop", is_paid=False,
              payment_details="")  # fmt: skip
    response = client.get(reverse("projects:browse"))
    assert response.status_code == 200
    titles = {o.title for o in response.context["page"].object_list}
    assert titles == {LIVE_BRIEF["title"], "Unpaid workshop"}
    page = html(response)
    assert "Paid: £300 for each of the three finalists" in page
    assert "closes in 10 days" in page
    assert "Live brief / student challenge" in page and "Northbridge University" in page
    assert "Hybrid · Manchester" in page
    assert "Secret draft brief" not in page


def test_unpaid_live_briefs_say_so(client, lecturer, university, make_call):
    make_call(lecturer, university, is_paid=False, payment_details="")
    assert "Unpaid" in html(client.get(reverse("projects:browse")))


def test_signed_in_members_also_see_members_only_calls(
    client, lecturer, university, make_call, student
):
    make_call(lecturer, university, title="Members only", visibility="members")
    client.force_login(student)
    response = client.get(reverse("projects:browse"))
    assert [o.title for o in response.context["page"].object_list] == ["Members only"]


def test_browse_filters(client, lecturer, university, studio_owner, studio, make_call):
    animation = SectorFactory(name="Animation X", slug="animation-x")
    rigging = SkillFactory(name="Rigging X", slug="rigging-x")
    brief = make_call(lecturer, university, deadline=future(40), mode="on_site")
    brief.sectors.add(animation)
    brief.skills.add(rigging)
    make_call(lecturer, university, title="Remote research", kind="research", mode="remote",
              deadline=future(5))  # fmt: skip
    make_call(studio_owner, studio, title="Studio workshop", kind="workshop", mode="hybrid")
    closed = make_call(lecturer, university, title="Closed early", mode="on_site")
    services.opportunity_close(actor=lecturer, opportunity=closed)

    def titles(**params):
        response = client.get(reverse("projects:browse"), params)
        assert response.status_code == 200
        return sorted(o.title for o in response.context["page"].object_list)

    everything_open = sorted([LIVE_BRIEF["title"], "Remote research", "Studio workshop"])
    assert titles() == everything_open
    assert titles(kind="research") == ["Remote research"]
    assert titles(sector="animation-x") == [LIVE_BRIEF["title"]]
    assert titles(skill="rigging-x") == [LIVE_BRIEF["title"]]
    assert titles(organisation="pixel-forge") == ["Studio workshop"]
    assert titles(remote="on") == ["Remote research", "Studio workshop"]
    assert titles(deadline_soon="on") == ["Remote research"]
    assert titles(show="all") == sorted([*everything_open, "Closed early"])
    # A filter that cannot be understood shows the problem and the default list.
    response = client.get(reverse("projects:browse"), {"sector": "no-such-sector"})
    assert response.status_code == 200
    assert "There is a problem" in html(response)


def test_browse_search_finds_a_word_in_the_description(client, lecturer, university, make_call):
    if not is_postgres():
        needs_service("PostgreSQL", "full-text search with ranking runs on PostgreSQL only")
    make_call(lecturer, university, description="Students animate **lighthouses** at dusk.")
    make_call(lecturer, university, title="Something else", description="Typography work.")
    response = client.get(reverse("projects:browse"), {"q": "lighthouse"})  # stemmed
    assert [o.title for o in response.context["page"].object_list] == [LIVE_BRIEF["title"]]
    assert "best matches first" in html(response)
    response = client.get(reverse("projects:browse"), {"q": "zeppelin"})
    assert "No opportunities match these filters." in html(response)


def test_browse_empty_state(client, studio_owner):
    client.force_login(studio_owner)
    page = html(client.get(reverse("projects:browse")))
    assert "No calls are open right now." in page
    assert reverse("projects:opportunity_create") in page  # a verified member may post


def _many_calls(university, lecturer, count: int) -> None:
    sectors = [SectorFactory(), SectorFactory()]
    skills = [SkillFactory(), SkillFactory()]
    now = timezone.now()
    calls = Opportunity.objects.bulk_create(
        [
            Opportunity(
                organisation=university,
                created_by=lecturer,
                contact=lecturer,
                kind="live_brief" if n % 2 else "workshop",
                title=f"Call number {n}",
                summary="A summary",
                description="A description",
                deadline=future(20 + n % 9),
                status=OpportunityStatus.OPEN,
                published_at=now,
                is_paid=bool(n % 2),
                payment_details="£100" if n % 2 else "",
                ip_ownership="Students",
                student_credit="Named",
                deliverables="Posters",
            )
            for n in range(count)
        ]
    )
    Opportunity.sectors.through.objects.bulk_create(
        [Opportunity.sectors.through(opportunity=c, sector=s) for c in calls for s in sectors]
    )
    Opportunity.skills.through.objects.bulk_create(
        [Opportunity.skills.through(opportunity=c, skill=s) for c in calls for s in skills]
    )
    if is_postgres():
        Opportunity.objects.update(search_vector=weighted_vector(Opportunity.SEARCH_WEIGHTS))


# Session, user, memberships, count, page, two prefetches, three filter lists, profile.
BROWSE_QUERIES = 12  # +1: notification bell


@pytest.mark.parametrize("rows", [5, 200])
def test_browse_query_count_is_constant(
    client, studio_owner, university, lecturer, rows, django_assert_max_num_queries
):
    _many_calls(university, lecturer, rows)
    client.force_login(studio_owner)
    with django_assert_max_num_queries(BROWSE_QUERIES):
        response = client.get(reverse("projects:browse"), {"q": "call" if rows > 5 else ""})
    assert len(response.context["page"].object_list) == min(rows, 20)
    assert "Call number" in html(response)


# --- Detail ---------------------------------------------------------------------------------


def test_detail_shows_the_terms_prominently(client, call):
    response = client.get(reverse("projects:opportunity", args=[call.pk]))
    assert response.status_code == 200
    page = html(response)
    terms = page[page.index('id="terms-title"') : page.index('id="about-title"')]
    for text in ("Students keep their IP", "Named on the museum", "Logo, type system",
                 "Paid: £300 for each of the three finalists"):  # fmt: skip
        assert text in terms
    assert "<strong>live brief</strong>" in page  # the description is Markdown


def test_markdown_is_sanitised(client, lecturer, university, make_call):
    call = make_call(
        lecturer, university,
        description="Hi <script>alert('x')</script> [click](javascript:alert(1)) "
        '<img src=x onerror="alert(2)"> [ok](https://example.org)',
    )  # fmt: skip
    page = html(client.get(reverse("projects:opportunity", args=[call.pk])))
    about = page[page.index('id="about-title"') :]
    assert "<script>alert" not in about
    assert "javascript:" not in about
    assert "onerror" not in about
    assert 'href="https://example.org"' in about


def test_drafts_are_invisible_to_outsiders(client, draft, lecturer, studio_owner, platform_admin):
    url = reverse("projects:opportunity", args=[draft.pk])
    assert client.get(url).status_code == 404
    client.force_login(studio_owner)
    assert client.get(url).status_code == 404
    client.force_login(platform_admin)
    assert client.get(url).status_code == 200
    client.force_login(lecturer)
    response = client.get(url)
    assert response.status_code == 200
    assert "Only members of Northbridge University can see this call." in html(response)


def test_members_only_calls_send_anonymous_visitors_to_log_in(
    client, lecturer, university, make_call, student
):
    call = make_call(lecturer, university, visibility="members")
    url = reverse("projects:opportunity", args=[call.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(student)
    assert client.get(url).status_code == 200


def _buttons(page: str) -> set[str]:
    return set(re.findall(r'/status/(\w+)/"', page))


def test_managers_see_only_the_valid_status_actions(client, lecturer, draft, call):
    client.force_login(lecturer)
    page = html(client.get(reverse("projects:opportunity", args=[draft.pk])))
    assert _buttons(page) == {"publish", "cancel"}
    page = html(client.get(reverse("projects:opportunity", args=[call.pk])))
    assert _buttons(page) == {"close", "cancel"}
    assert "Edit the call" in page
    services.opportunity_close(actor=lecturer, opportunity=call)
    page = html(client.get(reverse("projects:opportunity", args=[call.pk])))
    assert _buttons(page) == {"reopen", "cancel"}
    history = page[page.index('id="history-title"') :]
    assert "Reviewing proposals" in history and "Lena" in history  # who moved it, and when


def test_other_side_sees_propose_then_their_proposal_status(
    client, call, studio_member, studio_owner, studio, propose
):
    client.force_login(studio_member)
    url = reverse("projects:opportunity", args=[call.pk])
    page = html(client.get(url))
    assert reverse("projects:proposal_create", args=[call.pk]) in page
    assert _buttons(page) == set()
    proposal = propose(studio_owner, call, studio)
    page = html(client.get(url))
    assert reverse("projects:proposal_create", args=[call.pk]) not in page
    assert reverse("projects:proposal", args=[proposal.pk]) in page
    assert "Your proposal" in page and ">New<" in page


def test_call_owners_see_the_proposals_with_quick_decisions(client, lecturer, ours, theirs):
    client.force_login(lecturer)
    page = html(client.get(reverse("projects:opportunity", args=[ours.opportunity_id])))
    assert "Pixel Forge" in page and "Other Studio" in page
    assert page.count(reverse("projects:proposal_decide", args=[ours.pk])) == 1
    assert 'value="shortlist"' in page and 'value="accept"' in page


def test_same_side_and_unverified_people_are_told_why_they_cannot_propose(
    client, call, pending_owner
):
    client.force_login(pending_owner)
    page = html(client.get(reverse("projects:opportunity", args=[call.pk])))
    assert "Only members of a verified industry partner can propose" in page
    assert reverse("projects:proposal_create", args=[call.pk]) not in page


# --- Create and edit ------------------------------------------------------------------------


def test_lecturer_posts_and_publishes_a_live_brief(client, lecturer, university):
    lecturer.profile.timezone = "America/New_York"
    lecturer.profile.save()
    sector, skill = SectorFactory(name="Design X"), SkillFactory(name="Typography X")
    client.force_login(lecturer)
    page = html(client.get(reverse("projects:opportunity_create")))
    assert 'type="datetime-local"' in page and "America/New_York" in page
    assert 'data-filterable="true"' in page
    data = call_form(
        university, lecturer, deadline="2031-03-01T17:30", sectors=[sector.pk], skills=[skill.pk],
        publish="1",
    )  # fmt: skip
    response = client.post(reverse("projects:opportunity_create"), data)
    assert response.status_code == 302
    call = Opportunity.objects.get()
    assert response["Location"] == reverse("projects:opportunity", args=[call.pk])
    assert call.status == "open" and call.published_at is not None
    assert call.organisation == university and call.contact == lecturer
    assert list(call.sectors.all()) == [sector] and list(call.skills.all()) == [skill]
    # 17:30 in New York on 1 March is 22:30 UTC.
    assert call.deadline == datetime(2031, 3, 1, 22, 30, tzinfo=UTC)


def test_save_draft(client, lecturer, university):
    client.force_login(lecturer)
    response = client.post(reverse("projects:opportunity_create"), call_form(university, lecturer))
    assert response.status_code == 302
    assert Opportunity.objects.get().status == "draft"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ip_ownership": ""}, "ip_ownership", "A live brief must state who owns the resulting IP"),
        ({"deliverables": "  "}, "deliverables", "A live brief must state the deliverables"),
        ({"payment_details": ""}, "payment_details", "Say how much students are paid"),
        ({"title": ""}, "title", "This field is required"),
        ({"kind": "spaceship"}, "kind", "Select a valid choice"),
        ({"deadline": "next tuesday"}, "deadline", "Enter a valid date/time"),
    ],
)
def test_invalid_calls_keep_input_and_answer_400(
    client, lecturer, university, overrides, field, message
):
    client.force_login(lecturer)
    data = call_form(university, lecturer, summary="My carefully typed summary", **overrides)
    response = client.post(reverse("projects:opportunity_create"), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert "My carefully typed summary" in html(response)
    assert "There is a problem" in html(response)
    assert not Opportunity.objects.exists()


def test_publishing_with_a_past_deadline_saves_nothing(client, lecturer, university):
    client.force_login(lecturer)
    data = call_form(university, lecturer, deadline=local_input(future(-1)), publish="1")
    response = client.post(reverse("projects:opportunity_create"), data)
    assert response.status_code == 400
    assert "deadline in the future" in " ".join(response.context["form"].errors["deadline"])
    assert not Opportunity.objects.exists()


def test_the_contact_must_be_a_member_of_the_organisation(
    client, lecturer, university, studio_owner
):
    client.force_login(lecturer)
    response = client.post(
        reverse("projects:opportunity_create"), call_form(university, studio_owner)
    )
    assert response.status_code == 400
    assert "contact" in response.context["form"].errors
    assert "Oscar" not in html(response)  # not even offered as a choice
    assert not Opportunity.objects.exists()


def test_several_organisations_give_a_choice(client, lecturer, university):
    second = OrganisationFactory(kind=Kind.INSTITUTION, name="Second College", slug="second")
    MembershipFactory(organisation=second, user=lecturer)
    client.force_login(lecturer)
    page = html(client.get(reverse("projects:opportunity_create")))
    assert '<select name="organisation"' in page and "Second College" in page
    response = client.post(reverse("projects:opportunity_create"), call_form(second, lecturer))
    assert response.status_code == 302
    assert Opportunity.objects.get().organisation == second


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("student", 403), ("pending_owner", 403), ("industry_newcomer", 403)],
)
def test_only_members_of_verified_organisations_post(client, request, persona, status):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("projects:opportunity_create")).status_code == status
    response = client.post(reverse("projects:opportunity_create"), {"title": "Sneaky"})
    assert response.status_code == status
    assert not Opportunity.objects.exists()


def test_edit_a_published_call(client, lecturer, university, call):
    client.force_login(lecturer)
    url = reverse("projects:opportunity_edit", args=[call.pk])
    page = html(client.get(url))
    assert "The kind of a published call cannot change." in page
    assert "Save and publish" not in page
    data = call_form(university, lecturer, title="A better title", kind="research")
    response = client.post(url, data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.title, call.kind, call.status) == ("A better title", "live_brief", "open")


def test_edit_keeps_input_when_the_service_refuses(client, lecturer, university, call):
    client.force_login(lecturer)
    url = reverse("projects:opportunity_edit", args=[call.pk])
    data = call_form(university, lecturer, title="Typed title", deadline=local_input(future(-2)))
    response = client.post(url, data)
    assert response.status_code == 400
    assert "must be in the future" in " ".join(response.context["form"].errors["deadline"])
    assert "Typed title" in html(response)
    call.refresh_from_db()
    assert call.title == LIVE_BRIEF["title"]


def test_publish_a_draft_from_the_edit_form(client, lecturer, university, draft):
    client.force_login(lecturer)
    data = call_form(university, lecturer, title="Now ready", publish="1")
    response = client.post(reverse("projects:opportunity_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Now ready", "open")


def test_cancelled_calls_cannot_be_edited(client, lecturer, university, call):
    services.opportunity_cancel(actor=lecturer, opportunity=call)
    client.force_login(lecturer)
    url = reverse("projects:opportunity_edit", args=[call.pk])
    assert client.get(url).status_code == 409
    response = client.post(url, call_form(university, lecturer, title="Zombie"))
    assert response.status_code == 409
    call.refresh_from_db()
    assert call.title == LIVE_BRIEF["title"]


# --- Status changes -------------------------------------------------------------------------


def _transition(client, call, action):
    return client.post(reverse("projects:opportunity_transition", args=[call.pk, action]))


def _status(call) -> str:
    return Opportunity.objects.get(pk=call.pk).status


def test_every_status_change_through_the_pages(
    client, lecturer, draft, studio_owner, studio, propose
):
    client.force_login(lecturer)
    for action, expected in [("publish", "open"), ("close", "reviewing"), ("reopen", "open")]:
        response = _transition(client, draft, action)
        assert response.status_code == 302, html(response)
        assert _status(draft) == expected
    proposal = propose(studio_owner, draft, studio)
    response = client.post(
        reverse("projects:proposal_decide", args=[proposal.pk]), {"decision": "accept"}
    )
    assert response.status_code == 302
    assert _status(draft) == "agreed"
    for action, expected in [("start", "in_progress"), ("complete", "completed")]:
        assert _transition(client, draft, action).status_code == 302
        assert _status(draft) == expected
    page = html(client.get(reverse("projects:opportunity", args=[draft.pk])))
    assert "No further status changes are possible." in page


def test_cancel_with_a_reason_tells_the_proposers(
    client, lecturer, ours, studio_owner, django_capture_on_commit_callbacks
):
    client.force_login(lecturer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:opportunity_transition", args=[ours.opportunity_id, "cancel"]),
            {"reason": "The museum closed."},
        )
    assert response.status_code == 302
    assert _status(ours.opportunity) == "cancelled"
    assert ours.opportunity.transitions.last().note == "The museum closed."
    assert [m.to for m in mail.outbox] == [[studio_owner.email]]
    ours.refresh_from_db()
    assert ours.status == "declined"


@pytest.mark.parametrize(
    ("setup", "action", "message"),
    [
        ([], "start", "cannot become in progress"),
        ([], "publish", "cannot become open for proposals"),
        ([], "complete", "cannot become completed"),
        (["opportunity_cancel"], "reopen", "cannot become open for proposals"),
        (["opportunity_close"], "close", "cannot become reviewing"),
    ],
)
def test_invalid_status_changes_answer_409_and_change_nothing(
    client, lecturer, call, setup, action, message
):
    for step in setup:
        getattr(services, step)(actor=lecturer, opportunity=call)
    before = _status(call)
    client.force_login(lecturer)
    response = _transition(client, call, action)
    assert response.status_code == 409
    assert message in html(response)
    assert _status(call) == before


def test_a_draft_cannot_be_reopened_instead_of_published(client, lecturer, draft):
    client.force_login(lecturer)
    response = _transition(client, draft, "reopen")
    assert response.status_code == 409
    assert "A draft is published, not reopened." in html(response)
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == ("draft", None)


def test_status_changes_by_outsiders(client, call, draft, studio_owner):
    client.force_login(studio_owner)
    response = _transition(client, call, "cancel")
    assert response.status_code == 403
    assert "Only members of Northbridge University can change this call." in html(response)
    assert _status(call) == "open"
    assert _transition(client, draft, "publish").status_code == 404
    assert _status(draft) == "draft"
    assert _transition(client, call, "explode").status_code == 404
    assert client.get(
        reverse("projects:opportunity_transition", args=[call.pk, "close"])
    ).status_code == 405  # fmt: skip


# --- Proposals ------------------------------------------------------------------------------


def proposal_form(organisation, **overrides) -> dict:
    data = {"organisation": organisation.pk, **PROPOSAL, **overrides}
    return {k: v for k, v in data.items() if v is not None}


def test_studio_member_proposes_with_a_pdf(
    client, call, studio_member, studio, lecturer, django_capture_on_commit_callbacks
):
    client.force_login(studio_member)
    url = reverse("projects:proposal_create", args=[call.pk])
    page = html(client.get(url))
    assert "Proposing on behalf of <strong>Pixel Forge</strong>" in page
    assert 'accept="application/pdf,.pdf"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, proposal_form(studio, attachment=pdf()))
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:proposal", args=[proposal.pk])
    assert (proposal.organisation, proposal.submitted_by) == (studio, studio_member)
    assert proposal.attachment.name.startswith("private/proposals/")
    assert [m.to for m in mail.outbox] == [[lecturer.email]]
    assert "New proposal from Pixel Forge" in mail.outbox[0].subject
    assert mail.outbox[0].alternatives  # an HTML part too


def test_proposal_form_keeps_input_on_error(client, call, studio_member, studio):
    client.force_login(studio_member)
    data = proposal_form(studio, approach="", team="Our carefully described team")
    response = client.post(reverse("projects:proposal_create", args=[call.pk]), data)
    assert response.status_code == 400
    assert "approach" in response.context["form"].errors
    assert "Our carefully described team" in html(response)
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("portfolio.pdf", EXECUTABLE), "not a PDF document"),
        (SimpleUploadedFile("portfolio.exe", MINIMAL_PDF), "Upload a PDF document"),
    ],
)
def test_disguised_attachments_are_refused(client, call, studio_member, studio, upload, message):
    client.force_login(studio_member)
    data = proposal_form(studio, attachment=upload)
    response = client.post(reverse("projects:proposal_create", args=[call.pk]), data)
    assert response.status_code == 400
    assert message in html(response)
    assert PROPOSAL["team"] in html(response)
    assert not Proposal.objects.exists()
    assert private_files() == []


def test_oversized_attachments_are_refused(client, call, studio_member, studio, settings):
    settings.MAX_DOCUMENT_UPLOAD_BYTES = 100
    client.force_login(studio_member)
    big = pdf(content=MINIMAL_PDF + b" " * 200)
    response = client.post(
        reverse("projects:proposal_create", args=[call.pk]), proposal_form(studio, attachment=big)
    )
    assert response.status_code == 400
    assert "the limit is 100" in html(response)
    assert not Proposal.objects.exists()
    assert private_files() == []


def test_a_second_live_proposal_answers_409_and_keeps_the_text(client, ours, studio_member, studio):
    client.force_login(studio_member)
    data = proposal_form(studio, team="A different team")
    response = client.post(reverse("projects:proposal_create", args=[ours.opportunity_id]), data)
    assert response.status_code == 409
    assert "already has a live proposal" in html(response)
    assert "A different team" in html(response)
    assert Proposal.objects.count() == 1


def test_proposing_to_a_closed_call_or_from_the_same_side(client, lecturer, call, studio_owner):
    services.opportunity_close(actor=lecturer, opportunity=call)
    client.force_login(studio_owner)
    url = reverse("projects:proposal_create", args=[call.pk])
    assert client.get(url).status_code == 409
    client.force_login(lecturer)
    response = client.get(url)
    assert response.status_code == 403
    assert "verified industry partner" in html(response)


def test_start_from_a_saved_proposal_and_save_text_for_reuse(
    client, call, studio_member, studio, studio_owner
):
    mine = services.saved_proposal_save(
        actor=studio_member, name="Museum pitch", team="Saved team", approach="Saved approach",
        experience="Saved experience", availability="Saved availability",
    )  # fmt: skip
    others = services.saved_proposal_save(actor=studio_owner, name="Oscar's", team="Oscar team")
    client.force_login(studio_member)
    url = reverse("projects:proposal_create", args=[call.pk])
    page = html(client.get(url))
    assert "Start from a saved proposal" in page and "Oscar&#x27;s" not in page
    page = html(client.get(url, {"from": mine.pk}))
    assert "Saved team" in page and "Saved approach" in page
    assert client.get(url, {"from": others.pk}).status_code == 404
    assert client.get(url, {"from": "x"}).status_code == 404

    # Saving the text under a name that is taken refuses the whole proposal, text kept.
    response = client.post(url, proposal_form(studio, save_as="Museum pitch"))
    assert response.status_code == 409
    assert "already have a saved proposal" in " ".join(response.context["form"].errors["save_as"])
    assert not Proposal.objects.exists()

    response = client.post(url, proposal_form(studio, save_as="Generic pitch"))
    assert response.status_code == 302
    saved = SavedProposal.objects.get(owner=studio_member, name="Generic pitch")
    assert saved.approach == PROPOSAL["approach"]
    assert Proposal.objects.count() == 1


def test_proposal_page_for_each_side(client, ours, theirs, lecturer, studio_member, other_owner):
    url = reverse("projects:proposal", args=[ours.pk])
    assert client.get(url).status_code == 302  # anonymous: log in first
    client.force_login(other_owner)
    assert client.get(url).status_code == 404  # a competing proposer
    client.force_login(studio_member)
    page = html(client.get(url))
    assert PROPOSAL["approach"] in page
    assert "Where it stands" in page
    assert "Northbridge University has not decided yet." in page
    assert "Withdraw the proposal" in page and "Your decision" not in page
    client.force_login(lecturer)
    page = html(client.get(url))
    assert "Your decision" in page and "Withdraw the proposal" not in page


def test_attachment_download_is_a_safe_attachment(client, ours, lecturer, other_owner):
    ours.attachment.save("whatever.pdf", ContentFile(MINIMAL_PDF))
    url = reverse("projects:proposal_attachment", args=[ours.pk])
    client.force_login(other_owner)
    assert client.get(url).status_code == 404
    client.force_login(lecturer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    assert response["Content-Disposition"] == (
        f'attachment; filename="Pixel-Forge-proposal-{ours.pk}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_decisions_through_the_pages(
    client, lecturer, ours, theirs, studio_owner, other_owner, django_capture_on_commit_callbacks
):
    client.force_login(lecturer)
    url = reverse("projects:proposal_decide", args=[ours.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"decision": "shortlist", "message": "Love it.", "return_to": "opportunity"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:opportunity", args=[ours.opportunity_id])
    ours.refresh_from_db()
    assert (ours.status, ours.message_to_proposer) == ("shortlisted", "Love it.")
    assert mail.outbox[-1].to == [studio_owner.email] and "Love it." in mail.outbox[-1].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "accept"})
    assert response["Location"] == reverse("projects:proposal", args=[ours.pk])
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.status, theirs.status) == ("accepted", "declined")
    partnership = Partnership.objects.get()
    recipients = {tuple(m.to): m.subject for m in mail.outbox}
    assert "is accepted" in recipients[(studio_owner.email,)]
    assert "About your proposal" in recipients[(other_owner.email,)]
    accepted = next(m for m in mail.outbox if m.to == [studio_owner.email])
    assert reverse("projects:partnership", args=[partnership.pk]) in accepted.body

    # Nothing more can be decided; the page says so and the data stays.
    response = client.post(reverse("projects:proposal_decide", args=[theirs.pk]),
                           {"decision": "accept"})  # fmt: skip
    assert response.status_code == 409
    assert "can be accepted while the call is open" in html(response)
    theirs.refresh_from_db()
    assert theirs.status == "declined"
    page = html(client.get(reverse("projects:proposal", args=[ours.pk])))
    assert "Your decision" not in page and "Open the partnership" in page


def test_decline_with_a_message_and_a_bad_decision(client, lecturer, ours):
    client.force_login(lecturer)
    url = reverse("projects:proposal_decide", args=[ours.pk])
    assert client.post(url, {"decision": "promote"}).status_code == 400
    ours.refresh_from_db()
    assert ours.status == "new"
    response = client.post(url, {"decision": "decline", "message": "Not this time."})
    assert response.status_code == 302
    page = html(client.get(reverse("projects:proposal", args=[ours.pk])))
    assert "Not this time." in page and "Declined by Northbridge University." in page


def test_proposers_cannot_decide_and_owners_cannot_withdraw(client, ours, studio_owner, lecturer):
    client.force_login(studio_owner)
    response = client.post(
        reverse("projects:proposal_decide", args=[ours.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403
    client.force_login(lecturer)
    assert client.post(reverse("projects:proposal_withdraw", args=[ours.pk])).status_code == 403
    ours.refresh_from_db()
    assert ours.status == "new"
    assert not Partnership.objects.exists()


def test_withdraw_through_the_page(client, ours, studio_member):
    client.force_login(studio_member)
    url = reverse("projects:proposal_withdraw", args=[ours.pk])
    assert client.post(url).status_code == 302
    ours.refresh_from_db()
    assert ours.status == "withdrawn"
    assert client.post(url).status_code == 409
    page = html(client.get(reverse("projects:proposal", args=[ours.pk])))
    assert "Withdrawn by the proposer." in page


def test_my_proposals_lists_stages(client, ours, studio_member, lecturer, other_owner):
    services.proposal_shortlist(actor=lecturer, proposal=ours)
    client.force_login(studio_member)
    response = client.get(reverse("projects:my_proposals"))
    page = html(response)
    assert LIVE_BRIEF["title"] in page and "Shortlisted" in page
    client.force_login(other_owner)
    assert "No proposals yet." in html(client.get(reverse("projects:my_proposals")))


def test_saved_proposals_pages(client, studio_member, studio_owner):
    client.force_login(studio_member)
    assert "No saved texts yet." in html(client.get(reverse("projects:saved_proposals")))
    response = client.post(reverse("projects:saved_proposal_create"), {"name": "", "team": "T"})
    assert response.status_code == 400 and "name" in response.context["form"].errors
    response = client.post(
        reverse("projects:saved_proposal_create"), {"name": "Pitch", "team": "Our team"}
    )
    assert response.status_code == 302
    saved = SavedProposal.objects.get(owner=studio_member)
    edit = reverse("projects:saved_proposal_edit", args=[saved.pk])
    assert "Our team" in html(client.get(edit))
    assert client.post(edit, {"name": "Pitch v2", "team": "New team"}).status_code == 302
    saved.refresh_from_db()
    assert (saved.name, saved.team) == ("Pitch v2", "New team")
    services.saved_proposal_save(actor=studio_member, name="Other")
    response = client.post(edit, {"name": "Other", "team": "Clash"})
    assert response.status_code == 409 and "already have a saved proposal" in html(response)

    client.force_login(studio_owner)  # someone else's text is invisible
    assert client.get(edit).status_code == 404
    delete = reverse("projects:saved_proposal_delete", args=[saved.pk])
    assert client.post(delete).status_code == 404
    client.force_login(studio_member)
    assert client.post(delete).status_code == 302
    assert not SavedProposal.objects.filter(pk=saved.pk).exists()


# --- Partnerships ---------------------------------------------------------------------------


def test_partnership_list_and_detail(client, partnership, lecturer, studio_owner, other_owner):
    client.force_login(studio_owner)
    page = html(client.get(reverse("projects:partnerships")))
    assert "Games research lab" in page
    url = reverse("projects:partnership", args=[partnership.pk])
    page = html(client.get(url))
    assert "Northbridge University" in page and "Pixel Forge" in page
    contacts = page[page.index('id="contacts-title"') : page.index('id="timeline-title"')]
    assert "Lena" in contacts and "Oscar" in contacts  # named contacts on both sides
    assert ">Active<" in page
    client.force_login(other_owner)
    assert "No partnerships yet." in html(client.get(reverse("projects:partnerships")))
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_partnership_timeline_shows_the_agreed_call(client, lecturer, ours):
    services.proposal_accept(actor=lecturer, proposal=ours)
    partnership = Partnership.objects.get()
    client.force_login(lecturer)
    page = html(client.get(reverse("projects:partnership", args=[partnership.pk])))
    timeline = page[page.index('id="timeline-title"') :]
    assert LIVE_BRIEF["title"] in timeline and "Agreed" in timeline


def test_propose_a_partnership_from_an_organisation_page(
    client, lecturer, studio, studio_owner, other_owner, django_capture_on_commit_callbacks
):
    client.force_login(lecturer)
    page = html(client.get(reverse("organisations:detail", args=[studio.slug])))
    propose_url = reverse("projects:partnership_propose") + "?to=pixel-forge"
    assert propose_url in page and "Propose a partnership" in page
    response = client.get(propose_url)
    assert response.context["form"]["to_organisation"].value() == studio.pk
    assert "Northbridge University × Pixel Forge" in html(response)
    options = response.context["form"].fields["to_organisation"].queryset
    assert set(options.values_list("kind", flat=True)) == {"industry"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:partnership_propose"),
            {"to_organisation": studio.pk, "title": "Placements",
             "from_organisation": lecturer.memberships.get().organisation_id},
        )  # fmt: skip
    partnership = Partnership.objects.get()
    assert response["Location"] == reverse("projects:partnership", args=[partnership.pk])
    assert partnership.status == "proposed"
    assert [m.to for m in mail.outbox] == [[studio_owner.email]]

    # Same kind: no button.
    client.force_login(other_owner)
    assert "Propose a partnership" not in html(
        client.get(reverse("organisations:detail", args=[studio.slug]))
    )


def test_partnership_propose_errors_keep_input(client, lecturer, university, studio):
    client.force_login(lecturer)
    data = {
        "from_organisation": university.pk, "to_organisation": studio.pk, "title": "Typed title",
        "start_date": "2030-05-01", "end_date": "2030-04-01",
    }  # fmt: skip
    response = client.post(reverse("projects:partnership_propose"), data)
    assert response.status_code == 400
    assert "end date" in " ".join(response.context["form"].errors["end_date"])
    assert "Typed title" in html(response)
    assert not Partnership.objects.exists()


def test_people_without_a_verified_organisation_cannot_propose(client, student, pending_owner):
    for person in (student, pending_owner):
        client.force_login(person)
        assert client.get(reverse("projects:partnership_propose")).status_code == 403


def test_confirm_and_decline_through_the_pages(client, lecturer, studio_owner, studio, university):
    first = services.partnership_propose(
        actor=studio_owner, from_organisation=studio, to_organisation=university, title="One"
    )
    client.force_login(studio_owner)  # the proposing side cannot confirm its own proposal
    page = html(client.get(reverse("projects:partnership", args=[first.pk])))
    assert "Confirm the partnership" not in page and "Withdraw the proposal" in page
    url = reverse("projects:partnership_status", args=[first.pk, "confirm"])
    assert client.post(url).status_code == 403
    first.refresh_from_db()
    assert first.status == "proposed"
    client.force_login(lecturer)
    page = html(client.get(reverse("projects:partnership", args=[first.pk])))
    assert "Confirm the partnership" in page and "Withdraw the proposal" not in page
    assert client.post(url).status_code == 302
    first.refresh_from_db()
    assert first.status == "active"
    assert client.post(url).status_code == 409  # already confirmed
    services.partnership_set_status(actor=lecturer, partnership=first, status="ended")
    second = services.partnership_propose(
        actor=studio_owner, from_organisation=studio, to_organisation=university, title="Two"
    )
    response = client.post(reverse("projects:partnership_status", args=[second.pk, "decline"]))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "ended"


def test_pause_resume_end(client, partnership, lecturer, studio_member):
    client.force_login(studio_member)

    def act(action):
        return client.post(reverse("projects:partnership_status", args=[partnership.pk, action]))

    assert act("resume").status_code == 409
    assert act("pause").status_code == 302
    partnership.refresh_from_db()
    assert partnership.status == "paused"
    assert act("resume").status_code == 302
    assert act("end").status_code == 302
    partnership.refresh_from_db()
    assert partnership.status == "ended" and partnership.end_date is not None
    assert act("pause").status_code == 409
    assert act("bogus").status_code == 404
    partnership.refresh_from_db()
    assert partnership.status == "ended"


def test_edit_partnership_with_contacts_from_each_side(
    client, partnership, lecturer, studio_owner, studio_member, other_owner
):
    client.force_login(lecturer)
    url = reverse("projects:partnership_edit", args=[partnership.pk])
    page = html(client.get(url))
    assert "Contacts at Pixel Forge" in page and "Mia" in page and "Olga" not in page
    data = {
        "title": "Renamed", "description": "We make games.", "start_date": "2030-01-01",
        "end_date": "2030-12-31", "institution_contacts": [lecturer.pk],
        "industry_contacts": [studio_owner.pk, studio_member.pk],
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    partnership.refresh_from_db()
    assert partnership.title == "Renamed"
    assert set(partnership.industry_contacts.all()) == {studio_owner, studio_member}

    bad = {**data, "title": "Typed", "industry_contacts": [other_owner.pk]}
    response = client.post(url, bad)
    assert response.status_code == 400 and "industry_contacts" in response.context["form"].errors
    bad = {**data, "title": "Typed", "end_date": "2029-01-01"}
    response = client.post(url, bad)
    assert response.status_code == 400 and "end date" in html(response)
    assert "Typed" in html(response)
    partnership.refresh_from_db()
    assert partnership.title == "Renamed"

    client.force_login(other_owner)
    assert client.get(url).status_code == 404


def test_agreement_upload_and_download(
    client, partnership, lecturer, studio_owner, studio_member, other_owner, platform_admin
):
    upload = reverse("projects:agreement_upload", args=[partnership.pk])
    download = reverse("projects:agreement", args=[partnership.pk])
    client.force_login(lecturer)
    assert client.get(download).status_code == 404  # nothing uploaded yet
    response = client.post(upload, {"agreement": pdf("signed.pdf")})
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.agreement.name.startswith("private/agreements/")

    for person in (lecturer, studio_member, platform_admin):
        client.force_login(person)
        response = client.get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == MINIMAL_PDF
        assert response["Content-Disposition"] == (
            'attachment; filename="Games-research-lab-agreement.pdf"'
        )
        assert response["Content-Type"] == "application/pdf"
    client.force_login(other_owner)
    assert client.get(download).status_code == 404
    client.logout()
    response = client.get(download)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    # Nothing serves private/ directly.
    assert client.get(f"/media/{partnership.agreement.name}").status_code == 404


def test_agreement_upload_refusals(client, partnership, studio_member, studio_owner, settings):
    upload = reverse("projects:agreement_upload", args=[partnership.pk])
    client.force_login(studio_member)  # a member, not an owner or admin
    assert client.get(upload).status_code == 403
    assert client.post(upload, {"agreement": pdf()}).status_code == 403
    client.force_login(studio_owner)
    response = client.post(upload, {"agreement": SimpleUploadedFile("a.pdf", EXECUTABLE)})
    assert response.status_code == 400 and "not a PDF document" in html(response)
    settings.MAX_DOCUMENT_UPLOAD_BYTES = 50
    response = client.post(upload, {"agreement": pdf()})
    assert response.status_code == 400 and "the limit is 50" in html(response)
    response = client.post(upload, {})
    assert response.status_code == 400
    partnership.refresh_from_db()
    assert not partnership.agreement
    assert private_files() == []


# --- Dashboards, navigation and emails ------------------------------------------------------


def test_university_dashboard_panels(client, lecturer, ours, draft):
    client.force_login(lecturer)
    page = html(client.get(reverse("dashboard")))
    assert "Your organisations’ calls" in page
    assert LIVE_BRIEF["title"] in page and "1 live proposal" in page and "0 live proposals" in page
    assert "Review proposals" in page
    assert "No partnerships yet." in page
    services.proposal_accept(actor=lecturer, proposal=ours)
    page = html(client.get(reverse("dashboard")))
    assert "Northbridge University × Pixel Forge" in page


def test_industry_dashboard_panels(client, studio_member, ours, lecturer):
    client.force_login(studio_member)
    page = html(client.get(reverse("dashboard")))
    assert "No calls yet — post a live brief" in page
    assert "Your proposals" in page and LIVE_BRIEF["title"] in page and ">New<" in page
    services.proposal_accept(actor=lecturer, proposal=ours)
    page = html(client.get(reverse("dashboard")))
    assert ">Accepted<" in page and "Northbridge University × Pixel Forge" in page


def test_admin_dashboard_shows_partnerships_on_tandem(client, platform_admin, partnership):
    client.force_login(platform_admin)
    page = html(client.get(reverse("dashboard")))
    assert "Partnerships on Tandem" in page and "Games research lab" in page


def test_navigation_links(client, student):
    page = html(client.get(reverse("home")))
    assert reverse("projects:browse") in page and reverse("projects:partnerships") not in page
    client.force_login(student)
    page = html(client.get(reverse("projects:browse")))
    assert reverse("projects:partnerships") in page
    assert f'href="{reverse("projects:browse")}" aria-current="page"' in page


def test_every_email_renders(
    lecturer, university, studio, studio_owner, make_call, propose,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        call = make_call(lecturer, university)
        proposal = propose(studio_owner, call, studio)
        services.proposal_shortlist(actor=lecturer, proposal=proposal, message="Nice <b>work</b>")
        services.proposal_decline(actor=lecturer, proposal=proposal, message="Sorry")
        second = make_call(lecturer, university, title="Second call")
        waiting = propose(studio_owner, second, studio)
        Proposal.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(9))
        services.proposals_nudge_owners(days=7)
        services.proposal_accept(actor=lecturer, proposal=waiting)
        third = make_call(lecturer, university, title="Third call")
        Opportunity.objects.filter(pk=third.pk).update(deadline=timezone.now() - timedelta(1))
        services.opportunities_close_expired()
        services.partnership_set_status(
            actor=lecturer, partnership=Partnership.objects.get(), status="ended"
        )
        proposed = services.partnership_propose(
            actor=studio_owner, from_organisation=studio, to_organisation=university, title="P2"
        )
        services.partnership_confirm(actor=lecturer, partnership=proposed)
    subjects = [m.subject for m in mail.outbox]
    expected = [
        "New proposal from Pixel Forge", "is shortlisted", "About your proposal",
        "waiting for an answer", "is accepted", "has closed without proposals",
        "Pixel Forge proposes a partnership", "Partnership confirmed: P2",
    ]  # fmt: skip
    for fragment in expected:
        assert any(fragment in s for s in subjects), (fragment, subjects)
    for message in mail.outbox:
        assert "{%" not in message.body and "{{" not in message.body
        assert message.alternatives and "<html" in message.alternatives[0][0]
    shortlisted = next(m for m in mail.outbox if "shortlisted" in m.subject)
    assert "Nice <b>work</b>" in shortlisted.body  # plain text is not escaped
    assert "Nice &lt;b&gt;work&lt;/b&gt;" in shortlisted.alternatives[0][0]


PAGES_FOR_CSP = [
    "projects:browse", "projects:opportunity", "projects:opportunity_edit",
    "projects:opportunity_create", "projects:proposal", "projects:proposal_create",
    "projects:partnership", "projects:partnership_edit", "projects:partnerships",
]  # fmt: skip


def test_pages_are_ready_for_a_strict_csp(client, platform_admin, ours, partnership):
    """No inline scripts, inline styles or event-handler attributes anywhere."""
    client.force_login(platform_admin)
    MembershipFactory(organisation=ours.organisation, user=platform_admin)
    args = {
        "projects:opportunity": [ours.opportunity_id],
        "projects:opportunity_edit": [ours.opportunity_id],
        "projects:proposal": [ours.pk],
        "projects:proposal_create": [ours.opportunity_id],
        "projects:partnership": [partnership.pk],
        "projects:partnership_edit": [partnership.pk],
    }
    for name in PAGES_FOR_CSP:
        response = client.get(reverse(name, args=args.get(name, [])))
        assert response.status_code in (200, 409), name
        page = html(response)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), name
        assert "<style" not in page and " style=" not in page, name
        assert not re.search(r"\son[a-z]+\s*=", page), name


def test_dashboard_asks_the_other_side_to_confirm(
    client, lecturer, studio_owner, studio, university
):
    services.partnership_propose(
        actor=studio_owner, from_organisation=studio, to_organisation=university, title="Lab"
    )
    client.force_login(lecturer)
    page = html(client.get(reverse("dashboard")))
    assert "waiting for your confirmation" in page and "Confirm or decline" in page
    client.force_login(studio_owner)
    page = html(client.get(reverse("dashboard")))
    assert "Lab" in page and "waiting for your confirmation" not in page
