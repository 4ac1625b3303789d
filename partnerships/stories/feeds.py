"""An Atom feed of the newest published success stories, for feed readers and partners' sites."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Story
from .views.public import absolute_url


class StoryAtom1Feed(Atom1Feed):
    """Atom with each story's full text as ``<content type="html">`` (Django's Atom1Feed only
    writes a summary). The XML writer escapes it; the HTML itself is already sanitised."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class StoryFeed(Feed):
    feed_type = StoryAtom1Feed
    title = _("Success stories on Tandem")
    subtitle = _(
        "Partnerships, projects, placements and events between universities and the creative "
        "industries, with the outcomes they led to."
    )
    author_name = "Tandem"

    def link(self) -> str:
        return absolute_url(reverse("stories:showcase"))

    def feed_url(self) -> str:
        return absolute_url(reverse("stories:feed"))

    def items(self):
        return selectors.feed_stories()

    def item_title(self, story: Story) -> str:
        # An Atom <title> without a type is plain text: the XML writer escapes it once.
        return story.title

    def item_description(self, story: Story) -> str:
        # The summary is plain text but Django declares <summary type="html">: escape it, so a
        # "<" a curator typed stays a character in feed readers.
        return escape(story.summary)

    def item_link(self, story: Story) -> str:
        return absolute_url(reverse("stories:detail", args=[story.slug]))

    def item_guid(self, story: Story) -> str:
        """A tag URI from the story's id and first publication: it survives a change of slug,
        so readers never show a story twice."""
        host = urlsplit(settings.SITE_URL).hostname or "tandem.invalid"
        return f"tag:{host},{story.published_at:%Y-%m-%d}:story:{story.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, story: Story):
        return story.published_at

    def item_updateddate(self, story: Story):
        # A published story's text cannot change; it is only republished after going back
        # through review, which moves its status date.
        return max(story.published_at, story.status_changed_at)

    def item_author_name(self, story: Story) -> str:
        return ", ".join(org.name for org in story.organisations.all()) or "Tandem"

    def item_categories(self, story: Story) -> list[str]:
        return [sector.name for sector in story.sectors.all()]

    def item_extra_kwargs(self, story: Story) -> dict:
        return {"content_html": str(story.body_html())}
