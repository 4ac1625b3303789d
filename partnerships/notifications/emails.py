"""Notification emails: instant ones and daily or weekly digests, each with one-click unsubscribe.

Both claim their rows before sending (``emailed_at``; digests also by the unique
(user, frequency, period) row), so a job that runs twice, or on two workers, emails once.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from partnerships.core.mail import render_email
from partnerships.core.tasks import send_email

from .models import Digest, Frequency, Notification
from .preferences import unsubscribe_token
from .selectors import with_explanations

logger = logging.getLogger(__name__)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(user_id: int, type_: str) -> str:
    token = unsubscribe_token(user_id, type_)
    return _absolute(reverse("notifications:unsubscribe", kwargs={"token": token}))


def _headers(url: str) -> dict:
    """RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to ``url``."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _send(to: str, template: str, context: dict, unsubscribe: str) -> None:
    rendered = render_email(
        template,
        {
            **context,
            "unsubscribe_url": unsubscribe,
            "preferences_url": _absolute(reverse("notifications:preferences")),
        },
    )
    send_email.apply_async(
        kwargs={**rendered, "to": [to], "headers": _headers(unsubscribe)},
        queue=settings.CELERY_TASK_DEFAULT_QUEUE,
    )


def send_instant(*, event_id: int | None = None, limit: int = 5000) -> int:
    """Email each unsent ``instant`` notification (of one domain event, or all)."""
    now = timezone.now()
    with transaction.atomic():
        pending = Notification.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            frequency=Frequency.INSTANT, emailed_at__isnull=True
        )
        if event_id is not None:
            pending = pending.filter(event_id=event_id)
        ids = list(pending.order_by("pk").values_list("pk", flat=True)[:limit])
        Notification.objects.filter(pk__in=ids).update(emailed_at=now)
    # Claimed above whoever they are for; emailed only to active accounts with an address (a
    # closed account gets nothing, and its rows are not retried every minute either).
    notifications = with_explanations(
        Notification.objects.filter(pk__in=ids, recipient__is_active=True)
        .exclude(recipient__email="")
        .select_related("recipient__profile")
    )
    sent = 0
    for notification in notifications:
        try:
            _send(
                notification.recipient.email,
                "notifications/instant",
                {"notification": notification, "person": notification.recipient},
                unsubscribe_url(notification.recipient_id, notification.type),
            )
        except Exception:
            # The broker went away mid-run: give back the claim on everything not yet queued,
            # so the beat safety net sends it later instead of it being lost.
            unsent = [n.pk for n in notifications[sent:]]
            Notification.objects.filter(pk__in=unsent).update(emailed_at=None)
            logger.warning("Could not queue %d instant emails; released for retry", len(unsent))
            raise
        sent += 1
    return sent


def period_for(frequency: str, now: datetime.datetime) -> datetime.date:
    today = timezone.localdate(now)
    if frequency == Frequency.WEEKLY:
        return today - datetime.timedelta(days=today.weekday())
    return today


def claim_digests(frequency: str, *, now=None) -> list[int]:
    """Create this period's digest for everyone with pending notifications of ``frequency``
    and attach those notifications to it, set-based. Returns the digest ids created now (a
    second run in the same period creates none)."""
    now = now or timezone.now()
    period = period_for(frequency, now)
    pending = Notification.objects.filter(
        frequency=frequency, emailed_at__isnull=True, created_at__lte=now
    )
    with transaction.atomic():
        mine = Digest.objects.filter(frequency=frequency, period=period, created_at=now)
        if mine.exists():
            # A run with this very ``now`` already claimed (and sent) these digests: the
            # ``created_at=now`` lookup below would hand them out a second time.
            return []
        users = pending.values("recipient_id").annotate(n=Count("pk")).order_by("recipient_id")
        existing = set(
            Digest.objects.filter(frequency=frequency, period=period).values_list(
                "user_id", flat=True
            )
        )
        fresh = [
            Digest(
                user_id=row["recipient_id"],
                frequency=frequency,
                period=period,
                items=row["n"],
                created_at=now,
            )
            for row in users.iterator(chunk_size=5000)
            if row["recipient_id"] not in existing
        ]
        Digest.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=5000)
        ids = list(mine.values_list("pk", flat=True))
        own = mine.filter(user_id=OuterRef("recipient_id"))
        pending.filter(Exists(own)).update(digest_id=Subquery(own.values("pk")[:1]), emailed_at=now)
    return ids


def send_digests(frequency: str, *, now=None, batch: int = 500) -> int:
    """Claim this period's digests, then email each (items grouped once per person)."""
    now = now or timezone.now()
    ids = claim_digests(frequency, now=now)
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        notifications = with_explanations(
            Notification.objects.filter(digest_id__in=chunk).order_by("digest_id", "-created_at")
        )
        by_digest: dict[int, list] = {}
        for notification in notifications:
            by_digest.setdefault(notification.digest_id, []).append(notification)
        digests = list(
            Digest.objects.filter(pk__in=chunk).select_related("user__profile").order_by("pk")
        )
        for position, digest in enumerate(digests):
            items = by_digest.get(digest.pk, [])
            if not items or not digest.user.is_active or not digest.user.email:
                continue  # nothing left to tell, or a closed account
            try:
                _send(
                    digest.user.email,
                    f"notifications/digest_{frequency}",
                    {"person": digest.user, "items": items, "digest": digest},
                    unsubscribe_url(digest.user_id, f"digest:{frequency}"),
                )
            except Exception:
                release_digests([d.pk for d in digests[position:]] + ids[start + batch :])
                raise
    return len(ids)


def release_digests(digest_ids: list[int]) -> None:
    """Undo the claim of digests that could not be queued (the broker went away): their items
    go back to pending and the digest rows are removed, so the next run sends them."""
    with transaction.atomic():
        Notification.objects.filter(digest_id__in=digest_ids).update(
            digest_id=None, emailed_at=None
        )
        Digest.objects.filter(pk__in=digest_ids).delete()
    logger.warning("Could not queue %d digests; released for the next run", len(digest_ids))
