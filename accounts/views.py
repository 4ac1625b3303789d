from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from partnerships.core.errors import DomainError
from partnerships.core.http import domain_error_response
from partnerships.organisations import selectors as org_selectors
from partnerships.organisations.permissions import is_platform_admin

from . import erasure, privacy, selectors, services
from .forms import AccountDeleteForm, ProfileForm
from .models import Profile, Role


@login_required
def dashboard(request):
    """One page per role: what needs doing now, and how to get started when nothing does."""
    user = request.user
    profile = user.profile
    completeness, missing = selectors.profile_completeness(profile)
    context = {"profile": profile, "completeness": completeness, "missing": missing}
    if user.role in (Role.UNIVERSITY, Role.INDUSTRY) or is_platform_admin(user):
        context["memberships"] = org_selectors.user_memberships(user)
        context["requests_to_answer"] = org_selectors.pending_join_requests_for_managers(user)
        context["my_requests"] = user.join_requests.filter(status="pending").select_related(
            "organisation"
        )
    if is_platform_admin(user):
        context["verification_queue"] = org_selectors.verification_queue()[:10]
        context["verification_count"] = org_selectors.verification_queue().count()
    template = {
        Role.STUDENT: "accounts/dashboard_student.html",
        Role.UNIVERSITY: "accounts/dashboard_university.html",
        Role.INDUSTRY: "accounts/dashboard_industry.html",
        Role.ADMIN: "accounts/dashboard_admin.html",
    }[user.role if user.role in Role.values else Role.STUDENT]
    if is_platform_admin(user):
        template = "accounts/dashboard_admin.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = request.user.profile
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        skills, sectors = data.pop("skills"), data.pop("sectors")
        if data.get("avatar") is False:  # "clear" ticked
            data["avatar"] = ""
        elif data.get("avatar") is None or data.get("avatar") == profile.avatar:
            data.pop("avatar", None)
        try:
            services.profile_update(
                actor=request.user, profile=profile, skills=skills, sectors=sectors, **data
            )
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile", pk=profile.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/profile_form.html", {"form": form}, status=status)


@login_required
def profile_detail(request, pk: int):
    profile = selectors.visible_profiles(request.user).filter(pk=pk).first()
    if profile is None:
        raise Http404
    memberships = profile.user.memberships.select_related("organisation").filter(
        organisation__status="verified"
    )
    return render(
        request,
        "accounts/profile_detail.html",
        {
            "profile": profile,
            "memberships": memberships,
            "is_me": profile.user_id == request.user.pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    """Create, show or revoke the personal API token used with ``Authorization: Token …``."""
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        if request.POST.get("action") == "create":
            Token.objects.create(user=request.user)
            messages.success(request, _("A new API token has been created. Keep it secret."))
        else:
            messages.success(request, _("Your API token has been revoked."))
        return redirect("accounts:api_token")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/api_token.html", {"token": token})


@require_POST
@login_required
def profile_avatar_clear(request):
    profile = get_object_or_404(Profile, user=request.user)
    services.profile_update(actor=request.user, profile=profile, avatar="")
    messages.success(request, _("Your picture has been removed."))
    return redirect("accounts:profile_edit")


def admin_login(request, extra_context=None):
    """Replaces the Django admin's own log-in form, which would bypass allauth's rate limits.

    Anonymous visitors go to the allauth log-in page; signed-in staff go to the admin; anybody
    else is refused. A POST never authenticates here.
    """
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
    from django.utils.http import url_has_allowed_host_and_scheme

    next_url = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if request.user.is_active and request.user.is_staff:
        return redirect(next_url)
    raise DjangoPermissionDenied(_("Your account cannot use the administration site."))


# --- Privacy: the policy, downloading your data, deleting your account ----------------------


def privacy_policy(request):
    """The public privacy page; the periods it states come from settings."""
    return render(
        request,
        "accounts/privacy_policy.html",
        {
            "cv_retention_days": settings.CV_RETENTION_DAYS,
            "exports_per_hour": settings.PRIVACY_EXPORTS_PER_HOUR,
            "session_days": settings.SESSION_COOKIE_AGE // 86400,
        },
    )


@login_required
@require_GET
def privacy_data(request):
    """Account settings → Your data: download it, or delete the account."""
    return render(
        request,
        "accounts/privacy_data.html",
        {"exports_per_hour": settings.PRIVACY_EXPORTS_PER_HOUR},
    )


@login_required
@require_POST
@reauthentication_required
def privacy_export(request):
    """The ZIP of everything about the person (data.json and their files), after they have
    confirmed their password; at most ``PRIVACY_EXPORTS_PER_HOUR`` an hour (429 beyond)."""
    try:
        privacy.export_allowance_consume(request.user)
    except DomainError as exc:
        return domain_error_response(request, exc, back_url=reverse("accounts:privacy_data"))
    return privacy.export_response(request.user)


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def account_delete(request):
    """Explain what deleting removes and what organisations keep; delete after the person typed
    their email address and confirmed their password (400 on a wrong address, 409 while they
    are the last owner of an organisation)."""
    form = AccountDeleteForm(request.POST or None)
    blocking = erasure.organisations_blocking_deletion(request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                erasure.account_delete(
                    actor=request.user,
                    user=request.user,
                    confirm_email=form.cleaned_data["email"],
                )
            except DomainError as exc:
                form.add_error("email" if exc.field == "email" else None, exc.message)
                status = exc.status
                blocking = erasure.organisations_blocking_deletion(request.user)
            else:
                logout(request)
                messages.success(
                    request,
                    _("Your account has been deleted. We have sent a confirmation by email."),
                )
                return redirect("home")
    return render(
        request,
        "accounts/account_delete.html",
        {"form": form, "blocking": blocking},
        status=status,
    )
