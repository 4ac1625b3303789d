from django.contrib import admin

from .models import (
    Application,
    ApplicationNote,
    ApplicationTransition,
    ApprovalChecklistItem,
    Placement,
    PlacementApproval,
    PlacementOfficer,
    PlacementQuestion,
    PlacementTransition,
    StudentEvaluation,
    SupervisorEvaluation,
)


class PlacementQuestionInline(admin.TabularInline):
    model = PlacementQuestion
    extra = 0


class PlacementTransitionInline(admin.TabularInline):
    model = PlacementTransition
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "note", "created_at"]
    can_delete = False


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "status", "positions", "is_paid", "deadline"]
    list_filter = ["status", "kind", "mode", "is_paid"]
    search_fields = ["title", "description", "organisation__name"]
    raw_id_fields = ["organisation", "created_by", "contact", "sector"]
    autocomplete_fields = ["required_skills", "nice_skills"]
    filter_horizontal = ["eligible_institutions"]
    readonly_fields = ["status", "status_changed_at", "published_at"]
    inlines = [PlacementQuestionInline, PlacementTransitionInline]


class ApplicationTransitionInline(admin.TabularInline):
    model = ApplicationTransition
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "message", "created_at"]
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["placement", "student", "status", "institution", "submitted_at"]
    list_filter = ["status", "for_credit"]
    search_fields = ["placement__title", "student__email"]
    raw_id_fields = ["placement", "student", "institution"]
    readonly_fields = ["status", "status_changed_at", "submitted_at"]
    inlines = [ApplicationTransitionInline]


@admin.register(ApplicationNote)
class ApplicationNoteAdmin(admin.ModelAdmin):
    list_display = ["application", "author", "created_at"]
    raw_id_fields = ["application", "author"]


@admin.register(PlacementOfficer)
class PlacementOfficerAdmin(admin.ModelAdmin):
    list_display = ["user", "institution", "created_at"]
    raw_id_fields = ["user", "institution", "appointed_by"]


@admin.register(ApprovalChecklistItem)
class ApprovalChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["text", "institution", "required_for_low_risk", "is_active", "order"]
    list_filter = ["is_active", "required_for_low_risk"]
    raw_id_fields = ["institution"]


@admin.register(PlacementApproval)
class PlacementApprovalAdmin(admin.ModelAdmin):
    list_display = ["application", "institution", "status", "low_risk", "decided_at"]
    list_filter = ["status", "low_risk"]
    raw_id_fields = ["application", "institution", "decided_by"]


@admin.register(StudentEvaluation)
class StudentEvaluationAdmin(admin.ModelAdmin):
    list_display = ["application", "overall", "submitted_at"]
    raw_id_fields = ["application"]


@admin.register(SupervisorEvaluation)
class SupervisorEvaluationAdmin(admin.ModelAdmin):
    list_display = ["application", "supervisor_name", "overall", "via_link", "submitted_at"]
    raw_id_fields = ["application", "submitted_by"]
