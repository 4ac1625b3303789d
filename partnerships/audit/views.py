"""The audit trail for platform admins: a filtered list and its CSV."""

import csv
import datetime
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from partnerships.curriculum.exports import neutralise
from partnerships.organisations.permissions import is_platform_admin

from . import selectors
from .display import summary
from .forms import AuditFilterForm

PER_PAGE = 50
CSV_HEADER = [
    "When (UTC)",
    "Change",
    "Action",
    "Changed by",
    "Actor id",
    "Kind of record",
    "Record id",
    "Record",
    "Organisation",
    "Organisation id",
    "Summary",
    "Before",
    "After",
    "Request id",
    "IP address",
]


def _require_admin(request) -> None:
    if not is_platform_admin(request.user):
        raise PermissionDenied(_("Only platform admins can see the audit trail."))


def _form(request) -> AuditFilterForm:
    return AuditFilterForm(request.GET if request.GET else None)


@never_cache
@login_required
@require_GET
def entry_list(request):
    _require_admin(request)
    form = _form(request)
    filters = form.filters()
    page = Paginator(selectors.entry_list(filters=filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "audit/list.html",
        {"form": form, "page": page, "filtered": bool(filters)},
    )


class _Echo:
    def write(self, value):
        return value


def _rows(entries):
    yield CSV_HEADER
    for entry in entries.iterator(chunk_size=1000):
        yield [
            entry.created_at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
            entry.action_display,
            entry.action,
            entry.actor_display,
            entry.actor_id or "",
            entry.target_type_display,
            entry.target_id,
            entry.target_label,
            entry.organisation_label,
            entry.organisation_id or "",
            summary(entry),
            json.dumps(entry.before, ensure_ascii=False, sort_keys=True),
            json.dumps(entry.after, ensure_ascii=False, sort_keys=True),
            entry.request_id,
            entry.ip or "",
        ]


@never_cache
@login_required
@require_GET
def export_csv(request):
    """The filtered list as CSV (every page), streamed; cells a spreadsheet would run as a
    formula are neutralised."""
    _require_admin(request)
    entries = selectors.entry_list(filters=_form(request).filters())
    writer = csv.writer(_Echo())
    lines = (writer.writerow([neutralise(str(cell)) for cell in row]) for row in _rows(entries))
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
