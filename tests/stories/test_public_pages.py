"""The public side of success stories: the showcase, a story's page, an organisation's stories
and the story images behind them.

Published stories are for everyone, without an account; an unpublished one exists only for
curators (Ada) and the members of its organisations (Lena at Northbridge, Oscar and Mia at Pixel
Forge). Olga at Other Studio, Sam the student and anonymous visitors get a 404.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from accounts.models import Role
from partnerships.core.models import Sector
from partnerships.organisations.models import Kind, MemberRole
from partnerships.projects.models import Partnership, PartnershipStatus
from partnerships.stories import services
from partnerships.stories.models import Story
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.placements.conftest import PlacementFactory

from .conftest import image_file

pytestmark = pytest.mark.django_db

SHOWCASE = reverse("stories:showcase")
GAMES = "it-software-games"
DESIGN = "design"
CRAFTS = "crafts"


# --- helpers ----------------------------------------------------------------------------------


class Page(HTMLParser):
    """What these tests read from a page: meta and link tags, selects and their labels,
    links, images, blockquotes."""

    def __init__(self, html: str):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict] = []
        self.anchors: list[str] = []
        self.images: list[dict] = []
        self.selects: dict[str, list[str]] = {}
        self.select_ids: dict[str, str] = {}
        self.label_for: set[str] = set()
        self.blockquotes: list[str] = []
        self._select = None
        self._quote = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a["name"]] = a.get("content", "")
        elif tag == "link":
            self.links.append(a)
        elif tag == "a" and "href" in a:
            self.anchors.append(a["href"])
        elif tag == "img":
            self.images.append(a)
        elif tag == "select":
            self._select = a["name"]
            self.selects[a["name"]] = []
            self.select_ids[a["name"]] = a.get("id", "")
        elif tag == "option" and self._select:
            self.selects[self._select].append(a.get("value", ""))
        elif tag == "label" and "for" in a:
            self.label_for.add(a["for"])
        elif tag == "blockquote":
            self._quote = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "blockquote":
            self.blockquotes.append(self._quote.strip())
            self._quote = None

    def handle_data(self, data):
        if self._quote is not None:
            self._quote += data


def page_of(response) -> Page:
    return Page(response.content.decode())


def story_url(story: Story) -> str:
    return reverse("stories:detail", args=[story.slug])


def shown(response, *stories: Story) -> list[str]:
    """The titles, among these stories, that the page links to (in page order)."""
    html = response.content.decode()
    found = [(html.find(f'href="{story_url(s)}"'), s.title) for s in stories]
    return [title for position, title in sorted(found) if position >= 0]


def publish_story(
    story: Story,
    *,
    admin,
    approvers,
    summary="Students and a studio shipped a game.",
    body="It **worked**.",
    sectors=(),
    figures=(),
    image=False,
    quote_by=None,
) -> Story:
    """Take a nomination through curation, the sides' approval and publication."""
    story = services.accept_nomination(actor=admin, story=story)
    story = services.edit_story(
        actor=admin,
        story=story,
        summary=summary,
        body=body,
        sectors=list(Sector.objects.filter(slug__in=sectors)),
    )
    for metric, value, *unit in figures:
        services.add_figure(
            actor=admin, story=story, metric=metric, value=value, unit=unit[0] if unit else ""
        )
    if image:
        services.add_image(
            actor=admin,
            story=story,
            upload=image_file(size=(480, 320)),
            alt_text=f"The team behind {story.title}",
            caption="At the end-of-year show.",
        )
    if quote_by is not None:
        quote = services.add_quote(
            actor=admin,
            story=story,
            text="We hired two of the students.",
            person_name=quote_by.display_name,
            person_role="Studio director",
            user=quote_by,
        )
        services.give_quote_consent(actor=quote_by, quote=quote)
    story = services.send_for_review(actor=admin, story=story)
    for person in approvers:
        services.approve_text(actor=person, story=story)
    return services.publish(actor=admin, story=story)


def many_published(
    count, *, partnership, admin, approvers, image=True, prefix="Story"
) -> list[Story]:
    return [
        publish_story(
            services.nominate(actor=approvers[0], collaboration=partnership, title=f"{prefix} {n}"),
            admin=admin,
            approvers=approvers,
            sectors=[GAMES],
            figures=[("hires", 2), ("funding", 5000)],
            image=image,
        )
        for n in range(count)
    ]


