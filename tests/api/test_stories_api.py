"""The success stories API: every role against every action, and what each role may read.

The world: Northbridge (Lena) and Pixel Forge (Oscar) are the sides of a partnership that Lena
nominated as a story. Sam is a Northbridge student (not a member of the organisation); Olga runs the
unrelated Other Studio; Ada curates. Stories the persona may not see answer 404, visible ones they
may not change 403, anonymous writes 401; every refusal is checked to leave the story unchanged.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from partnerships.core.models import Sector
from partnerships.projects.models import (
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Partnership,
    PartnershipStatus,
    Proposal,
    ProposalStatus,
)
from partnerships.stories import services
from partnerships.stories.models import (
    OutcomeFigure,
    Story,
    StoryApproval,
    StoryImage,
    StoryQuote,
    StoryStatus,
    TestimonialRequest,
)
from tests.placements.conftest import PlacementFactory
from tests.stories.conftest import image_file

pytestmark = pytest.mark.django_db

S = StoryStatus

# anonymous, a student, a member of an unrelated organisation, a side member, a curator
PERSONAS = ["anonymous", "student", "other_owner", "studio_owner", "platform_admin"]


def api_as(request, persona: str) -> APIClient:
    client = APIClient()
    if persona != "anonymous":
        client.force_authenticate(request.getfixturevalue(persona))
    return client


def table(**columns):
    """Expectations by persona, one value per persona (in PERSONAS order) for each column."""
    for name, values in columns.items():
        assert len(values) == len(PERSONAS), name
    return {p: {k: v[i] for k, v in columns.items()} for i, p in enumerate(PERSONAS)}


def snapshot(story: Story) -> dict:
    """Everything a refused call must leave as it was."""
    row = Story.objects.values(
        "status", "title", "slug", "summary", "body", "featured", "feature_order", "curator_id"
    ).get(pk=story.pk)
    row["approvals"] = sorted(
        StoryApproval.objects.filter(story=story).values_list("organisation_id", flat=True)
    )
    row["quotes"] = list(
        StoryQuote.objects.filter(story=story).values_list("text", "consent_given_at")
    )
    row["figures"] = OutcomeFigure.objects.filter(story=story).count()
    row["images"] = StoryImage.objects.filter(story=story).count()
    row["sectors"] = sorted(story.sectors.values_list("pk", flat=True))
    row["organisations"] = sorted(story.organisations.values_list("pk", flat=True))
    return row


# --- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def partnership(university, studio, lecturer, studio_owner):
    return Partnership.objects.create(
        institution=university,
        industry_partner=studio,
        title="Northbridge × Pixel Forge",
        status=PartnershipStatus.ACTIVE,
        proposed_by=lecturer,
    )


@pytest.fixture
def nominated(partnership, lecturer):
    return services.nominate(
        actor=lecturer, collaboration=partnership, title="Games that teach", reason="It worked."
    )


@pytest.fixture
def draft(nominated, platform_admin):
    story = services.accept_nomination(actor=platform_admin, story=nominated)
    return services.edit_story(
        actor=platform_admin,
        story=story,
        summary="Students and a studio shipped a game.",
        body="It **worked**.",
    )


@pytest.fixture
def in_review(draft, platform_admin):
    return services.send_for_review(actor=platform_admin, story=draft)


@pytest.fixture
def approved(in_review, lecturer, studio_owner):
    services.approve_text(actor=lecturer, story=in_review)
    services.approve_text(actor=studio_owner, story=in_review)
    return in_review


@pytest.fixture
def published(approved, platform_admin):
    return services.publish(actor=platform_admin, story=approved)


@pytest.fixture
def archived(published, platform_admin):
    return services.archive(actor=platform_admin, story=published)


# --- Reading ------------------------------------------------------------------------------------

READ = table(
    #                 anon   sam    olga   oscar  ada
    sees_unpublished=(False, False, False, True, True),
    sees_approvals=(False, False, False, True, True),
    sees_collaboration=(False, False, False, True, True),
    sees_reason=(False, False, False, False, True),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reads_which_story(request, persona, published, hidden_draft):
    expected = READ[persona]
    api = api_as(request, persona)

    response = api.get("/api/stories/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert published.pk in ids
    assert (hidden_draft.pk in ids) == expected["sees_unpublished"]
    hidden = api.get(f"/api/stories/{hidden_draft.pk}/")
    assert hidden.status_code == (200 if expected["sees_unpublished"] else 404)

    story = api.get(f"/api/stories/{published.pk}/").json()
    assert story["status"] == "published"
    assert story["slug"] == published.slug
    assert {org["slug"] for org in story["organisations"]} == {"northbridge", "pixel-forge"}
    assert (story["approvals"] is not None) == expected["sees_approvals"]
    if expected["sees_approvals"]:
        assert {a["organisation"]["slug"] for a in story["approvals"]} == {
            "northbridge",
            "pixel-forge",
        }
    (collaboration,) = story["collaborations"]
    assert collaboration["kind"] == "partnership"
    if expected["sees_collaboration"]:
        assert collaboration["id"] == published.partnership_id
        assert collaboration["title"] == "Northbridge × Pixel Forge"
    else:  # a private partnership: its kind only
        assert collaboration == {"kind": "partnership", "id": None, "title": None}
    assert (story["nomination_reason"] == "It worked.") == expected["sees_reason"]


@pytest.fixture
def hidden_draft(studio, studio_owner, platform_admin):
    """A draft about one of Pixel Forge's placements: only its side (Oscar) and curators see it."""
    placement = PlacementFactory(organisation=studio, created_by=studio_owner)
    story = services.nominate(actor=studio_owner, collaboration=placement, title="Not yet")
    return services.accept_nomination(actor=platform_admin, story=story)


