"""Institution settings for university sign-off: placement officers and the approval checklist.

Owners and admins of a verified institution (and platform admins) manage both; anyone else who can
see the institution gets 403, and 404 when they cannot see it at all.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partnerships.core.errors import DomainError
from partnerships.organisations.models import Kind, Organisation
from partnerships.organisations.permissions import can_view_organisation

from .. import services
from ..forms import ChecklistItemForm, OfficerForm
from ..models import ApprovalChecklistItem, PlacementOfficer
from ..permissions import can_manage_officers
from ._common import bound, keep_on_form, run_action

User = get_user_model()


def _institution_or_deny(request, slug: str) -> Organisation:
    """404 unless a visible institution; 403 unless a manager of a verified one."""
    institution = get_object_or_404(Organisation, slug=slug, kind=Kind.INSTITUTION)
    if not can_view_organisation(request.user, institution):
        raise Http404
    if not (institution.is_verified and can_manage_officers(request.user, institution)):
        raise PermissionDenied
    return institution


def _members(institution: Organisation):
    return (
        User.objects.filter(memberships__organisation=institution)
        .select_related("profile")
        .order_by("profile__display_name", "email")
    )


@login_required
@require_http_methods(["GET", "POST"])
def officers(request, slug: str):
    institution = _institution_or_deny(request, slug)
    current = list(
        PlacementOfficer.objects.filter(institution=institution)
        .select_related("user__profile", "appointed_by__profile")
        .order_by("user__profile__display_name", "user__email")
    )
    candidates = _members(institution).exclude(pk__in=[o.user_id for o in current])
    form = OfficerForm(*bound(request)[:1], members=candidates)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            user = form.cleaned_data["user"]
            try:
                services.officer_appoint(actor=request.user, institution=institution, user=user)
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s is now a placement officer.") % {"name": user.display_name},
                )
                return redirect("placements:officers", slug=institution.slug)
    return render(
        request,
        "placements/officers.html",
        {"institution": institution, "officers": current, "form": form},
        status=status,
    )


@login_required
@require_POST
def officer_remove(request, slug: str, user_id: int):
    institution = _institution_or_deny(request, slug)
    officer = get_object_or_404(
        PlacementOfficer.objects.select_related("user"), institution=institution, user_id=user_id
    )
    return run_action(
        request,
        lambda: services.officer_remove(
            actor=request.user, institution=institution, user=officer.user
        ),
        success=_("%(name)s is no longer a placement officer.")
        % {"name": officer.user.display_name},
        redirect_to=reverse("placements:officers", args=[institution.slug]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def checklist(request, slug: str):
    institution = _institution_or_deny(request, slug)
    form = ChecklistItemForm(*bound(request)[:1])
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.checklist_item_add(
                    actor=request.user, institution=institution, **form.cleaned_data
                )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(request, _("Item added to the approval checklist."))
                return redirect("placements:checklist", slug=institution.slug)
    return render(
        request,
        "placements/checklist.html",
        {
            "institution": institution,
            "items": services.checklist_items(institution),
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def checklist_remove(request, slug: str, pk: int):
    institution = _institution_or_deny(request, slug)
    item = get_object_or_404(
        ApprovalChecklistItem.objects.select_related("institution"),
        pk=pk,
        institution=institution,
        is_active=True,
    )
    return run_action(
        request,
        lambda: services.checklist_item_remove(actor=request.user, item=item),
        success=_("Item removed from the approval checklist."),
        redirect_to=reverse("placements:checklist", args=[institution.slug]),
    )
