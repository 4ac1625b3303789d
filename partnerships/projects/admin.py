from django.contrib import admin

from .models import (
    Opportunity,
    OpportunityTransition,
    Partnership,
    Proposal,
    ProposalTransition,
    SavedProposal,
)


class OpportunityTransitionInline(admin.TabularInline):
    model = OpportunityTransition
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "note", "created_at"]
    can_delete = False


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "status", "deadline", "visibility"]
    list_filter = ["status", "kind", "mode", "visibility"]
    search_fields = ["title", "summary", "organisation__name"]
    raw_id_fields = ["organisation", "created_by", "contact", "partnership"]
    filter_horizontal = ["sectors"]
    autocomplete_fields = ["skills"]
    readonly_fields = ["status", "status_changed_at", "published_at"]
    inlines = [OpportunityTransitionInline]


class ProposalTransitionInline(admin.TabularInline):
    model = ProposalTransition
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "message", "created_at"]
    can_delete = False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["opportunity", "organisation", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["opportunity__title", "organisation__name"]
    raw_id_fields = ["opportunity", "organisation", "submitted_by", "decided_by"]
    readonly_fields = ["status", "status_changed_at", "nudged_at"]
    inlines = [ProposalTransitionInline]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "industry_partner", "status", "start_date", "end_date"]
    list_filter = ["status"]
    search_fields = ["title", "institution__name", "industry_partner__name"]
    raw_id_fields = [
        "institution",
        "industry_partner",
        "proposed_by",
        "confirmed_by",
        "proposed_by_organisation",
    ]
    filter_horizontal = ["institution_contacts", "industry_contacts"]


@admin.register(SavedProposal)
class SavedProposalAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "updated_at"]
    raw_id_fields = ["owner"]
