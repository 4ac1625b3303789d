from django.contrib import admin

from .models import OutcomeFigure, Story, StoryApproval, StoryImage, StoryQuote, TestimonialRequest


class StoryImageInline(admin.TabularInline):
    model = StoryImage
    extra = 0
    readonly_fields = ["thumbnail", "social_card"]


class StoryQuoteInline(admin.TabularInline):
    model = StoryQuote
    extra = 0
    raw_id_fields = ["user", "consent_by", "organisation"]


class OutcomeFigureInline(admin.TabularInline):
    model = OutcomeFigure
    extra = 0


class StoryApprovalInline(admin.TabularInline):
    model = StoryApproval
    extra = 0
    readonly_fields = ["organisation", "approved_by", "approved_at"]


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    """Read-mostly: the workflow runs through the services, which check the publication rules."""

    list_display = ["title", "status", "featured", "feature_order", "published_at"]
    list_filter = ["status", "featured", "source"]
    search_fields = ["title", "summary"]
    readonly_fields = ["status", "published_at", "status_changed_at", "created_at", "updated_at"]
    raw_id_fields = ["partnership", "opportunity", "placement", "event", "nominated_by", "curator"]
    filter_horizontal = ["sectors", "organisations"]
    inlines = [StoryQuoteInline, OutcomeFigureInline, StoryImageInline, StoryApprovalInline]


@admin.register(TestimonialRequest)
class TestimonialRequestAdmin(admin.ModelAdmin):
    list_display = ["story", "organisation", "submitted_at", "consent_to_publish"]
    list_filter = ["consent_to_publish"]
    raw_id_fields = ["story", "organisation", "opportunity", "placement", "submitted_by"]
    readonly_fields = ["token"]