def test_body_is_markdown_and_sanitised_html(api_client_factory, platform_admin, draft):
    services.edit_story(
        actor=platform_admin, story=draft, body="**Bold** <script>alert(1)</script>"
    )
    data = api_client_factory(platform_admin).get(f"/api/stories/{draft.pk}/").json()
    assert data["body"] == "**Bold** <script>alert(1)</script>"
    assert "<strong>Bold</strong>" in data["body_html"]
    assert "<script" not in data["body_html"]


@pytest.fixture
def api_client_factory():
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def test_unconsented_quotes_only_to_curators(
    api_client_factory, approved, platform_admin, student, lecturer, other_owner
):
    quote = services.add_quote(
        actor=platform_admin,
        story=approved,
        text="Best term ever.",
        person_name="Sam",
        user=student,
    )
    services.add_quote(
        actor=platform_admin, story=approved, text="Unsaid words.", person_name="Nobody"
    )
    by_curator = api_client_factory(platform_admin).get(f"/api/stories/{approved.pk}/").json()
    assert {(q["text"], q["has_consent"]) for q in by_curator["quotes"]} == {
        ("Best term ever.", False),
        ("Unsaid words.", False),
    }
    assert api_client_factory(lecturer).get(f"/api/stories/{approved.pk}/").json()["quotes"] == []

    services.give_quote_consent(actor=student, quote=quote)
    data = api_client_factory(lecturer).get(f"/api/stories/{approved.pk}/").json()
    texts = [q["text"] for q in data["quotes"]]
    assert texts == ["Best term ever."]
    assert data["quotes"][0]["has_consent"] is True
    assert "user" not in data["quotes"][0]  # who has an account is nobody else's business
    for person in (None, other_owner):  # the story is not published yet
        assert api_client_factory(person).get(f"/api/stories/{approved.pk}/").status_code == 404


def test_withdrawn_consent_hides_the_quote_from_the_public(
    api_client_factory, published, platform_admin, student
):
    quote = StoryQuote.objects.create(
        story=published,
        text="Loved it.",
        person_name="Sam",
        user=student,
        consent_given_at=timezone.now(),
    )
    anonymous = api_client_factory()
    assert [q["text"] for q in anonymous.get(f"/api/stories/{published.pk}/").json()["quotes"]] == [
        "Loved it."
    ]
    response = api_client_factory(student).post(f"/api/story-quotes/{quote.pk}/withdraw-consent/")
    assert response.status_code == 200
    assert response.json()["has_consent"] is False
    assert anonymous.get(f"/api/stories/{published.pk}/").json()["quotes"] == []
    listed = anonymous.get("/api/stories/").json()["results"]
    assert [row["quotes"] for row in listed if row["id"] == published.pk] == [[]]
    curator = api_client_factory(platform_admin).get(f"/api/stories/{published.pk}/").json()
    assert [q["has_consent"] for q in curator["quotes"]] == [False]


