"""What the audit trail watches: for each model, the fields whose change writes an entry.

Add a ``Tracked`` here to audit another change; ``signals`` connects the receivers for every model
named below when the app is ready. Values are read with ``.values()`` lookups, so a label or an
organisation can come from a related row (``"placement__organisation_id"``) in the same query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tracked:
    model: str  # "app_label.ModelName"
    action: str  # "organisation.verification"
    fields: tuple[str, ...]  # a change to any of these writes an entry
    # Shown beside the change (the reason for a decision), never a trigger on their own.
    context: tuple[str, ...] = ()
    # Lookups giving the organisation an entry is filed under (id and name), if any.
    organisation: tuple[str, str] | None = None
    # Lookups read for the label, and how to build it from those values.
    label_lookups: tuple[str, ...] = ()
    label: Callable[[dict], str] = str
    # The row's own "changed by" field, used when there is no request (a task, a command) and
    # the save wrote that field.
    actor_field: str | None = None
    # Creation and deletion: write an entry when the row is created with values that matter
    # (``on_create`` says which) or whenever it is deleted.
    on_create: Callable[[dict], bool] | None = None
    on_delete: bool = False
    create_action: str = ""
    delete_action: str = ""

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def label_lower(self) -> str:
        return self.model_class._meta.label_lower

    @property
    def lookups(self) -> tuple[str, ...]:
        """Every value read from the database for this spec."""
        extra = list(self.label_lookups)
        if self.organisation:
            extra.extend(self.organisation)
        if self.actor_field:
            extra.append(self.actor_field)
        return tuple(dict.fromkeys((*self.fields, *self.context, *extra)))


def _membership_label(v: dict) -> str:
    return f"{v['user__email']} @ {v['organisation__name']}"


def _application_label(v: dict) -> str:
    return f"{v['student__email']} → {v['placement__title']}"


def _approval_label(v: dict) -> str:
    return f"{v['application__student__email']} → {v['application__placement__title']}"


TRACKED: tuple[Tracked, ...] = (
    Tracked(
        model="organisations.Organisation",
        action="organisation.verification",
        fields=("status",),
        context=("status_reason",),
        organisation=("id", "name"),
        label_lookups=("name",),
        label=lambda v: v["name"],
        actor_field="status_changed_by_id",
    ),
    Tracked(
        model="organisations.Membership",
        action="membership.role",
        fields=("role",),
        organisation=("organisation_id", "organisation__name"),
        label_lookups=("user__email", "organisation__name"),
        label=_membership_label,
        on_create=lambda v: True,
        on_delete=True,
        create_action="membership.created",
        delete_action="membership.deleted",
    ),
    Tracked(
        model="placements.Application",
        action="application.status",
        fields=("status",),
        organisation=("placement__organisation_id", "placement__organisation__name"),
        label_lookups=("student__email", "placement__title"),
        label=_application_label,
    ),
    Tracked(
        model="placements.PlacementApproval",
        action="approval.decision",
        fields=("status",),
        context=("reason", "low_risk"),
        organisation=("institution_id", "institution__name"),
        label_lookups=("application__student__email", "application__placement__title"),
        label=_approval_label,
        actor_field="decided_by_id",
    ),
    Tracked(
        model="stories.Story",
        action="story.status",
        fields=("status",),
        context=("featured",),
        label_lookups=("title",),
        label=lambda v: v["title"],
    ),
    Tracked(
        model="accounts.User",
        action="user.role",
        fields=("role",),
        label_lookups=("email",),
        label=lambda v: v["email"],
        on_create=lambda v: v["role"] == "admin",
        create_action="user.role",
    ),
    Tracked(
        model="accounts.User",
        action="user.staff",
        fields=("is_staff",),
        label_lookups=("email",),
        label=lambda v: v["email"],
        on_create=lambda v: bool(v["is_staff"]),
        create_action="user.staff",
    ),
    Tracked(
        model="accounts.User",
        action="user.superuser",
        fields=("is_superuser",),
        label_lookups=("email",),
        label=lambda v: v["email"],
        on_create=lambda v: bool(v["is_superuser"]),
        create_action="user.superuser",
    ),
    Tracked(
        model="accounts.User",
        action="user.active",
        fields=("is_active",),
        label_lookups=("email",),
        label=lambda v: v["email"],
    ),
)

# Many-to-many relations of users that grant powers in the Django admin: (field, action).
USER_M2M = (("groups", "user.groups"), ("user_permissions", "user.permissions"))

ACTION_LABELS = {
    "organisation.verification": _("Organisation verification"),
    "membership.role": _("Membership role changed"),
    "membership.created": _("Member added"),
    "membership.deleted": _("Member removed"),
    "application.status": _("Application stage"),
    "approval.decision": _("Placement approval decision"),
    "story.status": _("Story status"),
    "user.role": _("User role"),
    "user.staff": _("User staff status"),
    "user.superuser": _("User superuser status"),
    "user.active": _("User active"),
    "user.groups": _("User groups"),
    "user.permissions": _("User permissions"),
    "user.deleted": _("User deleted by an admin"),
}

TARGET_LABELS = {
    "organisations.organisation": _("Organisation"),
    "organisations.membership": _("Membership"),
    "placements.application": _("Application"),
    "placements.placementapproval": _("Placement approval"),
    "stories.story": _("Story"),
    "accounts.user": _("User"),
}


@cache
def specs_for(label_lower: str) -> tuple[Tracked, ...]:
    return tuple(spec for spec in TRACKED if spec.label_lower == label_lower)


def tracked_models() -> list[type[models.Model]]:
    return list(dict.fromkeys(spec.model_class for spec in TRACKED))


@cache
def lookups_for(specs: tuple[Tracked, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(lookup for spec in specs for lookup in spec.lookups))


@cache
def trigger_names(specs: tuple[Tracked, ...]) -> frozenset[str]:
    """Fields (by name and attname) a save must write for one of ``specs`` to need an entry;
    a save writing only others (``update_fields=["last_login"]``) is not even read."""
    names: set[str] = set()
    for spec in specs:
        for name in spec.fields:
            field = spec.model_class._meta.get_field(name)
            names.update((field.name, field.attname))
    return frozenset(names)


def action_choices() -> list[tuple[str, str]]:
    return [(action, str(label)) for action, label in ACTION_LABELS.items()]


def target_choices() -> list[tuple[str, str]]:
    return [(target, str(label)) for target, label in TARGET_LABELS.items()]
