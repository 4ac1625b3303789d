"""Saved-search pages: save the filters of a browse page, list them, change how often, delete.

Someone else's saved search answers 404, like every other private object.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnerships.core.errors import DomainError
from partnerships.core.http import domain_error_response

from . import saved_searches as ss
from .models import SavedSearch, SavedSearchScope

# POSTed by the save form besides the filters themselves.
CONTROLS = {"csrfmiddlewaretoken", "scope", "frequency"}
BROWSE = {
    SavedSearchScope.PLACEMENTS: "placements:browse",
    SavedSearchScope.EVENTS: "events:browse",
}


def frequency_choices() -> list[tuple[str, str]]:
    return [(f.value, f.label) for f in SavedSearch.ALERT_FREQUENCIES]


def _browse_back(scope: str, params) -> str:
    """The browse page the form was on, with the same query (a path on this site)."""
    name = BROWSE.get(scope, "placements:browse")
    query = params.copy()
    for key in list(query):
        if key in CONTROLS:
            del query[key]
    encoded = query.urlencode()
    return f"{reverse(name)}?{encoded}" if encoded else reverse(name)


@login_required
@require_GET
def saved_searches(request):
    searches = list(ss.saved_searches_of(request.user))
    for search in searches:
        search.run_url = ss.browse_url(search)
    return render(
        request,
        "notifications/saved_searches.html",
        {
            "searches": searches,
            "frequencies": frequency_choices(),
            "limit": ss.MAX_SAVED_SEARCHES,
        },
    )


@login_required
@require_POST
def saved_search_create(request):
    scope = request.POST.get("scope", "")
    frequency = request.POST.get("frequency", "")
    params = request.POST.copy()
    for key in CONTROLS:
        params.pop(key, None)
    back = _browse_back(scope, request.POST)
    try:
        search = ss.save_search(request.user, scope, params, frequency)
    except DomainError as exc:
        return domain_error_response(request, exc, back_url=back)
    what = _("placements") if search.scope == SavedSearchScope.PLACEMENTS else _("events")
    names = {"what": what, "label": search.label, "how": ss.frequency_phrase(search.frequency)}
    if search.created:
        messages.success(
            request, _("We'll tell you about new %(what)s like “%(label)s” (%(how)s).") % names
        )
    else:
        messages.info(
            request,
            _("You had already saved this search. We'll tell you about new %(what)s like "
              "“%(label)s” (%(how)s).") % names,
        )  # fmt: skip
    return redirect(back)


@login_required
@require_POST
def saved_search_update(request, pk: int):
    search = get_object_or_404(ss.saved_searches_of(request.user), pk=pk)
    try:
        ss.set_frequency(request.user, search, request.POST.get("frequency", ""))
    except DomainError as exc:
        return domain_error_response(request, exc, back_url=reverse("notifications:saved_searches"))
    messages.success(
        request,
        _("We'll tell you about new matches for “%(label)s” (%(how)s).")
        % {"label": search.label, "how": ss.frequency_phrase(search.frequency)},
    )
    return redirect("notifications:saved_searches")


@login_required
@require_POST
def saved_search_delete(request, pk: int):
    search = get_object_or_404(ss.saved_searches_of(request.user), pk=pk)
    label = search.label
    ss.delete_search(request.user, search)
    messages.success(request, _("Deleted the saved search “%(label)s”.") % {"label": label})
    return redirect("notifications:saved_searches")
