"""Helpers shared by the placement pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from partnerships.core.errors import DomainError
from partnerships.core.http import domain_error_response

from ..models import Application, Placement
from ..permissions import can_manage_placement, can_view_application, can_view_placement


def run_action(request, action, *, success: str, redirect_to: str):
    """Run a service for a POST action: a message on success, a clear 4xx page on failure."""
    try:
        action()
    except DomainError as exc:
        return domain_error_response(request, exc, back_url=redirect_to)
    messages.success(request, success)
    return redirect(redirect_to)


def keep_on_form(form, exc: DomainError) -> int:
    """Put a service refusal on the form, so nothing typed is lost; return the status to answer."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    return exc.status


def bound(request) -> tuple:
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def placement_or_404(request, pk: int) -> Placement:
    placement = get_object_or_404(
        Placement.objects.select_related("organisation", "sector", "contact__profile"), pk=pk
    )
    if not can_view_placement(request.user, placement):
        raise Http404
    return placement


def managed_or_deny(request, pk: int) -> Placement:
    """404 when the person cannot see it; 403 when they can see it but not manage it."""
    placement = placement_or_404(request, pk)
    if not can_manage_placement(request.user, placement):
        raise PermissionDenied
    return placement


def application_or_404(request, pk: int) -> Application:
    application = get_object_or_404(
        Application.objects.select_related(
            "placement__organisation", "student__profile", "institution"
        ),
        pk=pk,
    )
    if not can_view_application(request.user, application):
        raise Http404
    return application