@pytest.fixture
def published(approved, platform_admin):
    """Games that teach (Northbridge × Pixel Forge), published."""
    return services.publish(actor=platform_admin, story=approved)


@pytest.fixture
def harbourside():
    return OrganisationFactory(
        kind=Kind.INSTITUTION, name="Harbourside School of Art", slug="harbourside"
    )


@pytest.fixture
def rosa(harbourside):
    user = UserFactory(email="rosa@harbourside.example", role=Role.UNIVERSITY, display_name="Rosa")
    MembershipFactory(organisation=harbourside, user=user, role=MemberRole.OWNER)
    return user


@pytest.fixture
def catalogue(
    platform_admin,
    lecturer,
    studio,
    studio_owner,
    other_studio,
    other_owner,
    harbourside,
    rosa,
    student,
    partnership,
):
    """Three published stories and one still nominated:

    - Games that teach: partnership Northbridge × Pixel Forge, games, 3 figures, an image;
    - Printmaking residency: partnership Harbourside × Other Studio, design;
    - Junior artist placement: placement at Pixel Forge, games, featured;
    - Quiet pottery: placement at Quiet Studio, crafts, only nominated.
    """
    games = publish_story(
        services.nominate(actor=lecturer, collaboration=partnership, title="Games that teach"),
        admin=platform_admin,
        approvers=[lecturer, studio_owner],
        sectors=[GAMES],
        figures=[
            ("hires", 3),
            ("funding", 12000),
            ("audience", 1500, ""),
            ("students_involved", 40),
        ],
        image=True,
    )
    harbour_partnership = Partnership.objects.create(
        institution=harbourside,
        industry_partner=other_studio,
        title="Harbourside × Other Studio",
        status=PartnershipStatus.ACTIVE,
        proposed_by=rosa,
    )
    print_story = publish_story(
        services.nominate(
            actor=rosa, collaboration=harbour_partnership, title="Printmaking residency"
        ),
        admin=platform_admin,
        approvers=[rosa, other_owner],
        summary="Letterpress artists taught a term of printmaking.",
        sectors=[DESIGN],
    )
    placement_story = publish_story(
        services.nominate(
            actor=student,
            collaboration=PlacementFactory(organisation=studio, title="Junior artist"),
            title="Junior artist placement",
        ),
        admin=platform_admin,
        approvers=[studio_owner],
        summary="A summer placement that became a job.",
        sectors=[GAMES],
    )
    services.feature(actor=platform_admin, story=placement_story, order=1)
    quiet = OrganisationFactory(kind=Kind.INDUSTRY, name="Quiet Studio", slug="quiet-studio")
    quiet_story = services.nominate(
        actor=student, collaboration=PlacementFactory(organisation=quiet), title="Quiet pottery"
    )
    quiet_story.sectors.add(Sector.objects.get(slug=CRAFTS))
    return {
        "games": games,
        "print": print_story,
        "placement": placement_story,
        "quiet": quiet_story,
    }


# --- who sees what ----------------------------------------------------------------------------


def test_anonymous_visitor_reads_published_stories_only(
    client, published, other_studio, platform_admin, lecturer, studio_owner, partnership
):
    hidden = services.nominate(actor=lecturer, collaboration=partnership, title="Still a secret")
    response = client.get(SHOWCASE)
    assert response.status_code == 200
    assert shown(response, published, hidden) == ["Games that teach"]
    assert "Still a secret" not in response.content.decode()

    page = client.get(story_url(published))
    assert page.status_code == 200
    assert "Not published" not in page.content.decode()
    assert client.get(story_url(hidden)).status_code == 404


@pytest.mark.parametrize("persona", ["lecturer", "studio_owner", "studio_member", "platform_admin"])
def test_sides_and_curators_preview_an_unpublished_story_with_a_banner(
    client, in_review, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(story_url(in_review))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Not published — only curators and Northbridge University and Pixel Forge can see this"
        in html
    )
    assert "In review" in html
    page = page_of(response)
    assert page.meta["robots"] == "noindex"
    assert "og:title" not in page.meta
    # Still not in the showcase: that lists published stories only, for everyone.
    assert shown(client.get(SHOWCASE), in_review) == []


@pytest.mark.parametrize("persona", [None, "other_owner", "student", "industry_newcomer"])
def test_outsiders_get_404_for_an_unpublished_story(client, in_review, persona, request):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert client.get(story_url(in_review)).status_code == 404


