from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from partnerships.core.errors import DomainError
from partnerships.core.http import domain_error_response
from partnerships.stories import selectors as story_selectors

from . import selectors, services
from .forms import (
    DirectoryFilterForm,
    InvitationForm,
    JoinRequestForm,
    OrganisationForm,
    RejectForm,
    RoleForm,
)
from .models import Invitation, JoinRequest, Kind, Membership, Organisation
from .permissions import (
    can_create_organisation,
    can_manage_organisation,
    can_request_to_join,
    can_verify_organisations,
    can_view_organisation,
    is_platform_admin,
    membership_of,
)


def _visible_or_404(request, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not can_view_organisation(request.user, organisation):
        raise Http404
    return organisation


def _managed_or_deny(request, slug: str) -> Organisation:
    organisation = _visible_or_404(request, slug)
    if not can_manage_organisation(request.user, organisation):
        raise PermissionDenied(_("Only the organisation's owners and admins can do that."))
    return organisation


def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
        if "sector" in filters:
            filters["sector"] = filters["sector"].slug
    page = Paginator(selectors.organisation_directory(**filters), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organisations/directory.html",
        {"form": form, "page": page, "filtered": bool(filters)},
    )


STORIES_ON_PAGE = 6


def _stories_panel(request, organisation: Organisation) -> dict:
    """The latest stories the visitor may see, and the showcase filtered to this organisation
    when it has published ones (the showcase shows nothing else)."""
    stories = list(
        story_selectors.organisation_story_cards(organisation, request.user)[: STORIES_ON_PAGE + 1]
    )
    showcase_url = None
    if any(story.is_published for story in stories):
        parameter = "institution" if organisation.kind == Kind.INSTITUTION else "partner"
        showcase_url = f"{reverse('stories:showcase')}?{urlencode({parameter: organisation.slug})}"
    return {
        "stories": stories[:STORIES_ON_PAGE],
        "more_stories": len(stories) > STORIES_ON_PAGE,
        "stories_showcase_url": showcase_url,
    }


def detail(request, slug: str):
    organisation = _visible_or_404(request, slug)
    membership = membership_of(request.user, organisation)
    pending_request = (
        request.user.is_authenticated
        and organisation.join_requests.filter(user=request.user, status="pending").first()
    )
    context = {
        "organisation": organisation,
        "membership": membership,
        "can_manage": can_manage_organisation(request.user, organisation),
        "can_join": can_request_to_join(request.user, organisation) and not pending_request,
        "pending_request": pending_request or None,
        "members": selectors.organisation_members(organisation)
        if request.user.is_authenticated
        else [],
        "join_form": JoinRequestForm(),
        **_stories_panel(request, organisation),
    }
    return render(request, "organisations/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    if not can_create_organisation(request.user):
        raise PermissionDenied(
            _("Students do not create organisations; add your institution to your profile.")
        )
    if is_platform_admin(request.user):
        kinds = list(Kind)
    else:
        kinds = [Kind.INSTITUTION if request.user.role == Role.UNIVERSITY else Kind.INDUSTRY]
    form = OrganisationForm(request.POST or None, request.FILES or None, allowed_kinds=kinds)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            organisation = services.organisation_create(actor=request.user, **data)
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(
                request,
                _(
                    "%(name)s has been created. A platform admin will verify it shortly; "
                    "we will email you when that happens."
                )
                % {"name": organisation.name},
            )
            return redirect(organisation)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "organisations/form.html", {"form": form, "creating": True}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug: str):
    organisation = _managed_or_deny(request, slug)
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        sectors = data.pop("sectors")
        if data.get("logo") is False:
            data["logo"] = ""
        elif data.get("logo") is None:
            data.pop("logo", None)
        try:
            services.organisation_update(
                actor=request.user, organisation=organisation, sectors=sectors, **data
            )
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("The organisation's details have been saved."))
            return redirect(organisation)
    status = 400 if request.method == "POST" else 200
    form.instance = organisation
    return render(
        request,
        "organisations/form.html",
        {"form": form, "organisation": organisation, "creating": False},
        status=status,
    )