def test_images_figures_and_sectors_are_represented(
    api_client_factory, draft, platform_admin, studio
):
    services.add_image(
        actor=platform_admin, story=draft, upload=image_file(), alt_text="The team", caption="Us"
    )
    services.add_figure(
        actor=platform_admin,
        story=draft,
        metric="funding",
        value="12500.5",
        unit="GBP",
        organisation=studio,
    )
    sector = Sector.objects.first()
    services.edit_story(actor=platform_admin, story=draft, sectors=[sector])
    data = api_client_factory(platform_admin).get(f"/api/stories/{draft.pk}/").json()
    (image,) = data["images"]
    for name in ("image", "thumbnail", "social_card"):
        assert image[name].startswith("http://testserver/media/stories/"), image[name]
    assert (image["alt_text"], image["caption"]) == ("The team", "Us")
    (figure,) = data["figures"]
    assert figure["value"] == "12500.50"
    assert (figure["metric"], figure["unit"]) == ("funding", "GBP")
    assert figure["organisation"]["slug"] == "pixel-forge"
    assert data["sectors"] == [sector.slug]


# --- Filters and query counts -------------------------------------------------------------------


def _published_story(title: str, *, organisations, **links) -> Story:
    story = Story.objects.create(
        title=title,
        slug=f"story-{Story.objects.count()}-{title.lower().replace(' ', '-')}",
        summary="S",
        body="B",
        status=S.PUBLISHED,
        published_at=timezone.now(),
        **links,
    )
    story.organisations.set(organisations)
    return story


