"""Browse and read placements; the studio posts, edits and moves them through their life cycle."""

import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerships.core.errors import DomainError
from partnerships.core.page_cache import (
    anonymous_page_cache,
    shared_filter_fields,
    shared_fragments,
    shared_items,
)
from partnerships.organisations.models import Kind, Organisation
from partnerships.organisations.permissions import member_organisation_ids

from .. import selectors, services
from ..forms import BrowseForm, PlacementForm
from ..models import Application, ApplicationStatus, PlacementStatus
from ..permissions import can_manage_placement, can_post_placement, is_eligible, is_studio
from ._common import bound, keep_on_form, managed_or_deny, placement_or_404, run_action

User = get_user_model()
PAGE_SIZE = 20
SOON = datetime.timedelta(days=14)
S = PlacementStatus

ACTIONS = {
    "publish": (services.placement_publish, gettext_lazy("The placement is published and open.")),
    "close": (
        services.placement_close,
        gettext_lazy("The placement no longer takes applications."),
    ),
    "reopen": (
        services.placement_reopen,
        gettext_lazy("The placement is open for applications again."),
    ),
}
ACTIONS_FROM = {"publish": {S.DRAFT}, "close": {S.OPEN}, "reopen": {S.CLOSED}}


def posting_organisations(user) -> list[Organisation]:
    member_orgs = member_organisation_ids(user)
    if not member_orgs:  # students, visitors: no query
        return []
    orgs = Organisation.objects.verified().filter(pk__in=member_orgs, kind=Kind.INDUSTRY)
    return [o for o in orgs.order_by("name") if can_post_placement(user, o)]


@require_GET
@anonymous_page_cache("placements")
def browse(request):
    form = BrowseForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = form.filters()
        if form.cleaned_data["deadline_soon"]:
            filters["deadline_before"] = timezone.now() + SOON
    filtered = bool(form.is_bound and any(filters.values()))

    def render_listing() -> tuple[str, str]:
        # Open placements are the same for everyone (drafts are never listed here), so the
        # list is made for an anonymous visitor and shared by whoever asks for this URL. The
        # query reads ids only; each card is drawn once and shared by every list it is on.
        found = selectors.placement_browse(AnonymousUser(), **filters)
        ids = found.prefetch_related(None).values_list("pk", flat=True)
        page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
        cards = shared_items("placements", "card", list(page.object_list), _draw_cards)
        context = {
            "form": form,
            "page": page,
            "cards": cards,
            "filtered": filtered,
            "request": request,
        }
        return (render_to_string("placements/_browse_results.html", context),)

    (results_html,) = shared_fragments("placements", request, "browse", render_listing)
    return render(
        request,
        "placements/browse.html",
        {
            "form": form,
            "filter_fields_html": shared_filter_fields(
                "placements", request, form, "placements/_browse_filter_fields.html"
            ),
            "filtered": filtered,
            "results_html": results_html,
            "can_post": bool(posting_organisations(request.user)),
        },
    )


def _draw_cards(ids: list[int]) -> dict[int, str]:
    return {
        placement.pk: render_to_string("placements/_card.html", {"placement": placement})
        for placement in selectors.placement_cards(ids)
    }


@require_GET
@anonymous_page_cache("placements")
def detail(request, pk: int):
    placement = placement_or_404(request, pk)
    placement = selectors.with_questions(placement)
    user = request.user
    mine = None
    if user.is_authenticated:
        mine = Application.objects.filter(placement=placement, student=user).first()
    studio = is_studio(user, placement)
    return render(
        request,
        "placements/detail.html",
        {
            "placement": placement,
            "my_application": mine,
            "eligible": is_eligible(user, placement),
            "is_studio": studio,
            "can_manage": can_manage_placement(user, placement),
            "counts": _labelled(selectors.pipeline_counts(placement)) if studio else None,
            "actions": [name for name, froms in ACTIONS_FROM.items() if placement.status in froms],
        },
    )


def _labelled(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(label, counts[value]) for value, label in ApplicationStatus.choices if value in counts]


def _members(organisation):
    return User.objects.filter(memberships__organisation=organisation).order_by("pk")


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    organisations = posting_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    organisation = organisations[0]
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    for org in organisations:
        if str(org.pk) == wanted:
            organisation = org
    form = PlacementForm(
        *bound(request), members=_members(organisation), initial={"contact": request.user.pk}
    )
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.service_data()
            try:
                placement = services.placement_create(
                    actor=request.user, organisation=organisation, **data
                )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(request, _("Draft saved. Publish it when it is ready."))
                return redirect("placements:detail", pk=placement.pk)
    return render(
        request,
        "placements/form.html",
        {"form": form, "organisation": organisation, "organisations": organisations},
        status=status,
    )


def _initial(placement) -> dict:
    fields = [f for f in services.PLACEMENT_FIELDS if f != "contact"]
    initial = {name: getattr(placement, name) for name in fields}
    initial.update(
        contact=placement.contact_id,
        required_skills=list(placement.required_skills.all()),
        nice_skills=list(placement.nice_skills.all()),
        eligible_institutions=list(placement.eligible_institutions.all()),
        questions="\n".join(q.text for q in placement.questions.all()),
        deadline=timezone.localtime(placement.deadline),
    )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    placement = managed_or_deny(request, pk)
    locked = placement.applications.exclude(status=ApplicationStatus.DRAFT).exists()
    form = PlacementForm(
        *bound(request),
        members=_members(placement.organisation),
        initial=_initial(placement),
        questions_locked=locked,
    )
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.placement_update(
                    actor=request.user, placement=placement, **form.service_data()
                )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("placements:detail", pk=placement.pk)
    return render(
        request,
        "placements/form.html",
        {"form": form, "placement": placement, "organisation": placement.organisation},
        status=status,
    )


@login_required
@require_POST
def transition(request, pk: int, action: str):
    placement = managed_or_deny(request, pk)
    if action not in ACTIONS:
        raise Http404
    service, success = ACTIONS[action]
    return run_action(
        request,
        lambda: service(actor=request.user, placement=placement),
        success=success,
        redirect_to=reverse("placements:detail", args=[placement.pk]),
    )