@login_required
@require_POST
def resubmit(request, slug: str):
    organisation = _managed_or_deny(request, slug)
    return _run(
        request,
        lambda: services.organisation_resubmit(actor=request.user, organisation=organisation),
        success=_("%(org)s is waiting for verification again; platform admins have been told.")
        % {"org": organisation.name},
        redirect_to=organisation.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def people(request, slug: str):
    organisation = _visible_or_404(request, slug)
    membership = membership_of(request.user, organisation)
    can_manage = can_manage_organisation(request.user, organisation)
    if membership is None and not can_manage:
        raise PermissionDenied(_("Only members can see this page."))
    invite_form = InvitationForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the organisation's owners and admins can invite."))
        if invite_form.is_valid():
            try:
                invitation = services.invitation_create(
                    actor=request.user, organisation=organisation, **invite_form.cleaned_data
                )
            except DomainError as exc:
                invite_form.add_error(exc.field, exc.message)
                status = exc.status
            else:
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
                )
                return redirect("organisations:people", slug=slug)
    context = {
        "organisation": organisation,
        "membership": membership,
        "can_manage": can_manage,
        "members": selectors.organisation_members(organisation),
        "invitations": selectors.open_invitations(organisation) if can_manage else [],
        "join_requests": selectors.pending_join_requests(organisation) if can_manage else [],
        "invite_form": invite_form,
        "role_form": RoleForm(),
    }
    return render(request, "organisations/people.html", context, status=status)


def _run(request, action, *, success: str, redirect_to: str):
    """Run a service for a POST action: a message on success, a clear 4xx page on failure."""
    try:
        action()
    except DomainError as exc:
        return domain_error_response(request, exc, back_url=redirect_to)
    messages.success(request, success)
    return redirect(redirect_to)


@login_required
@require_POST
def membership_role(request, slug: str, pk: int):
    organisation = _visible_or_404(request, slug)
    target = get_object_or_404(Membership, pk=pk, organisation=organisation)
    form = RoleForm(request.POST)
    back = reverse("organisations:people", kwargs={"slug": slug})
    if not form.is_valid():
        return domain_error_response(request, DomainError(_("Choose a valid role.")), back_url=back)
    return _run(
        request,
        lambda: services.membership_change_role(
            actor=request.user, membership=target, role=form.cleaned_data["role"]
        ),
        success=_("%(name)s is now %(role)s.")
        % {"name": target.user.display_name, "role": form.cleaned_data["role"]},
        redirect_to=back,
    )


@login_required
@require_POST
def membership_remove(request, slug: str, pk: int):
    organisation = _visible_or_404(request, slug)
    target = get_object_or_404(Membership, pk=pk, organisation=organisation)
    return _run(
        request,
        lambda: services.membership_remove(actor=request.user, membership=target),
        success=_("%(name)s has been removed.") % {"name": target.user.display_name},
        redirect_to=reverse("organisations:people", kwargs={"slug": slug}),
    )


@login_required
@require_POST
def leave(request, slug: str):
    organisation = _visible_or_404(request, slug)
    return _run(
        request,
        lambda: services.membership_leave(user=request.user, organisation=organisation),
        success=_("You have left %(org)s.") % {"org": organisation.name},
        redirect_to=reverse("dashboard"),
    )


@login_required
@require_POST
def transfer(request, slug: str):
    organisation = _visible_or_404(request, slug)
    membership_id = request.POST.get("membership", "")
    if not (membership_id.isascii() and membership_id.isdigit()):
        raise Http404
    target = get_object_or_404(Membership, pk=int(membership_id), organisation=organisation)
    return _run(
        request,
        lambda: services.ownership_transfer(
            actor=request.user, organisation=organisation, new_owner=target.user
        ),
        success=_("%(name)s now owns %(org)s.")
        % {"name": target.user.display_name, "org": organisation.name},
        redirect_to=reverse("organisations:people", kwargs={"slug": slug}),
    )


@login_required
@require_POST
def invitation_resend(request, slug: str, pk: int):
    organisation = _managed_or_deny(request, slug)
    invitation = get_object_or_404(Invitation, pk=pk, organisation=organisation)
    return _run(
        request,
        lambda: services.invitation_resend(actor=request.user, invitation=invitation),
        success=_("Invitation sent again to %(email)s.") % {"email": invitation.email},
        redirect_to=reverse("organisations:people", kwargs={"slug": slug}),
    )


