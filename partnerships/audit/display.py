"""Reading an entry: its before and after as labelled, human values (no database queries)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from .registry import ACTION_LABELS, TARGET_LABELS

EMPTY = "—"


@dataclass(frozen=True)
class Change:
    name: str
    label: str
    before: str
    after: str
    changed: bool


def _field(target_type: str, name: str):
    try:
        return apps.get_model(target_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


def readable(field, value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) if value else _("none")
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    if value in choices:
        return str(choices[value])
    is_datetime = field is not None and field.get_internal_type() == "DateTimeField"
    if isinstance(value, str) and is_datetime:
        moment = parse_datetime(value)
        if moment is not None:
            return date_format(localtime(moment), "DATETIME_FORMAT")
    return str(value)


def changes_of(entry) -> list[Change]:
    names = list(dict.fromkeys([*entry.before, *entry.after]))
    result = []
    for name in names:
        field = _field(entry.target_type, name)
        label = str(field.verbose_name) if field is not None else name.replace("_", " ")
        before = entry.before.get(name) if name in entry.before else None
        after = entry.after.get(name) if name in entry.after else None
        result.append(
            Change(
                name=name,
                label=label[:1].upper() + label[1:],
                before=readable(field, before) if name in entry.before else EMPTY,
                after=readable(field, after) if name in entry.after else EMPTY,
                changed=entry.before.get(name, object()) != entry.after.get(name, object()),
            )
        )
    return result


def summary(entry) -> str:
    """One line for the CSV: "Verification: Pending → Verified; Reason: — → Spam"."""
    return "; ".join(
        f"{change.label}: {change.before} → {change.after}"
        for change in changes_of(entry)
        if change.changed
    )


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def target_type_label(target_type: str) -> str:
    label = TARGET_LABELS.get(target_type)
    return str(label) if label is not None else target_type
