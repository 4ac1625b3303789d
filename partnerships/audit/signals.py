"""Model signals that turn saves and deletions of tracked rows into audit entries.

``pre_save`` reads the row's current values from the database (one query, only for tracked
models, and only when the save may write a tracked field); ``post_save`` compares them with what
was saved and writes an entry for each tracked change. Both run inside the saving transaction, so
a change that is rolled back leaves no entry. Queryset ``update()`` and ``bulk_update()`` send no
signals: such call sites use ``services.record_update``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from . import registry
from .models import AuditEntry
from .services import build_entry, build_from_spec, instance_value, plain

BEFORE = "_audit_before"
DELETED = "_audit_deleted"
M2M = "_audit_m2m"
MISSING = object()


def _specs(sender) -> tuple[registry.Tracked, ...]:
    model = sender._meta.concrete_model
    specs = registry.specs_for(model._meta.label_lower)
    # Historical models in data migrations share the label but not the fields: not audited.
    if specs and specs[0].model_class is not model:
        return ()
    return specs


def _read(sender, pk, specs, using) -> dict | None:
    model = sender._meta.concrete_model
    return (
        model._base_manager.using(using).filter(pk=pk).values(*registry.lookups_for(specs)).first()
    )


def _written(name: str, instance, update_fields) -> bool:
    if update_fields is None:
        return True
    field = instance._meta.get_field(name)
    return field.name in update_fields or field.attname in update_fields


def _row_actor(spec: registry.Tracked, instance, before: dict | None, update_fields):
    """The row's own "changed by" value, when this save wrote it (used outside requests)."""
    if not spec.actor_field:
        return None
    value = getattr(instance, spec.actor_field, None)
    if value is None:
        return None
    changed = before is None or before.get(spec.actor_field) != value
    explicit = update_fields is not None and _written(spec.actor_field, instance, update_fields)
    return value if changed or explicit else None


def on_pre_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    specs = _specs(sender)
    if not specs:
        return
    instance.__dict__.pop(BEFORE, None)
    if raw or instance.pk is None:
        return
    if update_fields is not None and not (set(update_fields) & registry.trigger_names(specs)):
        return
    instance.__dict__[BEFORE] = _read(sender, instance.pk, specs, using)


def on_post_save(sender, instance, created=False, raw=False, using=None, update_fields=None, **kw):
    specs = _specs(sender)
    if not specs:
        return
    before_row = instance.__dict__.pop(BEFORE, MISSING)
    if raw:
        return
    if created:
        _record_created(sender, instance, specs, using)
        return
    if before_row is MISSING or before_row is None:
        return
    entries = []
    for spec in specs:
        old, new = {}, {}
        for name in (*spec.fields, *spec.context):
            old[name] = plain(before_row.get(name))
            new[name] = (
                instance_value(instance, name)
                if _written(name, instance, update_fields)
                else old[name]
            )
        if all(old[name] == new[name] for name in spec.fields):
            continue
        entries.append(
            build_from_spec(
                spec,
                before_row,
                action=spec.action,
                target_id=instance.pk,
                before=old,
                after=new,
                fallback_actor=_row_actor(spec, instance, before_row, update_fields),
            )
        )
    _save(entries, using)


def _record_created(sender, instance, specs, using) -> None:
    wanted = []
    for spec in specs:
        if spec.on_create is None:
            continue
        values = {name: instance_value(instance, name) for name in (*spec.fields, *spec.context)}
        if spec.on_create(values):
            wanted.append((spec, values))
    if not wanted:
        return
    row = _read(sender, instance.pk, tuple(spec for spec, _values in wanted), using) or {}
    _save(
        [
            build_from_spec(
                spec,
                row,
                action=spec.create_action or spec.action,
                target_id=instance.pk,
                before={},
                after=values,
                fallback_actor=_row_actor(spec, instance, None, None),
            )
            for spec, values in wanted
        ],
        using,
    )


def on_pre_delete(sender, instance, using=None, **kwargs):
    specs = tuple(spec for spec in _specs(sender) if spec.on_delete)
    if specs and instance.pk is not None:
        instance.__dict__[DELETED] = (instance.pk, _read(sender, instance.pk, specs, using))


def on_post_delete(sender, instance, using=None, **kwargs):
    pk, row = instance.__dict__.pop(DELETED, (None, None))
    if row is None:
        return
    entries = []
    for spec in _specs(sender):
        if not spec.on_delete:
            continue
        before = {name: plain(row.get(name)) for name in (*spec.fields, *spec.context)}
        entries.append(
            build_from_spec(
                spec,
                row,
                action=spec.delete_action or spec.action,
                target_id=pk,
                before=before,
                after={},
            )
        )
    _save(entries, using)


def _save(entries: list[AuditEntry], using) -> None:
    for entry in entries:
        entry.save(using=using)


# --- Groups and permissions of users -----------------------------------------------------------


def _m2m_names(field: str, user_ids, using) -> dict[int, tuple[str, list[str]]]:
    """{user id: (email, sorted names)} for the users' groups or permissions."""
    user_model = get_user_model()
    name = "groups__name" if field == "groups" else "user_permissions__codename"
    result: dict[int, tuple[str, list[str]]] = {}
    rows = (
        user_model._base_manager.using(using)
        .filter(pk__in=list(user_ids))
        .values_list("pk", "email", name)
    )
    for pk, email, value in rows:
        email_names = result.setdefault(pk, (email, []))
        if value is not None:
            email_names[1].append(value)
    return {pk: (email, sorted(names)) for pk, (email, names) in result.items()}


def on_m2m_changed(sender, instance, action, reverse, model, pk_set, using=None, **kwargs):
    user_model = get_user_model()
    field, audit_action = next(
        (
            (name, audit_action)
            for name, audit_action in registry.USER_M2M
            if sender is getattr(user_model, name).through
        ),
        (None, None),
    )
    if field is None:
        return
    if action.startswith("pre_"):
        if not reverse:
            user_ids = [instance.pk]
        elif pk_set is not None:
            user_ids = list(pk_set)
        else:  # a group's or permission's users all cleared
            user_ids = list(
                user_model._base_manager.using(using)
                .filter(**{field: instance})
                .values_list("pk", flat=True)
            )
        instance.__dict__[M2M] = _m2m_names(field, user_ids, using)
        return
    before = instance.__dict__.pop(M2M, None)
    if before is None:
        return
    after = _m2m_names(field, before.keys(), using)
    entries = []
    for user_id, (email, old) in before.items():
        new = after.get(user_id, (email, []))[1]
        if old == new:
            continue
        entries.append(
            build_entry(
                audit_action,
                target_type=user_model._meta.label_lower,
                target_id=user_id,
                target_label=email,
                before={field: old},
                after={field: new},
            )
        )
    _save(entries, using)


def connect() -> None:
    """Connected for every sender (so proxy models are covered too); each receiver returns at
    once for models the registry does not track."""
    pre_save.connect(on_pre_save, dispatch_uid="audit.pre_save")
    post_save.connect(on_post_save, dispatch_uid="audit.post_save")
    for model in registry.tracked_models():
        if any(spec.on_delete for spec in registry.specs_for(model._meta.label_lower)):
            uid = model._meta.label_lower
            pre_delete.connect(on_pre_delete, sender=model, dispatch_uid=f"audit.pre_delete.{uid}")
            post_delete.connect(on_post_delete, sender=model, dispatch_uid=f"audit.post_del.{uid}")
    m2m_changed.connect(on_m2m_changed, dispatch_uid="audit.m2m_changed")