@login_required
@require_POST
def invitation_revoke(request, slug: str, pk: int):
    organisation = _managed_or_deny(request, slug)
    invitation = get_object_or_404(Invitation, pk=pk, organisation=organisation)
    return _run(
        request,
        lambda: services.invitation_revoke(actor=request.user, invitation=invitation),
        success=_("The invitation to %(email)s has been withdrawn.") % {"email": invitation.email},
        redirect_to=reverse("organisations:people", kwargs={"slug": slug}),
    )


@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    """The page an invitation email links to. Anonymous visitors are asked to log in first."""
    try:
        invitation = services.invitation_from_token(token)
        services.invitation_check_usable(invitation)
    except DomainError as exc:
        return render(
            request,
            "organisations/invitation_invalid.html",
            {"message": exc.message},
            status=exc.status,
        )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            services.invitation_accept(user=request.user, token=token)
        except DomainError as exc:
            return render(
                request,
                "organisations/invitation_invalid.html",
                {"message": exc.message},
                status=exc.status,
            )
        messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organisation.name})
        return redirect(invitation.organisation)
    return render(request, "organisations/invitation.html", {"invitation": invitation})


@login_required
@require_POST
def join(request, slug: str):
    organisation = _visible_or_404(request, slug)
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        return domain_error_response(
            request,
            DomainError(_("Your message is too long: keep it under 2,000 characters.")),
            back_url=organisation.get_absolute_url(),
        )
    message = form.cleaned_data["message"]
    return _run(
        request,
        lambda: services.join_request_create(
            user=request.user, organisation=organisation, message=message
        ),
        success=_("Your request has been sent to the owners of %(org)s.")
        % {"org": organisation.name},
        redirect_to=organisation.get_absolute_url(),
    )


@login_required
@require_POST
def join_request_decide(request, slug: str, pk: int, decision: str):
    if decision not in ("approve", "decline"):
        raise Http404
    organisation = _managed_or_deny(request, slug)
    join_request = get_object_or_404(JoinRequest, pk=pk, organisation=organisation)
    service = (
        services.join_request_approve if decision == "approve" else services.join_request_decline
    )
    return _run(
        request,
        lambda: service(actor=request.user, join_request=join_request),
        success=(
            _("%(name)s has joined.")
            if decision == "approve"
            else _("Request from %(name)s declined.")
        )
        % {"name": join_request.user.display_name},
        redirect_to=reverse("organisations:people", kwargs={"slug": slug}),
    )


@login_required
@require_POST
def join_request_cancel(request, pk: int):
    join_request = get_object_or_404(JoinRequest, pk=pk, user=request.user)
    return _run(
        request,
        lambda: services.join_request_cancel(user=request.user, join_request=join_request),
        success=_("Your request has been withdrawn."),
        redirect_to=reverse("dashboard"),
    )


@login_required
def verification_queue(request):
    if not can_verify_organisations(request.user):
        raise PermissionDenied(_("Only platform admins verify organisations."))
    page = Paginator(selectors.verification_queue(), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/verification_queue.html",
        {"page": page, "reject_form": RejectForm()},
    )


@login_required
@require_POST
def verification_decide(request, slug: str, decision: str):
    if decision not in ("verify", "reject"):
        raise Http404
    if not can_verify_organisations(request.user):
        raise PermissionDenied(_("Only platform admins verify organisations."))
    organisation = get_object_or_404(Organisation, slug=slug)
    back = reverse("organisations:verification_queue")
    if decision == "verify":
        return _run(
            request,
            lambda: services.organisation_verify(actor=request.user, organisation=organisation),
            success=_("%(org)s is verified; its owners have been told.")
            % {"org": organisation.name},
            redirect_to=back,
        )
    form = RejectForm(request.POST)
    if not form.is_valid():
        errors = " ".join(form.errors.get("reason", [])) or _("Give a reason.")
        return domain_error_response(request, DomainError(errors), back_url=back)
    reason = form.cleaned_data["reason"]
    return _run(
        request,
        lambda: services.organisation_reject(
            actor=request.user, organisation=organisation, reason=reason
        ),
        success=_("%(org)s has been rejected; its owners have been told why.")
        % {"org": organisation.name},
        redirect_to=back,
    )
