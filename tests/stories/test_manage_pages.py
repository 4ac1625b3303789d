"""Curation pages, for platform admins only: the queue and the editor, every action through the
services, every refusal a 4xx with nothing changed, and the whole workflow through the pages.

Ada curates; Lena (Northbridge) and Oscar (Pixel Forge) are the story's sides; Olga (Other
Studio) and Sam the student are outsiders.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships.core.models import Sector
from partnerships.stories import services
from partnerships.stories.models import (
    OutcomeFigure,
    Story,
    StoryApproval,
    StoryImage,
    StoryQuote,
    StoryStatus,
)
from tests.factories import OrganisationFactory

from .conftest import image_file

pytestmark = pytest.mark.django_db

REFUSED = ["student", "other_owner", "lecturer", "studio_owner"]


def as_(client, user):
    if user is not None:
        client.force_login(user)
    return client


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


def snapshot(story: Story) -> dict:
    """Everything a curation action could change."""
    story = Story.objects.get(pk=story.pk)
    return {
        "story": (story.status, story.title, story.slug, story.summary, story.body),
        "featured": (story.featured, story.feature_order),
        "sectors": sorted(story.sectors.values_list("pk", flat=True)),
        "organisations": sorted(story.organisations.values_list("pk", flat=True)),
        "quotes": sorted(StoryQuote.objects.filter(story=story).values_list("pk", "text")),
        "consents": sorted(
            StoryQuote.objects.filter(story=story, consent_given_at__isnull=False).values_list(
                "pk", flat=True
            )
        ),
        "figures": sorted(OutcomeFigure.objects.filter(story=story).values_list("pk", flat=True)),
        "images": sorted(StoryImage.objects.filter(story=story).values_list("pk", "order")),
        "approvals": StoryApproval.objects.filter(story=story).count(),
    }


def story_data(story, **overrides) -> dict:
    data = {
        "story-title": story.title,
        "story-slug": story.slug,
        "story-summary": story.summary,
        "story-body": story.body,
        "story-organisations": [o.pk for o in story.organisations.all()],
        "story-sectors": [s.pk for s in story.sectors.all()],
    }
    data.update(overrides)
    return data


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
def furnished(draft, platform_admin):
    """A draft with one image, one quote (no account) and one figure."""
    image = services.add_image(
        actor=platform_admin, story=draft, upload=image_file(), alt_text="The team"
    )
    quote = services.add_quote(
        actor=platform_admin, story=draft, text="It changed our course.", person_name="A. Visitor"
    )
    figure = services.add_figure(actor=platform_admin, story=draft, metric="hires", value="2")
    return draft, image, quote, figure


def every_curation_request(story, image, quote, figure):
    """(method, url, data) for every curation route, each meant to change something."""
    pk = story.pk
    return [
        ("get", reverse("stories:curate"), {}),
        ("get", reverse("stories:curate_story", args=[pk]), {}),
        ("post", reverse("stories:curate_story", args=[pk]), story_data(story, **{
            "story-title": "Taken over"})),
        ("post", reverse("stories:curate_transition", args=[pk, "review"]), {"from": "draft"}),
        ("post", reverse("stories:curate_transition", args=[pk, "archive"]), {}),
        ("post", reverse("stories:curate_feature", args=[pk]),
         {"feature-featured": "on", "feature-feature_order": "1"}),
        ("post", reverse("stories:curate_image_add", args=[pk]),
         {"image-image": image_file(), "image-alt_text": "Another"}),
        ("post", reverse("stories:curate_image_delete", args=[pk, image.pk]), {}),
        ("post", reverse("stories:curate_image_move", args=[pk, image.pk]), {"direction": "down"}),
        ("post", reverse("stories:curate_quote_add", args=[pk]),
         {"quote-text": "More words.", "quote-person_name": "Someone"}),
        ("get", reverse("stories:curate_quote_edit", args=[pk, quote.pk]), {}),
        ("post", reverse("stories:curate_quote_edit", args=[pk, quote.pk]),
         {"text": "Other words.", "person_name": "A. Visitor"}),
        ("post", reverse("stories:curate_quote_delete", args=[pk, quote.pk]), {}),
        ("post", reverse("stories:quote_consent", args=[quote.pk]), {"action": "give"}),
        ("post", reverse("stories:curate_figure_add", args=[pk]),
         {"figure-metric": "audience", "figure-value": "100"}),
        ("post", reverse("stories:curate_figure_delete", args=[pk, figure.pk]), {}),
    ]  # fmt: skip


# --- Permission matrix --------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, furnished):
    before = snapshot(furnished[0])
    for method, url, data in every_curation_request(*furnished):
        response = getattr(client, method)(url, data)
        assert is_login_redirect(response), url
    assert snapshot(furnished[0]) == before


@pytest.mark.parametrize("persona", REFUSED)
def test_everyone_but_curators_is_refused(request, client, persona, furnished):
    as_(client, request.getfixturevalue(persona))
    before = snapshot(furnished[0])
    for method, url, data in every_curation_request(*furnished):
        response = getattr(client, method)(url, data)
        if url.startswith("/stories/quotes/") and persona in ("student", "other_owner"):
            assert response.status_code == 404, url  # they cannot even see the story
        else:
            assert response.status_code == 403, url
    assert snapshot(furnished[0]) == before


def test_curators_may_do_each_of_them(client, platform_admin, furnished):
    as_(client, platform_admin)
    for method, url, data in every_curation_request(*furnished):
        if "archive" in url or "delete" in url or "feature" in url:
            continue  # tested on their own below; they would end the rest
        response = getattr(client, method)(url, data)
        assert response.status_code in (200, 302), (url, response.status_code)


def test_missing_story_image_quote_or_figure_is_404(client, platform_admin, furnished, partnership):
    story, image, quote, figure = furnished
    other = services.nominate(actor=platform_admin, collaboration=partnership, title="Other")
    as_(client, platform_admin)
    for url in (
        reverse("stories:curate_story", args=[999999]),
        reverse("stories:curate_image_delete", args=[other.pk, image.pk]),
        reverse("stories:curate_quote_delete", args=[other.pk, quote.pk]),
        reverse("stories:curate_figure_delete", args=[other.pk, figure.pk]),
        reverse("stories:curate_transition", args=[story.pk, "explode"]),
    ):
        assert client.post(url).status_code == 404, url
    assert (
        client.get(reverse("stories:curate_quote_edit", args=[other.pk, quote.pk])).status_code
        == 404
    )
    assert StoryImage.objects.filter(pk=image.pk).exists()
    assert StoryQuote.objects.filter(pk=quote.pk).exists()


# --- The queue ----------------------------------------------------------------------------------


def make_stories(count: int, partnership, organisations, *, status=StoryStatus.NOMINATED):
    stories = []
    for n in range(count):
        story = Story.objects.create(
            title=f"Story number {n}", slug=f"story-number-{n}-{status}", partnership=partnership,
            status=status, summary=f"Summary {n}",
            published_at=timezone.now() if status == StoryStatus.PUBLISHED else None,
        )  # fmt: skip
        story.organisations.set(organisations)
        stories.append(story)
    return stories


def test_queue_lists_waiting_stories_with_counts_per_status(
    client, platform_admin, partnership, university, studio
):
    make_stories(3, partnership, [university, studio])
    make_stories(2, partnership, [university], status=StoryStatus.PUBLISHED)
    make_stories(1, partnership, [studio], status=StoryStatus.ARCHIVED)
    page = as_(client, platform_admin).get(reverse("stories:curate"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Waiting (3)" in html and "Published (2)" in html and "Archived (1)" in html
    assert html.count('href="/stories/curate/') >= 3
    assert "Northbridge University, Pixel Forge" in html
    published = client.get(reverse("stories:curate"), {"status": "published"}).content.decode()
    assert "Story number 0" in published and "Story number 2" not in published


def test_queue_search_and_bad_filters(client, platform_admin, partnership, university, studio):
    make_stories(3, partnership, [university, studio])
    other = OrganisationFactory(name="Lighthouse Museum")
    lonely = make_stories(1, partnership, [other], status=StoryStatus.DRAFT)[0]
    as_(client, platform_admin)
    found = client.get(reverse("stories:curate"), {"q": "lighthouse"}).content.decode()
    assert lonely.title in found and "Story number 1" not in found
    by_title = client.get(reverse("stories:curate"), {"q": "number 2"}).content.decode()
    assert "Story number 2" in by_title and "Story number 1<" not in by_title
    none = client.get(reverse("stories:curate"), {"q": "zebra"})
    assert none.status_code == 200 and "No story matches." in none.content.decode()
    bad = client.get(reverse("stories:curate"), {"status": "lost"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    assert client.get(reverse("stories:curate"), {"q": "a\x00b"}).status_code == 400


def test_queue_empty_state(client, platform_admin):
    page = as_(client, platform_admin).get(reverse("stories:curate"))
    assert page.status_code == 200 and "All caught up." in page.content.decode()


def test_queue_paginates(client, platform_admin, partnership, university):
    make_stories(30, partnership, [university])
    as_(client, platform_admin)
    first = client.get(reverse("stories:curate")).content.decode()
    assert "Page 1 of 2" in first
    second = client.get(reverse("stories:curate"), {"page": "2"}).content.decode()
    assert second.count("Story number") == 5
    assert client.get(reverse("stories:curate"), {"page": "nope"}).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_queue_query_count_is_constant(
    client, platform_admin, partnership, university, studio, rows, django_assert_max_num_queries
):
    as_(client, platform_admin)
    stories = make_stories(rows, partnership, [university, studio])
    for story in stories:
        StoryApproval.objects.create(story=story, organisation=university)
    client.get(reverse("stories:curate"))  # warm the session
    with django_assert_max_num_queries(10):
        response = client.get(reverse("stories:curate"))
    assert response.status_code == 200


def test_queue_queries_do_not_grow_with_rows(client, platform_admin, partnership, university):
    as_(client, platform_admin)
    make_stories(3, partnership, [university])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("stories:curate"))
    make_stories(27, partnership, [university], status=StoryStatus.DRAFT)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("stories:curate"))
    assert len(many.captured_queries) == len(few.captured_queries)


# --- The editor: text ---------------------------------------------------------------------------


def test_editor_shows_every_part(client, platform_admin, furnished):
    story, image, _quote, _figure = furnished
    page = as_(client, platform_admin).get(reverse("stories:curate_story", args=[story.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'for="id_story-title"' in html and 'for="id_story-body"' in html
    assert image.thumbnail.url in html and 'alt="The team"' in html
    assert "It changed our course." in html and "No consent recorded" in html
    assert "Hires made" in html
    assert "Northbridge University has not approved the text." in html
    assert "Send to the organisations for approval" in html
    assert 'name="from" value="draft"' in html
    assert 'style="' not in html and "<script>" not in html


def test_editing_the_text(client, platform_admin, draft, university, studio):
    games = Sector.objects.order_by("pk").first()
    data = story_data(
        draft,
        **{
            "story-title": "Games that really teach",
            "story-slug": "games-that-really-teach",
            "story-body": "## How\n\nTogether.",
            "story-sectors": [games.pk],
            "story-organisations": [university.pk, studio.pk],
        },
    )
    response = as_(client, platform_admin).post(
        reverse("stories:curate_story", args=[draft.pk]), data
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.slug, draft.body) == (
        "Games that really teach",
        "games-that-really-teach",
        "## How\n\nTogether.",
    )
    assert list(draft.sectors.all()) == [games]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"story-title": ""}, "title", "This field is required."),
        ({"story-slug": "not a slug!"}, "slug", "letters, numbers, underscores or hyphens"),
        ({"story-slug": "curate"}, "slug", "used by Tandem’s own pages"),
        ({"story-summary": "x" * 401}, "summary", "at most 400 characters"),
        ({"story-sectors": ["999999"]}, "sectors", "Select a valid choice"),
    ],
)
def test_text_errors_stay_on_the_form(client, platform_admin, draft, overrides, field, message):
    before = snapshot(draft)
    response = as_(client, platform_admin).post(
        reverse("stories:curate_story", args=[draft.pk]), story_data(draft, **overrides)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'")
    assert f'id="id_story-{field}_error"' in html
    assert snapshot(draft) == before


def test_slug_taken_by_another_story_is_a_conflict(client, platform_admin, draft, partnership):
    services.nominate(actor=platform_admin, collaboration=partnership, title="Taken")
    response = as_(client, platform_admin).post(
        reverse("stories:curate_story", args=[draft.pk]),
        story_data(draft, **{"story-slug": "taken"}),
    )
    assert response.status_code == 409
    assert "Another story already uses this address." in response.content.decode()


def test_a_published_story_is_not_editable(client, platform_admin, approved):
    story = services.publish(actor=platform_admin, story=approved)
    page = as_(client, platform_admin).get(reverse("stories:curate_story", args=[story.pk]))
    assert 'name="story-title"' not in page.content.decode()
    response = client.post(
        reverse("stories:curate_story", args=[story.pk]),
        story_data(story, **{"story-title": "Changed"}),
    )
    assert response.status_code == 409
    assert "cannot be edited" in response.content.decode()
    story.refresh_from_db()
    assert story.title == "Games that teach"


# --- The editor: images -------------------------------------------------------------------------


def test_uploading_an_image(client, platform_admin, draft):
    response = as_(client, platform_admin).post(
        reverse("stories:curate_image_add", args=[draft.pk]),
        {
            "image-image": image_file(),
            "image-alt_text": "Students at the desk",
            "image-caption": "Week 3",
        },
    )
    assert response.status_code == 302 and response.url.endswith("#images")
    image = StoryImage.objects.get(story=draft)
    assert (image.alt_text, image.caption) == ("Students at the desk", "Week 3")
    assert image.thumbnail and image.social_card


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("photo.png", b"just some text, honestly"), "not an image we can read"),
        (
            image_file(name="photo.png", fmt="JPEG"),
            "The file is named .png but its content is JPEG",
        ),
        (SimpleUploadedFile("empty.png", b""), "The submitted file is empty"),
    ],
)
def test_disguised_or_broken_uploads_are_refused(client, platform_admin, draft, upload, message):
    response = as_(client, platform_admin).post(
        reverse("stories:curate_image_add", args=[draft.pk]),
        {"image-image": upload, "image-alt_text": "x"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="id_image-image_error"' in html
    assert not StoryImage.objects.exists()


def test_oversized_upload_is_refused(client, platform_admin, draft, settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 1024
    response = as_(client, platform_admin).post(
        reverse("stories:curate_image_add", args=[draft.pk]),
        {"image-image": image_file(), "image-alt_text": "x"},
    )
    assert response.status_code == 400
    assert "the limit is 1.0\xa0KB" in response.content.decode()
    assert not StoryImage.objects.exists()


def test_an_image_needs_alt_text(client, platform_admin, draft):
    response = as_(client, platform_admin).post(
        reverse("stories:curate_image_add", args=[draft.pk]), {"image-image": image_file()}
    )
    assert response.status_code == 400
    assert 'id="id_image-alt_text_error"' in response.content.decode()
    assert not StoryImage.objects.exists()


def test_reordering_and_removing_images(client, platform_admin, draft):
    first, second, third = (
        services.add_image(actor=platform_admin, story=draft, upload=image_file(), alt_text=name)
        for name in ("one", "two", "three")
    )
    as_(client, platform_admin)
    client.post(
        reverse("stories:curate_image_move", args=[draft.pk, third.pk]), {"direction": "up"}
    )
    assert list(draft.images.values_list("alt_text", flat=True)) == ["one", "three", "two"]
    client.post(
        reverse("stories:curate_image_move", args=[draft.pk, first.pk]), {"direction": "up"}
    )
    assert list(draft.images.values_list("alt_text", flat=True)) == ["one", "three", "two"]
    bad = client.post(
        reverse("stories:curate_image_move", args=[draft.pk, first.pk]), {"direction": "sideways"}
    )
    assert bad.status_code == 400
    client.post(reverse("stories:curate_image_delete", args=[draft.pk, second.pk]))
    assert list(draft.images.values_list("alt_text", flat=True)) == ["one", "three"]


# --- The editor: quotes and figures -------------------------------------------------------------


def test_adding_editing_and_removing_quotes(client, platform_admin, draft, studio_member, studio):
    as_(client, platform_admin)
    response = client.post(
        reverse("stories:curate_quote_add", args=[draft.pk]),
        {
            "quote-text": "Best six weeks of the year.",
            "quote-person_name": "Mia",
            "quote-person_role": "Junior artist",
            "quote-organisation": studio.pk,
            "quote-email": studio_member.email.upper(),
        },
    )
    assert response.status_code == 302
    quote = StoryQuote.objects.get(story=draft)
    assert (quote.user, quote.organisation, quote.has_consent) == (studio_member, studio, False)
    edit_url = reverse("stories:curate_quote_edit", args=[draft.pk, quote.pk])
    assert "Best six weeks" in client.get(edit_url).content.decode()
    assert client.post(edit_url, {"text": "", "person_name": "Mia"}).status_code == 400
    client.post(edit_url, {"text": "Best weeks.", "person_name": "Mia", "person_role": "Artist"})
    quote.refresh_from_db()
    assert (quote.text, quote.person_role) == ("Best weeks.", "Artist")
    client.post(reverse("stories:curate_quote_delete", args=[draft.pk, quote.pk]))
    assert not StoryQuote.objects.exists()


def test_quote_errors(client, platform_admin, draft, other_studio):
    as_(client, platform_admin)
    url = reverse("stories:curate_quote_add", args=[draft.pk])
    unknown = client.post(
        url, {"quote-text": "Hi", "quote-person_name": "X", "quote-email": "nobody@nowhere.example"}
    )
    assert unknown.status_code == 400
    assert "Nobody on Tandem has this email address" in unknown.content.decode()
    outsider_org = client.post(
        url, {"quote-text": "Hi", "quote-person_name": "X", "quote-organisation": other_studio.pk}
    )
    assert outsider_org.status_code == 400  # only the story's organisations are offered
    empty = client.post(url, {"quote-text": "", "quote-person_name": ""})
    assert empty.status_code == 400
    assert 'id="id_quote-text_error"' in empty.content.decode()
    assert not StoryQuote.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"figure-value": "-5"}, "value", "Figures cannot be negative"),
        ({"figure-value": "many"}, "value", "Enter a number"),
        ({"figure-value": "1e20"}, "value", "Ensure this value is less than or equal to"),
        ({"figure-metric": "vibes"}, "metric", "Select a valid choice"),
        ({"figure-metric": "other"}, "unit", "Say what an “Other” figure counts."),
    ],
)
def test_figure_errors_are_specific(client, platform_admin, draft, data, field, message):
    payload = {"figure-metric": "hires", "figure-value": "3", **data}
    response = as_(client, platform_admin).post(
        reverse("stories:curate_figure_add", args=[draft.pk]), payload
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_figure-{field}_error"' in html
    assert not OutcomeFigure.objects.exists()


def test_adding_and_removing_figures(client, platform_admin, draft, university):
    as_(client, platform_admin)
    client.post(
        reverse("stories:curate_figure_add", args=[draft.pk]),
        {
            "figure-metric": "other",
            "figure-value": "4",
            "figure-unit": "prototypes shipped",
            "figure-organisation": university.pk,
        },
    )
    figure = OutcomeFigure.objects.get()
    assert (figure.unit, figure.organisation) == ("prototypes shipped", university)
    client.post(reverse("stories:curate_figure_delete", args=[draft.pk, figure.pk]))
    assert not OutcomeFigure.objects.exists()


# --- Workflow -----------------------------------------------------------------------------------


def test_publishing_is_refused_in_plain_words_until_ready(client, platform_admin, in_review):
    as_(client, platform_admin)
    page = client.get(reverse("stories:curate_story", args=[in_review.pk])).content.decode()
    assert "It cannot be published yet:" in page
    assert "Northbridge University has not approved the text." in page
    assert ">Publish<" not in page
    response = client.post(
        reverse("stories:curate_transition", args=[in_review.pk, "publish"]), {"from": "in_review"}
    )
    assert response.status_code == 409
    assert "has not approved the text" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == StoryStatus.IN_REVIEW


def test_publishing_twice_says_so(client, platform_admin, approved):
    url = reverse("stories:curate_transition", args=[approved.pk, "publish"])
    as_(client, platform_admin)
    client.post(url, {"from": "in_review"})
    again = client.post(url, {"from": "in_review"}, follow=True)
    assert again.status_code == 200
    assert "Nothing to do: the story is already published." in again.content.decode()
    approved.refresh_from_db()
    assert approved.status == StoryStatus.PUBLISHED


def test_a_stale_page_is_told_the_story_moved(client, platform_admin, approved):
    services.return_to_draft(actor=platform_admin, story=approved)
    response = as_(client, platform_admin).post(
        reverse("stories:curate_transition", args=[approved.pk, "publish"]), {"from": "in_review"}
    )
    assert response.status_code == 409
    assert "changed while you were looking" in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == StoryStatus.DRAFT


def test_an_impossible_move_is_a_conflict(client, platform_admin, nominated):
    response = as_(client, platform_admin).post(
        reverse("stories:curate_transition", args=[nominated.pk, "review"])
    )
    assert response.status_code == 409
    nominated.refresh_from_db()
    assert nominated.status == StoryStatus.NOMINATED


def test_transitions_need_post(client, platform_admin, nominated):
    url = reverse("stories:curate_transition", args=[nominated.pk, "accept"])
    assert as_(client, platform_admin).get(url).status_code == 405


def test_featuring(client, platform_admin, approved):
    url = reverse("stories:curate_feature", args=[approved.pk])
    as_(client, platform_admin)
    refused = client.post(url, {"feature-featured": "on", "feature-feature_order": "1"})
    assert refused.status_code == 409
    assert "Only a published story can be featured." in refused.content.decode()
    services.publish(actor=platform_admin, story=approved)
    negative = client.post(url, {"feature-featured": "on", "feature-feature_order": "-1"})
    assert negative.status_code == 400
    assert "The order cannot be negative." in negative.content.decode()
    assert (
        client.post(url, {"feature-featured": "on", "feature-feature_order": "2"}).status_code
        == 302
    )
    approved.refresh_from_db()
    assert (approved.featured, approved.feature_order) == (True, 2)


def test_the_whole_workflow_through_the_pages(
    client, lecturer, studio_owner, studio_member, platform_admin, partnership, university, studio
):
    # Lena nominates her partnership.
    as_(client, lecturer)
    nominate = reverse("stories:nominate", args=["partnership", partnership.pk])
    client.post(nominate, {"title": "Games that teach", "reason": "They shipped a game."})
    story = Story.objects.get()
    # Ada accepts it, writes it, adds an image, two quotes and a figure.
    as_(client, platform_admin)
    queue = client.get(reverse("stories:curate")).content.decode()
    assert reverse("stories:curate_story", args=[story.pk]) in queue
    transition = lambda action, shown: client.post(  # noqa: E731
        reverse("stories:curate_transition", args=[story.pk, action]), {"from": shown}
    )
    assert transition("accept", "nominated").status_code == 302
    client.post(
        reverse("stories:curate_story", args=[story.pk]),
        story_data(
            story,
            **{
                "story-summary": "Students and a studio shipped a game.",
                "story-body": "It **worked**.",
                "story-organisations": [university.pk, studio.pk],
            },
        ),
    )
    client.post(
        reverse("stories:curate_image_add", args=[story.pk]),
        {"image-image": image_file(), "image-alt_text": "The team"},
    )
    client.post(
        reverse("stories:curate_quote_add", args=[story.pk]),
        {"quote-text": "It changed our course.", "quote-person_name": "A. Visitor"},
    )
    client.post(
        reverse("stories:curate_quote_add", args=[story.pk]),
        {
            "quote-text": "Best weeks.",
            "quote-person_name": "Mia",
            "quote-email": studio_member.email,
        },
    )
    client.post(
        reverse("stories:curate_figure_add", args=[story.pk]),
        {"figure-metric": "students_involved", "figure-value": "18"},
    )
    visitor = StoryQuote.objects.get(person_name="A. Visitor")
    client.post(reverse("stories:quote_consent", args=[visitor.pk]), {"action": "give"})
    assert transition("review", "draft").status_code == 302
    # Mia consents to her words; both sides approve.
    mia = StoryQuote.objects.get(person_name="Mia")
    as_(client, studio_member).post(
        reverse("stories:quote_consent", args=[mia.pk]), {"action": "give"}
    )
    for member in (lecturer, studio_owner):
        assert (
            as_(client, member).post(reverse("stories:review", args=[story.pk])).status_code == 302
        )
    # Ada publishes, then archives.
    as_(client, platform_admin)
    editor = client.get(reverse("stories:curate_story", args=[story.pk])).content.decode()
    assert "ready to publish" in editor
    published = transition("publish", "in_review")
    assert published.status_code == 302
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED and story.published_at
    assert (story.images.count(), story.quotes.count(), story.figures.count()) == (1, 2, 1)
    public = client.get(reverse("stories:detail", args=[story.slug]))
    assert public.status_code == 200
    assert transition("archive", "published").status_code == 302
    story.refresh_from_db()
    assert story.status == StoryStatus.ARCHIVED
    assert transition("restore", "archived").status_code == 302
    story.refresh_from_db()
    assert story.status == StoryStatus.DRAFT and not story.approvals.exists()