def test_archived_story_leaves_every_public_page(client, published, platform_admin, studio):
    services.archive(actor=platform_admin, story=published)
    assert client.get(story_url(published)).status_code == 404
    assert shown(client.get(SHOWCASE), published) == []
    assert "Games that teach" not in client.get(studio.get_absolute_url()).content.decode()


def test_unknown_story_is_404(client, db):
    assert client.get(reverse("stories:detail", args=["no-such-story"])).status_code == 404


def test_everyone_finds_stories_in_the_main_navigation(client, lecturer):
    assert f'href="{SHOWCASE}"' in client.get(reverse("home")).content.decode()
    client.force_login(lecturer)
    html = client.get(reverse("events:browse")).content.decode()
    assert f'href="{SHOWCASE}"' in html
    assert f'<a href="{SHOWCASE}" aria-current="page">' in client.get(SHOWCASE).content.decode()


# --- the showcase -----------------------------------------------------------------------------


def test_showcase_puts_featured_stories_first_then_the_newest(client, catalogue):
    c = catalogue
    response = client.get(SHOWCASE)
    assert shown(response, c["games"], c["print"], c["placement"], c["quiet"]) == [
        "Junior artist placement",
        "Printmaking residency",
        "Games that teach",
    ]


def test_a_card_shows_picture_organisations_and_three_headline_figures(client, catalogue):
    html = client.get(SHOWCASE).content.decode()
    page = Page(html)
    thumbnails = [
        img for img in page.images if img.get("alt") == "The team behind Games that teach"
    ]
    assert len(thumbnails) == 1
    assert "/media/stories/renditions/" in thumbnails[0]["src"]
    assert "Northbridge University · Pixel Forge" in html
    assert "Students and a studio shipped a game." in html
    assert '<span class="story-figure__value">3</span> hires made' in html
    assert '<span class="story-figure__value">£12,000</span> funding attracted' in html
    assert '<span class="story-figure__value">1,500</span> audience reached' in html
    assert "students involved" not in html  # the fourth figure waits for the story's page


def test_filter_form_offers_only_values_with_published_stories(client, catalogue):
    page = page_of(client.get(SHOWCASE))
    assert page.selects["sector"] == ["", DESIGN, GAMES]  # by name: "Design…", "IT, software…"
    assert page.selects["kind"] == ["", "partnership", "placement"]
    assert page.selects["institution"] == ["", "harbourside", "northbridge"]
    assert page.selects["partner"] == ["", "other-studio", "pixel-forge"]  # not Quiet Studio
    for name in ("q", "sector", "kind", "institution", "partner"):
        assert f"id_{name}" in page.label_for  # every control has its label


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"sector": GAMES}, ["Junior artist placement", "Games that teach"]),
        ({"sector": DESIGN}, ["Printmaking residency"]),
        ({"kind": "partnership"}, ["Printmaking residency", "Games that teach"]),
        ({"kind": "placement"}, ["Junior artist placement"]),
        ({"institution": "northbridge"}, ["Games that teach"]),
        ({"institution": "harbourside"}, ["Printmaking residency"]),
        ({"partner": "pixel-forge"}, ["Junior artist placement", "Games that teach"]),
        ({"partner": "other-studio"}, ["Printmaking residency"]),
        ({"q": "PRINTMAKING"}, ["Printmaking residency"]),
        ({"q": "became a job"}, ["Junior artist placement"]),  # words of the summary
        ({"sector": GAMES, "kind": "partnership"}, ["Games that teach"]),
        ({"partner": "pixel-forge", "kind": "placement"}, ["Junior artist placement"]),
        (
            {
                "sector": GAMES,
                "kind": "partnership",
                "institution": "northbridge",
                "partner": "pixel-forge",
                "q": "games",
            },
            ["Games that teach"],
        ),
    ],
)
def test_each_filter_and_their_combinations(client, catalogue, query, expected):
    c = catalogue
    response = client.get(SHOWCASE, query)
    assert response.status_code == 200
    assert shown(response, c["games"], c["print"], c["placement"], c["quiet"]) == expected
    assert f'href="{SHOWCASE}">Clear filters</a>' in response.content.decode()


