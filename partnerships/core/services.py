"""Writes to the taxonomy: renaming is a plain edit; merging moves every use to the survivor."""

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import Skill


@transaction.atomic
def skill_merge(*, sources: list[Skill], target: Skill) -> int:
    """Merge duplicate skills into ``target``: every profile (and any other model) that used a
    source now uses the target, without duplicates; the sources are deleted. Returns the count."""
    sources = [s for s in sources if s.pk != target.pk]
    if not sources:
        raise DomainError(_("Choose at least one other skill to merge into “%s”.") % target.name)
    source_ids = [s.pk for s in sources]
    for relation in Skill._meta.related_objects:
        if not relation.many_to_many:
            continue
        through = relation.through
        skill_column = relation.field.m2m_reverse_field_name()
        owner_column = relation.field.m2m_field_name()
        # One source at a time, so an owner holding several sources gets the target only once.
        for source_id in source_ids:
            already = through.objects.filter(**{skill_column: target.pk}).values(owner_column)
            through.objects.filter(**{skill_column: source_id}).exclude(
                **{f"{owner_column}__in": already}
            ).update(**{skill_column: target.pk})
            through.objects.filter(**{skill_column: source_id}).delete()
    Skill.objects.filter(pk__in=source_ids).delete()
    return len(source_ids)
