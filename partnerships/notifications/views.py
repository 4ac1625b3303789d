"""What a person sees of notifications: the inbox, opening and reading them, their email
preferences, and the unsubscribe page that email links and mail clients' buttons reach.

The unsubscribe page needs no sign-in: the signed token in the link names the person and what to
stop. A GET only asks (link scanners follow every link in an email); a POST, from the page's
button or a mail client's one-click button (RFC 8058, no CSRF token), makes the change.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import preferences as prefs
from . import selectors, services
from .forms import PreferencesForm
from .models import Frequency, NotificationType

PAGE_SIZE = 20


def local_path(url: str) -> str | None:
    """``url`` if it is a path on this site ("/placements/3/"), else None: a notification must
    never send anyone to another site, whatever was stored in it."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        return None
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return None
    return url


def _inbox_url(page: str | None = None, unread: str | None = None) -> str:
    """The inbox at the page and filter a form came from (only well-formed values kept)."""
    params = {}
    if unread == "1":
        params["unread"] = "1"
    if page and page.isascii() and page.isdigit():
        params["page"] = page
    url = reverse("notifications:inbox")
    return f"{url}?{urlencode(params)}" if params else url


@login_required
@require_GET
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.inbox(request.user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_explanations(page.object_list)
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "notifications": page.object_list, "unread_only": unread_only},
    )


@login_required
@require_GET
def open_notification(request, pk: int):
    """Mark it read and go to what it is about (someone else's answers 404)."""
    notification = get_object_or_404(selectors.inbox(request.user), pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    target = local_path(notification.url)
    if target is None:
        messages.warning(request, _("This notification has no page to open."))
        return redirect("notifications:inbox")
    return redirect(target)


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = get_object_or_404(selectors.inbox(request.user), pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    messages.success(request, _("Marked “%(title)s” as read.") % {"title": notification.title})
    return redirect(_inbox_url(request.POST.get("page"), request.POST.get("unread")))


@login_required
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    else:
        messages.info(request, _("You had no unread notifications."))
    return redirect(_inbox_url(unread=request.POST.get("unread")))


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    current = prefs.preferences_of(request.user)
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, initial=current)
    status = 200
    if form.is_bound:
        if form.is_valid():
            services.preferences_update(actor=request.user, changes=form.cleaned_data)
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
        status = 400
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "frequencies": Frequency},
        status=status,
    )


def _subject(what: str) -> str:
    """What an unsubscribe token stops, in words ("Placement approvals", "the daily digest")."""
    if what == "digest:daily":
        return _("the daily digest")
    if what == "digest:weekly":
        return _("the weekly digest")
    return _("“%(type)s”") % {"type": NotificationType(what).label}


@csrf_exempt  # mail clients' one-click POST carries no CSRF token; the signed token is the key
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    claim = prefs.read_unsubscribe_token(token)
    if claim is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user_id, what = claim
    person = get_user_model().objects.filter(pk=user_id).first()
    if person is None:
        return render(request, "notifications/unsubscribe_gone.html", status=404)
    context = {"what": what, "subject": _subject(what), "is_digest": what in prefs.DIGESTS}
    if request.method == "POST":
        turned_off = services.preferences_unsubscribe(person=person, what=what)
        context["turned_off"] = [NotificationType(t).label for t in turned_off]
        return render(request, "notifications/unsubscribe_done.html", context)
    if what in prefs.DIGESTS:
        context["types"] = [
            NotificationType(t).label
            for t, frequency in prefs.preferences_of(person).items()
            if frequency == prefs.DIGESTS[what]
        ]
    else:
        context["already_off"] = prefs.preferences_of(person)[what] == Frequency.OFF
    return render(request, "notifications/unsubscribe.html", context)