def test_filters_matching_nothing_say_so_and_offer_to_clear_them(client, catalogue):
    response = client.get(SHOWCASE, {"institution": "harbourside", "partner": "pixel-forge"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No stories match these filters." in html
    assert f'<a href="{SHOWCASE}">Clear the filters</a>' in html
    assert "0 stories" in html


@pytest.mark.parametrize(
    "query",
    [
        {"sector": "no-such-sector"},
        {"sector": CRAFTS},  # only an unpublished story has it
        {"kind": "spaceship"},
        {"institution": "pixel-forge"},  # an industry partner is not an institution
        {"partner": "quiet-studio"},  # only an unpublished story has it
        {"partner": "x" * 5000},
        {"institution": "north\x00bridge"},
        {"q": "x" * 5000},
        {"q": "\x00"},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "999"},
        {"page": "1.5"},
    ],
)
def test_bad_filter_values_and_pages_are_ignored(client, catalogue, query):
    c = catalogue
    response = client.get(SHOWCASE, query)
    assert response.status_code == 200
    titles = shown(response, c["games"], c["print"], c["placement"], c["quiet"])
    if "q" in query and "\x00" not in query["q"]:
        assert titles == []  # a long search is cut to 200 characters, and matches nothing
    else:
        assert titles == ["Junior artist placement", "Printmaking residency", "Games that teach"]
    assert "Quiet pottery" not in response.content.decode()


def test_showcase_pages_by_twelve(client, partnership, platform_admin, lecturer, studio_owner):
    stories = many_published(
        13,
        partnership=partnership,
        admin=platform_admin,
        approvers=[lecturer, studio_owner],
        image=False,
    )
    first = client.get(SHOWCASE)
    assert len(shown(first, *stories)) == 12
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(SHOWCASE, {"page": 2})
    assert shown(second, *stories) == ["Story 0"]
    assert "13 stories" in second.content.decode()


def test_showcase_without_stories_says_none_are_published(client, db):
    html = client.get(SHOWCASE).content.decode()
    assert "No stories have been published yet." in html
    assert "No stories match" not in html


def test_showcase_links_its_feed(client, db):
    page = page_of(client.get(SHOWCASE))
    feeds = [link for link in page.links if link.get("type") == "application/atom+xml"]
    assert feeds == [
        {
            "rel": "alternate",
            "type": "application/atom+xml",
            "title": "Success stories on Tandem",
            "href": "http://testserver" + reverse("stories:feed"),
        }
    ]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_showcase_queries_do_not_grow_with_stories(
    client, partnership, platform_admin, lecturer, studio_owner, django_assert_max_num_queries
):
    approvers = [lecturer, studio_owner]
    many_published(3, partnership=partnership, admin=platform_admin, approvers=approvers)
    with_three = _queries(client, SHOWCASE)
    assert with_three <= 8  # options (3), count, page, organisations, images, figures
    many_published(
        27, partnership=partnership, admin=platform_admin, approvers=approvers, prefix="More"
    )
    with django_assert_max_num_queries(with_three):
        response = client.get(SHOWCASE, {"sector": GAMES, "page": 2})
    assert len(shown(response, *Story.objects.all())) == 12
    with django_assert_max_num_queries(with_three):
        client.get(SHOWCASE)


# --- a story's page ---------------------------------------------------------------------------


def test_story_page_shows_the_whole_story(client, catalogue, partnership):
    story = catalogue["games"]
    response = client.get(story_url(story))
    html = response.content.decode()
    page = page_of(response)
    assert '<h1 id="story-title">Games that teach</h1>' in html
    assert "<strong>worked</strong>" in html
    # every figure, as a definition list
    assert "<dt>Students involved</dt>" in html
    assert '<dd><span class="story-figure__value">£12,000</span>' in html
    # the image with its caption and alt text
    lead = [img for img in page.images if img.get("alt") == "The team behind Games that teach"]
    assert lead and lead[0]["width"] == "1200" and lead[0]["height"] == "630"
    assert "<figcaption>At the end-of-year show." in html
    # organisations linked to their pages; sectors; the published date
    assert "/organisations/northbridge/" in page.anchors
    assert "/organisations/pixel-forge/" in page.anchors
    assert "IT, software and computer services" in html
    assert "<dt>Published</dt>" in html
    assert date_format(localtime(story.published_at), "j F Y") in html
    # the partnership is private: its title, without a link, for visitors
    assert "Northbridge × Pixel Forge" in html
    assert reverse("projects:partnership", args=[partnership.pk]) not in page.anchors


def test_story_page_links_the_collaboration_for_those_who_may_open_it(
    client, published, partnership, lecturer, other_owner
):
    link = reverse("projects:partnership", args=[partnership.pk])
    client.force_login(lecturer)
    assert link in page_of(client.get(story_url(published))).anchors
    client.force_login(other_owner)
    assert link not in page_of(client.get(story_url(published))).anchors


def test_story_page_has_open_graph_and_twitter_cards(client, catalogue):
    story = catalogue["games"]
    page = page_of(client.get(story_url(story)))
    m = page.meta
    url = f"http://testserver/stories/{story.slug}/"
    assert m["og:type"] == "article"
    assert m["og:site_name"] == "Tandem"
    assert m["og:title"] == "Games that teach"
    assert m["og:description"] == "Students and a studio shipped a game."
    assert m["og:url"] == url
    image = story.images.get()
    assert m["og:image"] == "http://testserver" + image.social_card.url
    assert m["og:image"].endswith(".jpg")
    assert (m["og:image:width"], m["og:image:height"]) == ("1200", "630")
    assert m["og:image:alt"] == "The team behind Games that teach"
    published = datetime.datetime.fromisoformat(m["article:published_time"])
    assert abs(published - story.published_at) < datetime.timedelta(seconds=1)
    assert m["twitter:card"] == "summary_large_image"
    assert m["twitter:title"] == "Games that teach"
    assert m["twitter:description"] == "Students and a studio shipped a game."
    assert m["twitter:image"] == m["og:image"]
    assert m["twitter:image:alt"] == "The team behind Games that teach"
    assert "robots" not in m
    assert {"rel": "canonical", "href": url} in page.links
    assert any(
        link.get("type") == "application/atom+xml"
        and link["href"] == "http://testserver" + reverse("stories:feed")
        for link in page.links
    )
    # the card image really is public
    assert client.get(m["og:image"].removeprefix("http://testserver")).status_code == 200


def test_story_without_image_gets_a_small_card(client, catalogue):
    m = page_of(client.get(story_url(catalogue["print"]))).meta
    assert m["twitter:card"] == "summary"
    assert "og:image" not in m and "twitter:image" not in m
    assert m["og:description"] == "Letterpress artists taught a term of printmaking."


def test_only_consented_quotes_are_shown(
    client, platform_admin, lecturer, studio_owner, partnership
):
    story = publish_story(
        services.nominate(actor=lecturer, collaboration=partnership, title="Quoted"),
        admin=platform_admin,
        approvers=[lecturer, studio_owner],
        quote_by=studio_owner,
    )
    page = page_of(client.get(story_url(story)))
    assert page.blockquotes == ["We hired two of the students."]
    assert "<cite>Oscar</cite>, Studio director" in client.get(story_url(story)).content.decode()

    services.withdraw_quote_consent(actor=studio_owner, quote=story.quotes.get())
    html = client.get(story_url(story)).content.decode()
    assert "We hired two of the students." not in html
    assert "<blockquote" not in html


def test_unconsented_quote_stays_out_of_the_preview_too(
    client, in_review, platform_admin, studio_owner
):
    services.return_to_draft(actor=platform_admin, story=in_review)
    services.add_quote(
        actor=platform_admin,
        story=in_review,
        text="Off the record.",
        person_name="Oscar",
        user=studio_owner,
    )
    client.force_login(studio_owner)
    html = client.get(story_url(in_review)).content.decode()
    assert "Off the record." not in html


def test_markdown_body_is_sanitised(client, nominated, platform_admin, lecturer, studio_owner):
    story = publish_story(
        nominated,
        admin=platform_admin,
        approvers=[lecturer, studio_owner],
        body=(
            'Hello <script>alert("body")</script> [click](javascript:alert(1)) '
            '<img src="x" onerror="alert(2)"> <a href="#" onclick="alert(3)">x</a> **bold**'
        ),
    )
    html = client.get(story_url(story)).content.decode()
    assert "<strong>bold</strong>" in html
    assert 'alert("body")' not in html
    assert "javascript:" not in html
    assert "onerror" not in html and "onclick" not in html
    assert "<script>" not in html


def test_story_page_queries_do_not_grow_with_its_parts(
    client, partnership, platform_admin, lecturer, studio_owner, django_assert_max_num_queries
):
    small = publish_story(
        services.nominate(actor=lecturer, collaboration=partnership, title="Small"),
        admin=platform_admin,
        approvers=[lecturer, studio_owner],
        figures=[("hires", 1)],
        sectors=[GAMES],
    )
    large = publish_story(
        services.nominate(actor=lecturer, collaboration=partnership, title="Large"),
        admin=platform_admin,
        approvers=[lecturer, studio_owner],
        figures=[("hires", 1), ("funding", 2), ("revenue", 3), ("audience", 4)],
        sectors=[GAMES, DESIGN, CRAFTS],
        image=True,
        quote_by=studio_owner,
    )
    baseline = _queries(client, story_url(small))
    with django_assert_max_num_queries(baseline):
        client.get(story_url(large))


# --- an organisation's page -------------------------------------------------------------------


def test_organisation_page_lists_its_published_stories_for_everyone(
    client, published, studio, lecturer, partnership
):
    hidden = services.nominate(actor=lecturer, collaboration=partnership, title="Still a secret")
    html = client.get(studio.get_absolute_url()).content.decode()
    assert '<h2 id="stories-title">Stories</h2>' in html
    assert f'href="{story_url(published)}"' in html
    assert f'href="{story_url(hidden)}"' not in html
    assert f'href="{SHOWCASE}?partner=pixel-forge"' in html


def test_members_and_curators_also_see_their_unpublished_stories(
    client, in_review, studio, university, studio_member, platform_admin, other_owner
):
    for person in (studio_member, platform_admin):
        client.force_login(person)
        html = client.get(studio.get_absolute_url()).content.decode()
        assert f'href="{story_url(in_review)}"' in html
        assert '<span class="badge badge--pending">In review</span>' in html
    client.force_login(other_owner)
    assert (
        f'href="{story_url(in_review)}"'
        not in client.get(studio.get_absolute_url()).content.decode()
    )


def test_organisation_without_stories_says_so(client, other_studio):
    html = client.get(other_studio.get_absolute_url()).content.decode()
    assert "No success stories about Other Studio yet." in html


def test_organisation_page_shows_the_latest_six_and_links_to_the_rest(
    client,
    partnership,
    university,
    platform_admin,
    lecturer,
    studio_owner,
    django_assert_max_num_queries,
):
    stories = many_published(
        1, partnership=partnership, admin=platform_admin, approvers=[lecturer, studio_owner]
    )
    baseline = _queries(client, university.get_absolute_url())
    stories += many_published(
        7,
        partnership=partnership,
        admin=platform_admin,
        approvers=[lecturer, studio_owner],
        prefix="More",
    )
    with django_assert_max_num_queries(baseline):
        response = client.get(university.get_absolute_url())
    assert shown(response, *stories) == [f"More {n}" for n in range(6, 0, -1)]
    assert f'href="{SHOWCASE}?institution=northbridge"' in response.content.decode()


# --- story images -----------------------------------------------------------------------------


def _files(story: Story) -> list[str]:
    image = story.images.get()
    return [image.image.url, image.thumbnail.url, image.social_card.url]


def test_images_of_a_published_story_load_for_anyone(client, catalogue):
    for url in _files(catalogue["games"]):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (None, 404),
        ("other_owner", 404),
        ("student", 404),
        ("lecturer", 200),
        ("studio_member", 200),
        ("platform_admin", 200),
    ],
)
def test_images_of_an_unpublished_story_follow_the_story(
    client, in_review, platform_admin, persona, status, request
):
    services.add_image(
        actor=platform_admin, story=in_review, upload=image_file(size=(480, 320)), alt_text="Draft"
    )
    if persona:
        client.force_login(request.getfixturevalue(persona))
    for url in _files(in_review):
        assert client.get(url).status_code == status, url


def test_images_of_an_archived_story_are_refused(client, approved, platform_admin):
    services.add_image(
        actor=platform_admin, story=approved, upload=image_file(size=(480, 320)), alt_text="x"
    )
    services.publish(actor=platform_admin, story=approved)
    urls = _files(approved)
    assert client.get(urls[0]).status_code == 200
    services.archive(actor=platform_admin, story=approved)
    for url in urls:
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "stories/missing.png",
        "stories/renditions",
        "stories/renditions/missing.jpg",
        "stories/other/missing.jpg",
        "stories/renditions/a/b.jpg",
        "stories/../logos/x.png",
        "private/cvs/cv.pdf",
    ],
)
def test_other_story_paths_are_not_found(client, lecturer, path):
    client.force_login(lecturer)
    assert client.get(reverse("media", args=[path])).status_code == 404
