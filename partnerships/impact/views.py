"""Impact dashboards: an organisation's own figures (its members and platform admins) and the
platform's (platform admins), each with CSV exports of every figure, HE-BCI Table 5 and the KEF
perspectives. Views parse the filters, check who may look, and hand over to the selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from partnerships.organisations.models import Organisation
from partnerships.organisations.selectors import visible_organisations

from . import export, metrics, selectors
from .forms import ImpactFilterForm
from .metrics import Scope
from .permissions import can_view_organisation_impact, can_view_platform_impact

NO_ORGANISATION = gettext_lazy(
    "Impact figures belong to an organisation: join your university or studio on Tandem (or "
    "create it) to see its dashboard."
)


@login_required
@require_GET
def index(request):
    """Send people to the dashboard they may see: platform admins to the platform's, members of
    one organisation to its own, members of several to a pick-list."""
    organisations = list(selectors.impact_organisations(request.user))
    if can_view_platform_impact(request.user) and not organisations:
        return redirect("impact:platform")
    if len(organisations) == 1 and not can_view_platform_impact(request.user):
        return redirect("impact:organisation", slug=organisations[0].slug)
    if not organisations:
        raise PermissionDenied(NO_ORGANISATION)
    return render(
        request,
        "impact/index.html",
        {
            "organisations": organisations,
            "platform": can_view_platform_impact(request.user),
        },
    )


def _organisation_or_deny(request, slug: str) -> Organisation:
    """404 when the organisation is not visible to the person; 403 when it is but they are not
    a member (or a platform admin)."""
    organisation = get_object_or_404(visible_organisations(request.user), slug=slug)
    if not can_view_organisation_impact(request.user, organisation):
        raise PermissionDenied(
            _("Only members of %(org)s and platform admins see its impact figures.")
            % {"org": organisation.name}
        )
    return organisation


def _require_platform(request) -> None:
    if not can_view_platform_impact(request.user):
        raise PermissionDenied(_("Only platform admins see the figures across the platform."))


def _dashboard(request, *, organisation: Organisation | None):
    platform = organisation is None
    form = ImpactFilterForm(request.GET, with_organisation=platform)
    context = {"form": form, "organisation": organisation, "platform": platform}
    if platform:
        exports = {name: reverse(f"impact:platform_{name}_csv") for name in EXPORTS}
    else:
        exports = {
            name: reverse(f"impact:organisation_{name}_csv", args=[organisation.slug])
            for name in EXPORTS
        }
    if not form.is_valid():
        context["exports"] = exports
        return render(request, "impact/dashboard.html", context, status=400)
    scope = form.scope(organisation)
    query = form.query_string()
    context.update(
        scope=scope,
        period_text=form.period_text(),
        sections=(sections := selectors.impact_dashboard(scope)),
        headlines=selectors.headlines(sections),
        exports={name: f"{url}?{query}" if query else url for name, url in exports.items()},
    )
    return render(request, "impact/dashboard.html", context)


@login_required
@require_GET
def organisation(request, slug: str):
    return _dashboard(request, organisation=_organisation_or_deny(request, slug))


@login_required
@require_GET
def platform(request):
    _require_platform(request)
    return _dashboard(request, organisation=None)


# --------------------------------------------------------------------------------------- CSV

EXPORTS = {
    "figures": lambda scope: export.figures_csv(metrics.all_figures(scope)),
    "hebci": lambda scope: export.hebci_table5_csv(export.hebci_table5_rows(scope)),
    "kef": lambda scope: export.kef_csv(export.kef_perspectives(scope)),
}
FILENAMES = {"figures": "impact-figures", "hebci": "hebci-table5", "kef": "kef-perspectives"}


def _filename(kind: str, scope: Scope) -> str:
    """e.g. ``impact-figures-northbridge-2025-08-01-to-2026-07-31.csv``: ASCII only, so the
    header needs no quoting rules beyond the plain quotes."""
    whose = slugify(scope.organisation.slug) if scope.organisation else "platform"
    parts = [FILENAMES[kind], whose]
    if scope.sector is not None:
        parts.append(slugify(scope.sector.slug))
    if scope.start or scope.end:
        parts.append(
            f"{scope.start.isoformat() if scope.start else 'start'}-to-"
            f"{scope.end.isoformat() if scope.end else 'now'}"
        )
    return "-".join(part for part in parts if part) + ".csv"


def _csv(request, kind: str, *, organisation: Organisation | None):
    if kind not in EXPORTS:
        raise Http404
    form = ImpactFilterForm(request.GET, with_organisation=organisation is None)
    if not form.is_valid():
        problems = "\n".join(
            f"{form.fields[name].label if name in form.fields else name}: {error}"
            for name, errors in form.errors.items()
            for error in errors
        )
        return HttpResponse(problems + "\n", status=400, content_type="text/plain; charset=utf-8")
    scope = form.scope(organisation)
    response = HttpResponse(EXPORTS[kind](scope), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(kind, scope)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def organisation_csv(request, slug: str, kind: str):
    return _csv(request, kind, organisation=_organisation_or_deny(request, slug))


@login_required
@require_GET
def platform_csv(request, kind: str):
    _require_platform(request)
    return _csv(request, kind, organisation=None)
