"""Partnerships between an institution and an industry partner: list, read, propose, run."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerships.core.errors import DomainError
from partnerships.core.files import serve_private_file
from partnerships.organisations.models import Kind, Organisation
from partnerships.organisations.permissions import can_act_for

from .. import selectors, services
from ..forms import AgreementForm, PartnershipForm, PartnershipProposeForm
from ..models import Partnership, PartnershipStatus
from ..permissions import OTHER_SIDE, can_change_partnership, can_manage_agreement
from ..services.partnerships import STATUS_MOVES
from ._common import bound, keep_on_form, run_action, verified_organisations

PS = PartnershipStatus
PAGE_SIZE = 20

STATUS_ACTIONS = {
    # action: (target status, button label, success message)
    "pause": (
        PS.PAUSED,
        gettext_lazy("Pause the partnership"),
        gettext_lazy("The partnership is paused."),
    ),
    "resume": (
        PS.ACTIVE,
        gettext_lazy("Resume the partnership"),
        gettext_lazy("The partnership is active again."),
    ),
    "end": (
        PS.ENDED,
        gettext_lazy("End the partnership"),
        gettext_lazy("The partnership has ended."),
    ),
}


def _visible_or_404(request, pk: int) -> Partnership:
    """Members of either organisation and platform admins; everyone else gets a 404."""
    return get_object_or_404(
        selectors.visible_partnerships(request.user).select_related(
            "proposed_by_organisation", "proposed_by__profile", "confirmed_by__profile"
        ),
        pk=pk,
    )


def awaiting_answer_from(partnership: Partnership) -> Organisation | None:
    """The organisation whose answer a proposed partnership waits for."""
    if partnership.status != PS.PROPOSED:
        return None
    if partnership.proposed_by_organisation_id == partnership.institution_id:
        return partnership.industry_partner
    return partnership.institution


@login_required
@require_GET
def index(request):
    page = Paginator(selectors.visible_partnerships(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "projects/partnership_list.html",
        {"page": page, "can_propose": bool(verified_organisations(request.user))},
    )


@login_required
@require_GET
def detail(request, pk: int):
    partnership = _visible_or_404(request, pk)
    user = request.user
    awaiting = awaiting_answer_from(partnership)
    can_change = can_change_partnership(user, partnership)
    actions = []
    if can_change:
        actions = [
            (name, label)
            for name, (target, label, _success) in STATUS_ACTIONS.items()
            if target in STATUS_MOVES[partnership.status]
        ]
    can_answer = awaiting is not None and can_act_for(user, awaiting)
    if can_answer:
        actions = []  # the side asked to confirm answers with confirm / decline instead
    context = {
        "partnership": partnership,
        "institution_contacts": partnership.institution_contacts.select_related("profile"),
        "industry_contacts": partnership.industry_contacts.select_related("profile"),
        "timeline": selectors.partnership_timeline(partnership),
        "can_change": can_change,
        "can_manage_agreement": can_manage_agreement(user, partnership),
        "awaiting": awaiting,
        "can_answer": can_answer,
        "actions": actions,
        "agreement_form": AgreementForm(),
    }
    return render(request, "projects/partnership_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def propose(request):
    organisations = verified_organisations(request.user)
    if not organisations:
        raise PermissionDenied(
            _("Only members of a verified organisation can propose a partnership.")
        )
    kinds = {OTHER_SIDE[Kind(o.kind)] for o in organisations}
    partners = (
        Organisation.objects.verified()
        .filter(kind__in=kinds)
        .exclude(pk__in=[o.pk for o in organisations])
        .order_by("name")
    )
    initial = {}
    target = partners.filter(slug=request.GET.get("to", "")).first()
    if target is not None:
        initial["to_organisation"] = target.pk
        mine = [o for o in organisations if o.kind != target.kind]
        if len(mine) == 1:
            pair = (mine[0], target) if mine[0].kind == Kind.INSTITUTION else (target, mine[0])
            initial["title"] = f"{pair[0].name} × {pair[1].name}"
    form = PartnershipProposeForm(
        bound(request)[0], organisations=organisations, partners=partners, initial=initial
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                partnership = services.partnership_propose(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Your proposal has been sent to %(org)s. They confirm it on this page.")
                    % {"org": form.cleaned_data["to_organisation"].name},
                )
                return redirect(partnership)
    return render(
        request,
        "projects/partnership_propose.html",
        {"form": form, "target": target},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    partnership = _visible_or_404(request, pk)
    if not can_change_partnership(request.user, partnership):
        raise PermissionDenied(
            _("Only members of the two verified organisations can change this partnership.")
        )
    form = PartnershipForm(bound(request)[0], instance=partnership)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.partnership_update(
                    actor=request.user,
                    partnership=partnership,
                    institution_contacts=list(data.pop("institution_contacts")),
                    industry_contacts=list(data.pop("industry_contacts")),
                    **data,
                )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(request, _("The partnership's details are saved."))
                return redirect(partnership)
    partnership.refresh_from_db()
    return render(
        request,
        "projects/partnership_form.html",
        {"form": form, "partnership": partnership},
        status=status,
    )


@login_required
@require_POST
def change_status(request, pk: int, action: str):
    partnership = _visible_or_404(request, pk)
    if action == "confirm":
        return run_action(
            request,
            lambda: services.partnership_confirm(actor=request.user, partnership=partnership),
            success=_("The partnership is confirmed and active."),
            redirect_to=partnership.get_absolute_url(),
        )
    if action == "decline":
        return run_action(
            request,
            lambda: services.partnership_decline(actor=request.user, partnership=partnership),
            success=_("You declined the partnership."),
            redirect_to=partnership.get_absolute_url(),
        )
    if action not in STATUS_ACTIONS:
        raise Http404
    target, _label, success = STATUS_ACTIONS[action]
    return run_action(
        request,
        lambda: services.partnership_set_status(
            actor=request.user, partnership=partnership, status=target
        ),
        success=str(success),
        redirect_to=partnership.get_absolute_url(),
    )


@login_required
@require_GET
def agreement(request, pk: int):
    partnership = _visible_or_404(request, pk)
    return serve_private_file(partnership.agreement, title=f"{partnership.title} agreement")


@login_required
@require_http_methods(["GET", "POST"])
def agreement_upload(request, pk: int):
    partnership = _visible_or_404(request, pk)
    if not can_manage_agreement(request.user, partnership):
        raise PermissionDenied(
            _("Only owners and admins of the two organisations manage the agreement.")
        )
    form = AgreementForm(*bound(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.partnership_upload_agreement(
                    actor=request.user,
                    partnership=partnership,
                    agreement=form.cleaned_data["agreement"],
                )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(request, _("The signed agreement is uploaded."))
                return redirect(partnership)
    return render(
        request,
        "projects/agreement_form.html",
        {"form": form, "partnership": partnership},
        status=status,
    )
