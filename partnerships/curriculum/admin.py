from django.contrib import admin

from .models import CurriculumReview, Reviewer, ReviewResponse, ReviewTransition


class ReviewTransitionInline(admin.TabularInline):
    model = ReviewTransition
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReviewerInline(admin.TabularInline):
    model = Reviewer
    extra = 0
    fields = ["user", "organisation", "status", "created_at", "decided_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CurriculumReview)
class CurriculumReviewAdmin(admin.ModelAdmin):
    """Status changes go through the site (they are logged and emailed); the admin shows them."""

    list_display = ["title", "institution", "level", "status", "deadline", "created_at"]
    list_filter = ["status", "level", "sectors"]
    search_fields = ["title", "course_name", "institution__name"]
    raw_id_fields = ["institution", "requested_by"]
    filter_horizontal = ["sectors"]
    readonly_fields = [
        "status",
        "close_reason",
        "status_changed_at",
        "status_changed_by",
        "created_at",
        "updated_at",
    ]
    inlines = [ReviewerInline, ReviewTransitionInline]


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    list_display = ["user", "review", "organisation", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "review__title", "organisation__name"]
    raw_id_fields = ["review", "user", "organisation", "decided_by"]


@admin.register(ReviewResponse)
class ReviewResponseAdmin(admin.ModelAdmin):
    list_display = ["reviewer", "relevance", "submitted_at", "updated_at"]
    list_filter = ["relevance"]
    search_fields = ["reviewer__user__email", "reviewer__review__title"]
    raw_id_fields = ["reviewer"]
    filter_horizontal = ["missing_skills", "overweighted_skills"]


@admin.register(ReviewTransition)
class ReviewTransitionAdmin(admin.ModelAdmin):
    list_display = ["review", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    raw_id_fields = ["review", "actor"]
