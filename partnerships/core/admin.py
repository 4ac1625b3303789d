from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .errors import DomainError
from .models import Sector, Skill
from .services import skill_merge


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=Skill.objects.all(), label=_("Merge into"))


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "sector", "is_active"]
    list_filter = ["is_active", "sector"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_skills"]

    @admin.action(description=_("Merge selected skills into one"))
    def merge_skills(self, request, queryset):
        if "apply" in request.POST:
            form = MergeForm(request.POST)
            if form.is_valid():
                target = form.cleaned_data["target"]
                try:
                    merged = skill_merge(sources=list(queryset), target=target)
                except DomainError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _("Merged %(n)d skill(s) into “%(t)s”.") % {"n": merged, "t": target},
                    )
                return None
        else:
            form = MergeForm(initial={"target": queryset.first()})
            form.fields["target"].queryset = queryset
        return render(
            request,
            "admin/core/skill_merge.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "skills": queryset,
                "opts": self.model._meta,
            },
        )
