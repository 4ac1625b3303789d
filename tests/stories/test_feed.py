"""The Atom feed of published stories: well-formed, public stories only, safe HTML."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from partnerships.stories import services

from .test_public_pages import many_published, publish_story

pytestmark = pytest.mark.django_db

FEED = reverse("stories:feed")
NS = {"atom": "http://www.w3.org/2005/Atom"}


def read_feed(client) -> ET.Element:
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    # Our own output, parsed to prove it is well-formed (ET raises otherwise).
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    return root


def text(element: ET.Element, path: str) -> str:
    found = element.find(path, NS)
    assert found is not None, f"missing {path}"
    return found.text or ""


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall("atom:entry", NS)


def alternate(element: ET.Element) -> str:
    return next(
        link.get("href")
        for link in element.findall("atom:link", NS)
        if link.get("rel", "alternate") == "alternate"
    )


def test_empty_feed_is_valid_atom(client, db):
    root = read_feed(client)
    assert text(root, "atom:title") == "Success stories on Tandem"
    assert text(root, "atom:id")
    datetime.datetime.fromisoformat(text(root, "atom:updated"))
    assert alternate(root) == "http://testserver" + reverse("stories:showcase")
    assert text(root, "atom:author/atom:name") == "Tandem"
    assert entries(root) == []


def test_feed_lists_published_stories_with_their_atom_elements(
    client, published_with_sector, in_review_elsewhere
):
    story = published_with_sector
    root = read_feed(client)
    [entry] = entries(root)
    assert text(entry, "atom:title") == "Games that teach"
    assert text(entry, "atom:id") == (
        f"tag:testserver,{story.published_at:%Y-%m-%d}:story:{story.pk}"
    )
    assert alternate(entry) == f"http://testserver/stories/{story.slug}/"
    published = datetime.datetime.fromisoformat(text(entry, "atom:published"))
    assert abs(published - story.published_at) < datetime.timedelta(seconds=1)
    assert datetime.datetime.fromisoformat(text(entry, "atom:updated")) >= published
    assert text(entry, "atom:summary") == "Students and a studio shipped a game."
    assert text(entry, "atom:author/atom:name") == "Northbridge University, Pixel Forge"
    assert [c.get("term") for c in entry.findall("atom:category", NS)] == [
        "IT, software and computer services"
    ]
    content = entry.find("atom:content", NS)
    assert content.get("type") == "html"
    assert "<strong>worked</strong>" in content.text
    assert datetime.datetime.fromisoformat(text(root, "atom:updated")) >= published
    # the unpublished story elsewhere is not there
    assert b"Still a secret" not in client.get(FEED).content


def test_entry_ids_are_stable(client, published_with_sector, platform_admin):
    first = text(entries(read_feed(client))[0], "atom:id")
    services.feature(actor=platform_admin, story=published_with_sector, order=3)
    assert text(entries(read_feed(client))[0], "atom:id") == first


def test_archived_story_leaves_the_feed(client, published_with_sector, platform_admin):
    services.archive(actor=platform_admin, story=published_with_sector)
    assert entries(read_feed(client)) == []


def test_html_in_the_story_is_sanitised_and_escaped(
    client, nominated, platform_admin, lecturer, studio_owner
):
    publish_story(
        nominated,
        admin=platform_admin,
        approvers=[lecturer, studio_owner],
        summary="Fish & <b>chips</b>",
        body='Hello <script>alert("feed")</script> <img src=x onerror=alert(1)> **bold**',
    )
    raw = client.get(FEED).content
    assert b"<script" not in raw and b"&lt;script" not in raw
    assert b"onerror" not in raw
    [entry] = entries(ET.fromstring(raw))  # noqa: S314
    content = text(entry, "atom:content")
    assert "<strong>bold</strong>" in content  # HTML, escaped once inside the XML
    assert b"&lt;strong&gt;bold&lt;/strong&gt;" in raw
    # The plain-text summary is escaped as HTML too: a reader shows the characters typed.
    assert text(entry, "atom:summary") == "Fish &amp; &lt;b&gt;chips&lt;/b&gt;"


def test_feed_holds_the_thirty_newest_by_publication(
    client, partnership, platform_admin, lecturer, studio_owner, django_assert_max_num_queries
):
    approvers = [lecturer, studio_owner]
    stories = many_published(
        3, partnership=partnership, admin=platform_admin, approvers=approvers, image=False
    )
    with django_assert_max_num_queries(6) as captured:
        read_feed(client)
    baseline = len(captured.captured_queries)
    stories += many_published(
        28,
        partnership=partnership,
        admin=platform_admin,
        approvers=approvers,
        image=False,
        prefix="More",
    )
    with django_assert_max_num_queries(baseline):
        root = read_feed(client)
    titles = [text(entry, "atom:title") for entry in entries(root)]
    assert len(titles) == 30
    assert titles[0] == "More 27"
    assert "Story 0" not in titles  # the oldest of the 31
    assert len({text(entry, "atom:id") for entry in entries(root)}) == 30
    assert len(stories) == 31


@pytest.fixture
def published_with_sector(nominated, platform_admin, lecturer, studio_owner):
    return publish_story(
        nominated,
        admin=platform_admin,
        approvers=[lecturer, studio_owner],
        sectors=["it-software-games"],
    )


@pytest.fixture
def in_review_elsewhere(lecturer, partnership):
    return services.nominate(actor=lecturer, collaboration=partnership, title="Still a secret")
