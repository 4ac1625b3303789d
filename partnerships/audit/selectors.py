"""Reads of the audit trail, for platform admins only (views check before calling)."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEntry

SYSTEM_WORDS = {"system", "-"}
MAX_ID = 2**63 - 1


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def entry_list(*, filters: dict | None = None) -> QuerySet[AuditEntry]:
    """Entries newest first, filtered. Every column the list and the CSV show is stored on the
    entry itself, so this is one query whatever the page size."""
    filters = filters or {}
    entries = AuditEntry.objects.all()
    if action := filters.get("action"):
        entries = entries.filter(action=action)
    if organisation := filters.get("organisation"):
        entries = entries.filter(organisation_label__icontains=organisation)
    if actor := filters.get("actor"):
        if actor.strip().lower() in SYSTEM_WORDS:
            entries = entries.filter(actor_label="")
        else:
            entries = entries.filter(actor_label__icontains=actor.strip())
    if target_type := filters.get("target_type"):
        entries = entries.filter(target_type=target_type)
    if target := filters.get("target"):
        target = target.strip().lstrip("#")
        if target.isdigit():
            number = int(target)
            entries = entries.filter(target_id=number) if number <= MAX_ID else entries.none()
        else:
            entries = entries.filter(target_label__icontains=target)
    if start := filters.get("date_from"):
        entries = entries.filter(created_at__gte=_start_of(start))
    if end := filters.get("date_to"):
        entries = entries.filter(created_at__lt=_start_of(end + datetime.timedelta(days=1)))
    if q := filters.get("q"):
        q = q.strip()
        entries = entries.filter(
            Q(action__icontains=q)
            | Q(actor_label__icontains=q)
            | Q(target_label__icontains=q)
            | Q(organisation_label__icontains=q)
            | Q(request_id=q)
            | Q(before__icontains=q)
            | Q(after__icontains=q)
        )
    return entries.order_by("-created_at", "-pk")
