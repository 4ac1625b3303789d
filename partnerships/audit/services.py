"""Writing audit entries, in the transaction of the change they describe.

Most entries are written by the model signals in ``signals`` (for every model in
``registry.TRACKED``). Code that changes a tracked field without ``Model.save()`` — a queryset
``update()`` — calls ``record_update`` right after it, or the change goes unrecorded.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import enum
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise

from . import context as audit_context
from .models import AuditEntry
from .registry import Tracked, specs_for

UNSET: Any = object()


def plain(value: Any) -> Any:
    """A value as it is stored in the entry's JSON (and compared for changes)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(item) for item in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    return value


def instance_value(instance: models.Model, name: str) -> Any:
    """The value a save writes for the field ``name`` (cleaned as the database would keep it)."""
    field = instance._meta.get_field(name)  # a name or an attname ("decided_by_id")
    value = getattr(instance, field.attname)
    if value is not None and not field.is_relation:
        # An invalid value fails the save itself; here it is recorded as it is.
        with contextlib.suppress(ValidationError, TypeError, ValueError):
            value = field.to_python(value)
    return plain(value)


def _clip(text: str, length: int) -> str:
    text = str(text or "")
    return text if len(text) <= length else text[: length - 1] + "…"


def _actor_fields(actor) -> dict[str, Any]:
    if actor is None:
        return {"actor_id": None, "actor_label": ""}
    if isinstance(actor, int):
        email = get_user_model().objects.filter(pk=actor).values_list("email", flat=True).first()
        return {"actor_id": actor, "actor_label": _clip(email or f"#{actor}", 254)}
    return {"actor_id": actor.pk, "actor_label": _clip(actor.email, 254)}


def build_entry(
    action: str,
    *,
    target_type: str,
    target_id: int,
    target_label: str = "",
    before: dict | None = None,
    after: dict | None = None,
    organisation_id: int | None = None,
    organisation_label: str = "",
    actor=UNSET,
    fallback_actor=None,
) -> AuditEntry:
    """An unsaved entry: the actor and request come from the current context unless given.
    ``fallback_actor`` (a user or a user id) is used when the context has nobody."""
    now = audit_context.current()
    if actor is UNSET:
        actor = now.actor if now.actor is not None else fallback_actor
    return AuditEntry(
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=_clip(target_label, 300),
        organisation_id=organisation_id,
        organisation_label=_clip(organisation_label, 160),
        before=plain(before or {}),
        after=plain(after or {}),
        request_id=now.request_id[:64],
        ip=now.ip,
        **_actor_fields(actor),
    )


def build_from_spec(
    spec: Tracked,
    row: dict,
    *,
    action: str,
    target_id: int,
    before: dict,
    after: dict,
    actor=UNSET,
    fallback_actor=None,
) -> AuditEntry:
    """An entry for a tracked model, its label and organisation read from ``row`` (the values
    of ``spec.lookups``)."""
    organisation_id = organisation_label = None
    if spec.organisation:
        organisation_id = row.get(spec.organisation[0])
        organisation_label = row.get(spec.organisation[1])
    try:
        label = spec.label(row)
    except (KeyError, TypeError):
        label = f"{spec.label_lower}#{target_id}"
    return build_entry(
        action,
        target_type=spec.label_lower,
        target_id=target_id,
        target_label=label,
        before=before,
        after=after,
        organisation_id=organisation_id,
        organisation_label=organisation_label or "",
        actor=actor,
        fallback_actor=fallback_actor,
    )


def record(
    action: str,
    *,
    target: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    organisation=None,
    label: str | None = None,
    actor=UNSET,
) -> AuditEntry:
    """Write one entry by hand (for a change the signals cannot see). Call it inside the
    change's transaction. The actor is the current request's user unless ``actor`` is given."""
    entry = build_entry(
        action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        target_label=label if label is not None else str(target),
        before=before,
        after=after,
        organisation_id=getattr(organisation, "pk", organisation),
        organisation_label=str(organisation) if isinstance(organisation, models.Model) else "",
        actor=actor,
    )
    entry.save()
    return entry


def record_update(
    instances: Iterable[models.Model],
    *,
    before: dict | None = None,
    actor=UNSET,
    **after: Any,
) -> list[AuditEntry]:
    """Record a queryset ``update(**after)`` of tracked fields, one entry per row that changed.

    Call it right after the update, inside its transaction, with the rows as they were loaded
    before it (their attributes give the old values) or with ``before`` when every row had the
    same old values: ``record_update(rows, status="rejected")``. Label and organisation are
    read in one query; the entries are written in one insert.
    """
    instances = [i for i in instances if i.pk is not None]
    if not instances:
        return []
    model = instances[0]._meta.concrete_model
    specs = [s for s in specs_for(model._meta.label_lower) if set(s.fields) & set(after)]
    if not specs:
        return []
    lookups = tuple(dict.fromkeys(lookup for spec in specs for lookup in spec.lookups))
    rows = {
        row["pk"]: row
        for row in model._base_manager.filter(pk__in=[i.pk for i in instances]).values(
            "pk", *lookups
        )
    }
    entries = []
    for instance in instances:
        row = rows.get(instance.pk)
        if row is None:
            continue
        for spec in specs:
            old, new = {}, {}
            for name in (*spec.fields, *spec.context):
                if name in after:
                    new[name] = plain(after[name])
                    given = before is not None and name in before
                    old[name] = plain(before[name]) if given else instance_value(instance, name)
                else:
                    old[name] = new[name] = plain(row.get(name))
            if all(old[name] == new[name] for name in spec.fields):
                continue
            entries.append(
                build_from_spec(
                    spec,
                    row,
                    action=spec.action,
                    target_id=instance.pk,
                    before=old,
                    after=new,
                    actor=actor,
                )
            )
    return AuditEntry.objects.bulk_create(entries)
