"""The public side of success stories: the showcase, a story's page.

Anyone may read published stories without an account; an unpublished story's page exists only
for curators and the members of its organisations (everyone else gets a 404).
"""

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from partnerships.core.page_cache import anonymous_page_cache
from partnerships.organisations.permissions import can_view_organisation

from .. import selectors
from ..models import COLLABORATION_FIELDS, CollaborationKind, Story
from ..services import can_view_collaboration

PAGE_SIZE = 12
SEARCH_MAX_LENGTH = 200
SELECT_FILTERS = ("sector", "kind", "institution", "partner")


def absolute_url(path: str) -> str:
    """The site's canonical address (``SITE_URL``), not the Host header, for links that leave
    the site: shared cards, feeds."""
    return f"{settings.SITE_URL}{path}"


class ShowcaseFilterForm(forms.Form):
    """Filters of the showcase. A value that is not offered (a stale or mistyped link) is
    dropped before validation, so the page shows what is really applied instead of an error."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput({"type": "search"}),
    )
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of collaboration"), required=False)
    institution = forms.ChoiceField(label=gettext_lazy("Institution"), required=False)
    partner = forms.ChoiceField(label=gettext_lazy("Industry partner"), required=False)

    def __init__(self, data: QueryDict | None = None, *, options: selectors.ShowcaseOptions):
        super().__init__(data)
        self.fields["sector"].choices = [
            ("", _("Any sector")),
            *((sector.slug, sector.name) for sector in options.sectors),
        ]
        self.fields["kind"].choices = [("", _("Any kind")), *options.kinds]
        self.fields["institution"].choices = [
            ("", _("Any institution")),
            *((org.slug, org.name) for org in options.institutions),
        ]
        self.fields["partner"].choices = [
            ("", _("Any industry partner")),
            *((org.slug, org.name) for org in options.partners),
        ]
        if self.is_bound:
            self.data = self._offered_only(self.data)

    def _offered_only(self, data: QueryDict) -> QueryDict:
        data = data.copy()
        for name in SELECT_FILTERS:
            offered = {value for value, _label in self.fields[name].choices}
            if data.get(name, "") not in offered:
                data.pop(name, None)
        if "q" in data:
            data["q"] = data["q"].replace("\x00", "")[:SEARCH_MAX_LENGTH]
        return data

    def filters(self) -> dict[str, str]:
        """The filters that apply (empty ones included), ignoring any field in error."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: (self.cleaned_data.get(name) or "").strip()
            for name in self.fields
            if name not in self.errors
        }


@require_GET
@anonymous_page_cache("stories")
def showcase(request: HttpRequest) -> HttpResponse:
    options = selectors.showcase_filter_options()
    form = ShowcaseFilterForm(request.GET or None, options=options)
    filters = form.filters()
    stories = selectors.showcase_stories(**filters)
    page = Paginator(stories, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stories/public/showcase.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "feed_url": absolute_url(reverse("stories:feed")),
            "page_url": absolute_url(reverse("stories:showcase")),
        },
    )


def _collaborations(user, story: Story) -> list[dict]:
    """Each linked collaboration with a link only for those who may open it."""
    found = []
    for kind, field in COLLABORATION_FIELDS.items():
        collaboration = getattr(story, field)
        if collaboration is None:
            continue
        visible = can_view_collaboration(user, collaboration)
        found.append(
            {
                "kind": CollaborationKind(kind).label,
                "title": collaboration.title,
                "url": collaboration.get_absolute_url() if visible else None,
            }
        )
    return found


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    story = selectors.story_page(request.user, slug)
    organisations = list(story.organisations.all())
    images = list(story.images.all())
    lead_image = images[0] if images else None
    social_image = None
    if story.is_published and lead_image is not None:
        card = lead_image.social_card if lead_image.social_card else None
        social_image = {
            "url": absolute_url((card or lead_image.image).url),
            "sized": card is not None,
            "alt": lead_image.alt_text,
        }
    return render(
        request,
        "stories/public/detail.html",
        {
            "story": story,
            "lead_image": lead_image,
            "more_images": images[1:],
            "quotes": list(selectors.publishable_quotes(story).select_related("organisation")),
            "figures": list(story.figures.all()),
            "sectors": list(story.sectors.all()),
            "organisations": [
                (org, org.get_absolute_url() if can_view_organisation(request.user, org) else None)
                for org in organisations
            ],
            "collaborations": _collaborations(request.user, story),
            "side_names": get_text_list([org.name for org in organisations], _("and")),
            "page_url": absolute_url(reverse("stories:detail", args=[story.slug])),
            "feed_url": absolute_url(reverse("stories:feed")),
            "social_image": social_image,
        },
    )