def test_filters_as_on_the_showcase(
    api_client_factory, partnership, studio, other_studio, university, platform_admin
):
    games = Sector.objects.order_by("pk")[0]
    first = _published_story(
        "Rendered together", organisations=[university, studio], partnership=partnership
    )
    first.sectors.add(games)
    second = _published_story(
        "A placement",
        organisations=[other_studio],
        placement=PlacementFactory(organisation=other_studio),
    )
    services.feature(actor=platform_admin, story=second, order=1)

    def ids(client, query=""):
        response = client.get(f"/api/stories/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    for client in (api_client_factory(), api_client_factory(platform_admin)):
        assert ids(client) == [second.pk, first.pk]  # featured first
        assert ids(client, "kind=partnership") == [first.pk]
        assert ids(client, "kind=placement") == [second.pk]
        assert ids(client, f"sector={games.slug}") == [first.pk]
        assert ids(client, "institution=northbridge") == [first.pk]
        assert ids(client, "partner=pixel-forge") == [first.pk]
        assert ids(client, "partner=northbridge") == []  # an institution is not a partner
        assert ids(client, "q=RENDERED") == [first.pk]
        assert ids(client, "q=nothing-like-it") == []
    bad = api_client_factory().get("/api/stories/?kind=nonsense")
    assert bad.status_code == 400
    assert "kind" in bad.json()


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("persona", PERSONAS)
def test_list_query_count_does_not_grow(
    request, persona, rows, partnership, university, studio, student, django_assert_max_num_queries
):
    sector = Sector.objects.first()
    for number in range(rows):
        if number % 2:
            links = {"partnership": partnership}
        else:
            links = {"placement": PlacementFactory(organisation=studio)}
        story = _published_story(f"Story {number}", organisations=[university, studio], **links)
        story.sectors.add(sector)
        StoryImage.objects.create(story=story, image="stories/x.png", alt_text="A picture")
        StoryQuote.objects.create(
            story=story,
            text="Yes",
            person_name="Sam",
            user=student,
            consent_given_at=timezone.now(),
        )
        StoryQuote.objects.create(story=story, text="Not yet", person_name="Lee")
        OutcomeFigure.objects.create(story=story, metric="hires", value=Decimal("2"))
        StoryApproval.objects.create(story=story, organisation=university)
    api = api_as(request, persona)
    with django_assert_max_num_queries(12):  # 8 anonymous, 10 curator, 11 side member
        response = api.get("/api/stories/?page_size=100")
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows


# --- Nominating ---------------------------------------------------------------------------------

NOMINATE = table(
    #           anon  sam   olga  oscar ada
    partnership=(401, 404, 404, 201, 201),
    placement=(401, 201, 201, 201, 201),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_nominating(request, persona, partnership, studio):
    expected = NOMINATE[persona]
    api = api_as(request, persona)
    placement = PlacementFactory(organisation=studio)

    for kind, target in (("partnership", partnership), ("placement", placement)):
        before = Story.objects.count()
        response = api.post(
            "/api/stories/",
            {
                "collaboration_kind": kind,
                "collaboration_id": target.pk,
                "title": f"{kind} by {persona}",
                "reason": "Because.",
            },
            format="json",
        )
        assert response.status_code == expected[kind], response.content
        created = expected[kind] == 201
        assert Story.objects.count() == before + created
        if created:
            story = Story.objects.get(pk=response.json()["id"])
            assert story.status == S.NOMINATED
            assert story.nomination_reason == "Because."
            assert response.json()["collaboration_kind"] == kind


def nomination(kind, pk, title="X") -> dict:
    body = {"collaboration_kind": kind, "collaboration_id": pk, "title": title}
    return {key: value for key, value in body.items() if value is not None}


def test_nomination_errors(api_client_factory, lecturer, partnership, studio):
    api = api_client_factory(lecturer)
    draft_placement = PlacementFactory(organisation=studio, status="draft")
    pk = partnership.pk
    cases = [
        (nomination("planet", 1), 400, "collaboration_kind"),
        (nomination("partnership", "x"), 400, "collaboration_id"),
        (nomination("partnership", pk, title=None), 400, "title"),
        (nomination("partnership", pk, title="  "), 400, "title"),
        (nomination("partnership", 10**9), 404, None),
        (nomination("placement", draft_placement.pk), 404, None),
    ]
    for body, code, field in cases:
        response = api.post("/api/stories/", body, format="json")
        assert response.status_code == code, (body, response.content)
        if field:
            assert field in response.json()
    assert api.post("/api/stories/", [1], format="json").status_code == 400
    assert not Story.objects.exists()


# --- Curators' moves ----------------------------------------------------------------------------

#  action, the story's state before it, the status after, the expected answer per persona
MOVES = [
    ("accept", "nominated", S.DRAFT, (401, 404, 404, 403, 200)),
    ("send-for-review", "draft", S.IN_REVIEW, (401, 404, 404, 403, 200)),
    ("return-to-draft", "in_review", S.DRAFT, (401, 404, 404, 403, 200)),
    ("publish", "approved", S.PUBLISHED, (401, 404, 404, 403, 200)),
    ("archive", "published", S.ARCHIVED, (401, 403, 403, 403, 200)),
    ("restore", "archived", S.DRAFT, (401, 404, 404, 403, 200)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("move", "state", "after", "codes"), MOVES)
def test_curators_move_stories(request, persona, move, state, after, codes):
    story = request.getfixturevalue(state)
    expected = dict(zip(PERSONAS, codes, strict=True))[persona]
    before = snapshot(story)
    response = api_as(request, persona).post(f"/api/stories/{story.pk}/{move}/")
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["status"] == after
        story.refresh_from_db()
        assert story.status == after
    else:
        assert snapshot(story) == before


def test_moves_out_of_order_are_conflicts(
    api_client_factory, platform_admin, in_review, studio, studio_owner
):
    nominated = services.nominate(
        actor=studio_owner, collaboration=PlacementFactory(organisation=studio), title="New"
    )
    api = api_client_factory(platform_admin)
    assert api.post(f"/api/stories/{nominated.pk}/send-for-review/").status_code == 409
    assert api.post(f"/api/stories/{nominated.pk}/restore/").status_code == 409
    response = api.post(f"/api/stories/{in_review.pk}/publish/")
    assert response.status_code == 409
    assert response.json()["code"] == "not_publishable"
    assert "Pixel Forge has not approved the text" in response.json()["detail"]
    assert api.post(f"/api/stories/{in_review.pk}/accept/").status_code == 409
    in_review.refresh_from_db()
    nominated.refresh_from_db()
    assert (nominated.status, in_review.status) == (S.NOMINATED, S.IN_REVIEW)
    assert api.post("/api/stories/999999/accept/").status_code == 404
    assert api.post("/api/stories/not-an-id/accept/").status_code == 404


# --- Editing ------------------------------------------------------------------------------------

PATCH = table(
    #      anon  sam   olga  oscar ada
    draft=(401, 404, 404, 403, 200),
    published=(401, 403, 403, 403, 200),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_editing(request, persona, approved, hidden_draft, other_studio):
    expected = PATCH[persona]
    api = api_as(request, persona)
    sector = Sector.objects.first()

    story = hidden_draft
    before = snapshot(story)
    body = {
        "title": "A better title",
        "body": "New *body*",
        "sectors": [sector.slug],
        "organisations": ["northbridge", "pixel-forge", "other-studio"],
    }
    response = api.patch(f"/api/stories/{story.pk}/", body, format="json")
    assert response.status_code == expected["draft"], response.content
    if expected["draft"] == 200:
        data = response.json()
        assert data["title"] == "A better title"
        assert data["sectors"] == [sector.slug]
        assert {o["slug"] for o in data["organisations"]} == {
            "northbridge",
            "pixel-forge",
            "other-studio",
        }
    else:
        assert snapshot(story) == before

    # featuring a published story
    published = services.publish(actor=request.getfixturevalue("platform_admin"), story=approved)
    before = snapshot(published)
    response = api.patch(
        f"/api/stories/{published.pk}/", {"featured": True, "feature_order": 3}, format="json"
    )
    assert response.status_code == expected["published"], response.content
    if expected["published"] == 200:
        assert (response.json()["featured"], response.json()["feature_order"]) == (True, 3)
    else:
        assert snapshot(published) == before


def test_changing_the_text_withdraws_approvals(api_client_factory, platform_admin, approved):
    api = api_client_factory(platform_admin)
    response = api.patch(f"/api/stories/{approved.pk}/", {"sectors": []}, format="json")
    assert response.status_code == 200
    assert len(response.json()["approvals"]) == 2  # sectors are not the text
    response = api.patch(f"/api/stories/{approved.pk}/", {"summary": "Shorter."}, format="json")
    assert response.status_code == 200
    assert response.json()["approvals"] == []


def test_edit_errors(api_client_factory, platform_admin, published, hidden_draft):
    draft = hidden_draft
    api = api_client_factory(platform_admin)
    url = f"/api/stories/{draft.pk}/"
    before = snapshot(draft)
    for body, field in (
        ({"sectors": ["no-such-sector"]}, "sectors"),
        ({"organisations": ["no-such-org"]}, "organisations"),
        ({"title": ""}, "title"),
        ({"title": "x" * 161}, "title"),
        ({"feature_order": -1}, "feature_order"),
        ({"slug": "!!!"}, "slug"),
    ):
        response = api.patch(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()
    assert "no-such-sector" in str(
        api.patch(url, {"sectors": ["no-such-sector"]}, format="json").json()
    )

    taken = api.patch(url, {"slug": published.slug}, format="json")
    assert taken.status_code == 409
    assert "slug" in taken.json()

    # all or nothing: featuring a draft fails, so the new title is not kept either
    response = api.patch(url, {"title": "Kept?", "featured": True}, format="json")
    assert response.status_code == 409
    assert snapshot(draft) == before

    # a published story's text is frozen
    response = api.patch(f"/api/stories/{published.pk}/", {"title": "Late"}, format="json")
    assert response.status_code == 409
    assert api.put(url, {"title": "Put"}, format="json").status_code == 405


# --- Approval by the sides ----------------------------------------------------------------------

APPROVE = table(
    #          anon  sam   olga  oscar ada
    in_review=(401, 404, 404, 200, 403),
    published=(401, 403, 403, 409, 403),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_approving(request, persona, in_review, published_story_of_the_same_sides):
    expected = APPROVE[persona]
    api = api_as(request, persona)
    before = snapshot(in_review)
    response = api.post(f"/api/stories/{in_review.pk}/approve/", {}, format="json")
    assert response.status_code == expected["in_review"], response.content
    if expected["in_review"] == 200:
        assert [a["organisation"]["slug"] for a in response.json()["approvals"]] == ["pixel-forge"]
        again = api.post(f"/api/stories/{in_review.pk}/approve/", {}, format="json")
        assert again.status_code == 200  # harmless
        assert StoryApproval.objects.filter(story=in_review).count() == 1
    else:
        assert snapshot(in_review) == before

    story = published_story_of_the_same_sides
    before = snapshot(story)
    response = api.post(f"/api/stories/{story.pk}/approve/", {}, format="json")
    assert response.status_code == expected["published"], response.content
    assert snapshot(story) == before


@pytest.fixture
def published_story_of_the_same_sides(university, studio, partnership):
    return _published_story(
        "Already out", organisations=[university, studio], partnership=partnership
    )


def test_approving_for_an_organisation(api_client_factory, in_review, lecturer):
    api = api_client_factory(lecturer)
    url = f"/api/stories/{in_review.pk}/approve/"
    assert api.post(url, {"organisation": "pixel-forge"}, format="json").status_code == 403
    assert api.post(url, {"organisation": "no-such-org"}, format="json").status_code == 404
    assert not StoryApproval.objects.exists()
    response = api.post(url, {"organisation": "northbridge"}, format="json")
    assert response.status_code == 200
    assert [a["organisation"]["slug"] for a in response.json()["approvals"]] == ["northbridge"]


def test_approving_a_draft_is_a_conflict(api_client_factory, draft, lecturer):
    response = api_client_factory(lecturer).post(f"/api/stories/{draft.pk}/approve/")
    assert response.status_code == 409
    assert not StoryApproval.objects.exists()


# --- Quotes, figures and images -----------------------------------------------------------------

ADD = table(
    #      anon  sam   olga  oscar ada
    draft=(401, 404, 404, 403, 201),
    published=(401, 403, 403, 403, 409),
)


def png_upload(name="photo.png"):
    return image_file(name=name, size=(640, 480))


@pytest.mark.parametrize("persona", PERSONAS)
def test_adding_quotes_figures_and_images(
    request, persona, draft, published_story_of_the_same_sides
):
    expected = ADD[persona]
    api = api_as(request, persona)
    for story, state in ((draft, "draft"), (published_story_of_the_same_sides, "published")):
        before = snapshot(story)
        responses = [
            api.post(
                f"/api/stories/{story.pk}/quotes/",
                {"text": "It changed my year.", "person_name": "Sam"},
                format="json",
            ),
            api.post(
                f"/api/stories/{story.pk}/figures/",
                {"metric": "hires", "value": "2"},
                format="json",
            ),
            api.post(
                f"/api/stories/{story.pk}/images/",
                {"image": png_upload(), "alt_text": "The team"},
                format="multipart",
            ),
        ]
        for response in responses:
            assert response.status_code == expected[state], response.content
        if expected[state] == 201:
            data = responses[-1].json()
            assert len(data["quotes"]) == 1 and data["quotes"][0]["has_consent"] is False
            assert [f["value"] for f in data["figures"]] == ["2.00"]
            assert len(data["images"]) == 1
        else:
            assert snapshot(story) == before


def test_quote_figure_and_image_errors(api_client_factory, platform_admin, draft, settings):
    api = api_client_factory(platform_admin)
    base = f"/api/stories/{draft.pk}"
    before = snapshot(draft)
    cases = [
        ("quotes", {"text": "Words"}, "person_name"),
        ("quotes", {"text": "", "person_name": "Sam"}, "text"),
        ("quotes", {"text": "Words", "person_name": "Sam", "user": 10**9}, "user"),
        ("figures", {"metric": "smiles", "value": "1"}, "metric"),
        ("figures", {"metric": "hires", "value": "-1"}, "value"),
        ("figures", {"metric": "hires", "value": "lots"}, "value"),
        ("figures", {"metric": "other", "value": "3"}, "unit"),  # a label is required
        ("figures", {"metric": "hires", "value": "1", "organisation": "nope"}, "organisation"),
    ]
    for path, body, field in cases:
        response = api.post(f"{base}/{path}/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), response.json()

    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 an executable", content_type="image/png")
    response = api.post(f"{base}/images/", {"image": fake, "alt_text": "x"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "not_an_image" and "image" in response.json()
    response = api.post(f"{base}/images/", {"image": png_upload()}, format="multipart")
    assert response.status_code == 400 and "alt_text" in response.json()
    response = api.post(
        f"{base}/images/", {"image": png_upload(), "alt_text": "  "}, format="multipart"
    )
    assert response.status_code == 400 and "alt_text" in response.json()
    settings.MAX_IMAGE_UPLOAD_BYTES = 1024
    response = api.post(
        f"{base}/images/", {"image": png_upload(), "alt_text": "x"}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["code"] == "file_too_large"
    response = api.post(f"{base}/images/", {"alt_text": "x"}, format="json")
    assert response.status_code == 415
    assert snapshot(draft) == before


def test_other_figure_with_a_label(api_client_factory, platform_admin, draft):
    response = api_client_factory(platform_admin).post(
        f"/api/stories/{draft.pk}/figures/",
        {"metric": "other", "value": "3.456", "unit": "exhibitions"},
        format="json",
    )
    assert response.status_code == 400  # more than two decimals
    response = api_client_factory(platform_admin).post(
        f"/api/stories/{draft.pk}/figures/",
        {"metric": "other", "value": "3.5", "unit": "exhibitions", "note": "In 2025"},
        format="json",
    )
    assert response.status_code == 201
    (figure,) = response.json()["figures"]
    assert (figure["value"], figure["unit"], figure["note"]) == ("3.50", "exhibitions", "In 2025")


# --- Consent by the person quoted ---------------------------------------------------------------

CONSENT = table(
    #            anon  sam   olga  oscar ada
    list_mine=(401, 1, 0, 0, 2),
    consent=(401, 200, 404, 404, 403),
    withdraw=(401, 200, 404, 404, 403),
    edit=(401, 403, 404, 404, 200),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_consent_to_a_quote(request, persona, draft, platform_admin, student):
    expected = CONSENT[persona]
    api = api_as(request, persona)
    quote = services.add_quote(
        actor=platform_admin, story=draft, text="Best term ever.", person_name="Sam", user=student
    )
    services.add_quote(actor=platform_admin, story=draft, text="Anonymous.", person_name="Lee")

    response = api.get("/api/story-quotes/")
    if expected["list_mine"] == 401:
        assert response.status_code == 401
    else:
        assert response.json()["count"] == expected["list_mine"]

    def consent_state():
        quote.refresh_from_db()
        return quote.consent_given_at, quote.text

    before = consent_state()
    response = api.post(f"/api/story-quotes/{quote.pk}/consent/")
    assert response.status_code == expected["consent"], response.content
    if expected["consent"] == 200:
        assert response.json()["has_consent"] is True
        assert response.json()["story"] == {"id": draft.pk, "title": draft.title, "status": "draft"}
        assert consent_state()[0] is not None
    else:
        assert consent_state() == before

    services.give_quote_consent(actor=student, quote=quote)
    before = consent_state()
    response = api.post(f"/api/story-quotes/{quote.pk}/withdraw-consent/")
    assert response.status_code == expected["withdraw"], response.content
    if expected["withdraw"] == 200:
        assert consent_state()[0] is None
    else:
        assert consent_state() == before

    services.give_quote_consent(actor=student, quote=quote)
    before = consent_state()
    response = api.patch(f"/api/story-quotes/{quote.pk}/", {"text": "Better words."}, format="json")
    assert response.status_code == expected["edit"], response.content
    if expected["edit"] == 200:
        assert consent_state() == (None, "Better words.")  # new words need new consent
    else:
        assert consent_state() == before


def test_curator_records_consent_for_someone_without_an_account(
    api_client_factory, draft, platform_admin, student
):
    quote = services.add_quote(actor=platform_admin, story=draft, text="Yes.", person_name="Lee")
    assert (
        api_client_factory(student).post(f"/api/story-quotes/{quote.pk}/consent/").status_code
        == 404
    )
    response = api_client_factory(platform_admin).post(f"/api/story-quotes/{quote.pk}/consent/")
    assert response.status_code == 200
    assert response.json()["has_consent"] is True


# --- Testimonial requests -----------------------------------------------------------------------


@pytest.fixture
def completed_project(studio, university, studio_owner, lecturer):
    """Pixel Forge's workshop call, taken on by Northbridge and completed: both sides are asked."""
    project = Opportunity.objects.create(
        organisation=studio,
        kind=OpportunityKind.WORKSHOP,
        title="Museum workshops",
        summary="A brief",
        description="A live brief.",
        deadline=timezone.now() + datetime.timedelta(days=30),
        status=OpportunityStatus.COMPLETED,
        published_at=timezone.now(),
    )
    Proposal.objects.create(
        opportunity=project,
        organisation=university,
        team="Us",
        approach="Carefully",
        experience="Some",
        availability="Spring",
        status=ProposalStatus.ACCEPTED,
    )
    services.request_testimonials_for_completion(project)
    return project


TESTIMONIAL = table(
    #        anon  sam   olga  oscar ada
    listed=(401, 0, 0, 1, 0),
    read=(401, 404, 404, 200, 404),
    submit=(401, 404, 404, 200, 404),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_testimonial_requests(request, persona, completed_project, studio):
    expected = TESTIMONIAL[persona]
    api = api_as(request, persona)
    ask = TestimonialRequest.objects.get(organisation=studio)

    response = api.get("/api/testimonial-requests/")
    if expected["listed"] == 401:
        assert response.status_code == 401
    else:
        assert response.json()["count"] == expected["listed"]
    response = api.get(f"/api/testimonial-requests/{ask.pk}/")
    assert response.status_code == expected["read"]
    if expected["read"] == 200:
        data = response.json()
        assert data["collaboration"] == {
            "kind": "project",
            "id": completed_project.pk,
            "title": "Museum workshops",
        }
        assert data["organisation"]["slug"] == "pixel-forge"
        assert "token" not in data

    response = api.post(
        f"/api/testimonial-requests/{ask.pk}/submit/",
        {
            "text": "A brilliant team.",
            "person_role": "Art director",
            "figures": {"hires": "2", "revenue": 1500},
            "consent_to_publish": True,
        },
        format="json",
    )
    assert response.status_code == expected["submit"], response.content
    ask.refresh_from_db()
    story = ask.story
    if expected["submit"] == 200:
        assert response.json()["is_submitted"] is True
        assert response.json()["figures"] == {"hires": "2.00", "revenue": "1500.00"}
        quote = StoryQuote.objects.get(story=story)
        assert quote.has_consent and quote.text == "A brilliant team."
        assert OutcomeFigure.objects.filter(story=story).count() == 2
        again = api.post(
            f"/api/testimonial-requests/{ask.pk}/submit/",
            {"text": "Twice", "consent_to_publish": True},
            format="json",
        )
        assert again.status_code == 409
        # answered: no longer in the list of open requests, still readable
        assert api.get("/api/testimonial-requests/").json()["count"] == 0
        assert api.get(f"/api/testimonial-requests/{ask.pk}/").status_code == 200
    else:
        assert not ask.is_submitted
        assert not StoryQuote.objects.filter(story=story).exists()
        assert not OutcomeFigure.objects.filter(story=story).exists()


def test_testimonial_errors(api_client_factory, completed_project, lecturer, university):
    ask = TestimonialRequest.objects.get(organisation=university)
    api = api_client_factory(lecturer)
    url = f"/api/testimonial-requests/{ask.pk}/submit/"
    for body, field in (
        ({"text": "Fine"}, "consent_to_publish"),
        ({"text": "", "consent_to_publish": False}, "text"),  # neither words nor figures
        ({"figures": {"smiles": 3}, "consent_to_publish": False}, "figures"),
        ({"figures": {"hires": -1}, "consent_to_publish": False}, "figures"),
        ({"figures": {"hires": "many"}, "consent_to_publish": False}, "figures"),
        ({"figures": [1], "consent_to_publish": False}, "figures"),
    ):
        response = api.post(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), response.json()
    ask.refresh_from_db()
    assert not ask.is_submitted
    response = api.post(url, {"text": "Useful.", "consent_to_publish": False}, format="json")
    assert response.status_code == 200
    quote = StoryQuote.objects.get(story=ask.story)
    assert not quote.has_consent  # kept for curators, never shown without consent


def test_no_endpoint_answers_500_to_junk(api_client_factory, platform_admin, draft):
    api = api_client_factory(platform_admin)
    for path in ("accept", "approve", "quotes", "figures", "send-for-review"):
        for body in ([1], "s", 5, None):
            response = api.post(f"/api/stories/{draft.pk}/{path}/", body, format="json")
            assert response.status_code < 500, (path, body, response.content)
    assert api.patch(f"/api/stories/{draft.pk}/", [1], format="json").status_code == 400
    assert api.get("/api/stories/?kind=1&status=nope").status_code == 400
