"""API for opportunities (calls), proposals, saved proposals and partnerships.

Every queryset comes from a selector filtered to the caller; every write goes through the same
service the HTML pages use. Status, ownership, authorship and the links between objects are never
writable fields: they change only through the actions (publish, accept, confirm…), each checked by
its service. Objects the caller may not see answer 404; visible ones they may not change, 403.
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from partnerships.core.api import (
    ID_INPUT,
    PDF_DOWNLOAD,
    ChangeRule,
    FileDownloads,
    VisibleOnly,
    refuse_change,
)
from partnerships.core.files import serve_private_file
from partnerships.core.models import Sector, Skill
from partnerships.core.serializers import ChoiceLabelField, SlugListField
from partnerships.core.validators import validate_pdf_upload
from partnerships.organisations.api import VisibleOrganisationRef

from . import selectors, services
from .models import (
    Opportunity,
    Partnership,
    PartnershipStatus,
    Proposal,
    SavedProposal,
)
from .permissions import (
    can_change_partnership,
    can_manage_opportunity,
    can_view_partnership,
    can_view_proposal,
)
from .search import search
from .services.proposals import CONTENT_FIELDS

User = get_user_model()

SEARCH_FALLBACK_FIELDS = ("title", "summary", "description", "location")
# --- Shared pieces ------------------------------------------------------------------------------


class VisibleOpportunityField(VisibleOnly, serializers.PrimaryKeyRelatedField):
    """An opportunity, by id, among those the caller can see."""

    not_found_message = "No such opportunity."

    def __init__(self, **kwargs):
        super().__init__(queryset=Opportunity.objects.all(), **kwargs)

    def visible(self, user):
        return selectors.visible_opportunities(user)


class OrganisationSummarySerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    side = serializers.ChoiceField(choices=["institution", "industry"], read_only=True)


# --- Opportunities ------------------------------------------------------------------------------


class OpportunitySerializer(serializers.ModelSerializer):
    organisation = VisibleOrganisationRef(
        help_text="Slug of the posting organisation; set when the call is created."
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    sectors = SlugListField(name="sector", many=True, queryset=Sector.objects.all(), required=False)
    skills = SlugListField(
        name="skill", many=True, queryset=Skill.objects.filter(is_active=True), required=False
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        style=ID_INPUT,
        required=False,
        allow_null=True,
        help_text="User id of the contact person, a member of the organisation (default: you; "
        "null: nobody, as when the contact deleted their account).",
    )
    contact_name = serializers.SerializerMethodField()
    kind_display = ChoiceLabelField("kind")
    mode_display = ChoiceLabelField("mode")
    status = serializers.CharField(read_only=True)
    status_display = ChoiceLabelField("status")
    accepts_proposals = serializers.BooleanField(read_only=True)
    partnership = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "kind",
            "kind_display",
            "title",
            "summary",
            "description",
            "sectors",
            "skills",
            "timeline",
            "commitment",
            "location",
            "mode",
            "mode_display",
            "deadline",
            "visibility",
            "ip_ownership",
            "student_credit",
            "is_paid",
            "payment_details",
            "deliverables",
            "contact",
            "contact_name",
            "status",
            "status_display",
            "accepts_proposals",
            "partnership",
            "published_at",
            "status_changed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["published_at", "status_changed_at", "created_at", "updated_at"]

    def get_contact_name(self, obj) -> str | None:
        return obj.contact.display_name if obj.contact_id else None

    def validate(self, attrs):
        refuse_change(attrs, self.instance, "organisation")
        return attrs


class OpportunityCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Optional; recorded with the change.",
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="Full-text search in title, summary, description and location, "
                "best matches first (unless ?ordering= is given).",
            )
        ]
    )
)
class OpportunityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Calls for partners: published ones by their visibility (public ones to everybody, members-
    only ones to signed-in people), plus every call of your own organisations, drafts included.
    Edit with PATCH; the status changes only through the publish, close, reopen, start, complete
    and cancel actions."""

    queryset = Opportunity.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = OpportunitySerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    # ?q= is full-text search with ranking (see get_queryset); DRF's SearchFilter would fight it.
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    search_fields: list[str] = []
    filterset_fields = {
        "kind": ["exact"],
        "status": ["exact"],
        "sectors__slug": ["exact"],
        "skills__slug": ["exact"],
        "organisation__slug": ["exact"],
        "mode": ["exact"],
    }
    ordering_fields = ["deadline", "created_at", "published_at", "title"]
    change_rule = staticmethod(can_manage_opportunity)

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated(), ChangeRule()]

    def get_queryset(self):
        qs = (
            selectors.visible_opportunities(self.request.user)
            .select_related("organisation", "contact__profile")
            .prefetch_related("sectors", "skills")
        )
        text = self.request.query_params.get("q", "") if self.action == "list" else ""
        qs = search(qs, text, fallback_fields=SEARCH_FALLBACK_FIELDS)
        if "rank" in qs.query.annotations:
            return qs.order_by("-rank", "deadline", "pk")
        return qs.order_by("deadline", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.opportunity_create(
            actor=self.request.user,
            organisation=data.pop("organisation"),
            sectors=data.pop("sectors", []),
            skills=data.pop("skills", []),
            **data,
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.opportunity_update(
            actor=self.request.user,
            opportunity=serializer.instance,
            sectors=data.pop("sectors", None),
            skills=data.pop("skills", None),
            **data,
        )

    def _transition(self, service, **kwargs):
        opportunity = service(actor=self.request.user, opportunity=self.get_object(), **kwargs)
        return Response(self.get_serializer(opportunity).data)

    @extend_schema(request=None, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Open a draft (or expired) call for proposals; its deadline must be in the future."""
        return self._transition(services.opportunity_publish)

    @extend_schema(request=None, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Stop taking proposals early and review those received."""
        return self._transition(services.opportunity_close)

    @extend_schema(request=None, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Take proposals again (the deadline must be in the future)."""
        return self._transition(services.opportunity_reopen)

    @extend_schema(request=None, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """The agreed work has started."""
        return self._transition(services.opportunity_start)

    @extend_schema(request=None, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The work is done."""
        return self._transition(services.opportunity_complete)

    @extend_schema(request=OpportunityCancelSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the call; organisations with a live proposal are told and it is declined."""
        body = OpportunityCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition(
            services.opportunity_cancel, reason=body.validated_data.get("reason", "")
        )


# --- Proposals ----------------------------------------------------------------------------------


class ProposalSerializer(serializers.ModelSerializer):
    opportunity = VisibleOpportunityField(help_text="Id of the call answered.")
    opportunity_title = serializers.CharField(source="opportunity.title", read_only=True)
    organisation = VisibleOrganisationRef(
        help_text="Slug of the organisation proposing (on the other side from the call's)."
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    submitted_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    submitted_by_name = serializers.SerializerMethodField()
    attachment = serializers.FileField(
        write_only=True,
        required=False,
        validators=[validate_pdf_upload],
        help_text="Optional PDF (send the request as multipart/form-data).",
    )
    attachment_url = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)
    status_display = ChoiceLabelField("status")
    message_to_proposer = serializers.CharField(read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "opportunity",
            "opportunity_title",
            "organisation",
            "organisation_name",
            "submitted_by",
            "submitted_by_name",
            "team",
            "approach",
            "experience",
            "availability",
            "attachment",
            "attachment_url",
            "status",
            "status_display",
            "message_to_proposer",
            "status_changed_at",
            "created_at",
        ]
        read_only_fields = ["status_changed_at", "created_at"]
        validators = []  # one live proposal per organisation: the service answers 409

    def get_submitted_by_name(self, obj) -> str | None:
        return obj.submitted_by.display_name if obj.submitted_by_id else None

    def get_attachment_url(self, obj) -> str | None:
        """Where the attachment can be downloaded (by people allowed to), or null."""
        if not obj.attachment:
            return None
        return reverse("proposal-attachment", kwargs={"pk": obj.pk})


class ProposalDecisionSerializer(serializers.Serializer):
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        help_text="Optional message to the proposer, sent with the email.",
    )


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """An id compared as is: unlike a model choice, it does not reveal whether the row exists."""


class ProposalFilter(filters.FilterSet):
    opportunity = IdFilter(field_name="opportunity_id")

    class Meta:
        model = Proposal
        fields = {"status": ["exact"], "organisation__slug": ["exact"]}


class ProposalViewSet(
    FileDownloads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Proposals answering calls: those of your organisations, and those received by your
    organisations' calls. Competing proposers never see each other's. POST (JSON, or multipart
    with a PDF ``attachment``) to answer a call; the call's organisation shortlists, accepts or
    declines; the proposing organisation may withdraw."""

    queryset = Proposal.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = ProposalSerializer
    http_method_names = ["get", "post", "head", "options"]
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = ProposalFilter
    ordering_fields = ["created_at", "status_changed_at"]
    download_actions = ("attachment",)

    def get_queryset(self):
        return (
            selectors.visible_proposals(self.request.user)
            .select_related("submitted_by__profile")
            .order_by("-created_at", "pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.proposal_submit(
            actor=self.request.user,
            opportunity=data.pop("opportunity"),
            organisation=data.pop("organisation"),
            attachment=data.pop("attachment", None),
            **data,
        )

    def _decide(self, service):
        body = ProposalDecisionSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        proposal = service(
            actor=self.request.user,
            proposal=self.get_object(),
            message=body.validated_data.get("message", ""),
        )
        return Response(self.get_serializer(proposal).data)

    @extend_schema(request=ProposalDecisionSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def shortlist(self, request, pk=None):
        """The call's organisation shortlists the proposal."""
        return self._decide(services.proposal_shortlist)

    @extend_schema(request=ProposalDecisionSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept: the call is agreed, the other proposals are declined, and the two
        organisations' partnership is created (or the existing one linked)."""
        return self._decide(services.proposal_accept)

    @extend_schema(request=ProposalDecisionSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The call's organisation declines the proposal."""
        return self._decide(services.proposal_decline)

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The proposing organisation withdraws its proposal."""
        proposal = services.proposal_withdraw(actor=request.user, proposal=self.get_object())
        return Response(self.get_serializer(proposal).data)

    @extend_schema(responses=PDF_DOWNLOAD)
    @action(detail=True, methods=["get"])
    def attachment(self, request, pk=None):
        """Download the proposal's PDF attachment (404 when there is none)."""
        proposal = self.get_object()
        if not can_view_proposal(request.user, proposal):
            raise NotFound()
        return serve_private_file(
            proposal.attachment, title=f"{proposal.organisation.name} proposal {proposal.pk}"
        )


# --- Saved proposals ----------------------------------------------------------------------------


class SavedProposalSerializer(serializers.ModelSerializer):
    team = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    approach = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    experience = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    availability = serializers.CharField(required=False, allow_blank=True, max_length=300)

    class Meta:
        model = SavedProposal
        fields = ["id", "name", "team", "approach", "experience", "availability", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []  # names are unique per person: the service answers 409


class SavedProposalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your own reusable proposal texts, to start new proposals from. Nobody else sees them."""

    queryset = SavedProposal.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = SavedProposalSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    search_fields = ["name"]
    ordering_fields = ["name", "updated_at"]

    def get_queryset(self):
        return SavedProposal.objects.filter(owner_id=self.request.user.pk).order_by(
            "-updated_at", "pk"
        )

    def perform_create(self, serializer):
        serializer.instance = services.saved_proposal_save(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        saved = serializer.instance
        current = {name: getattr(saved, name) for name in ("name", *CONTENT_FIELDS)}
        serializer.instance = services.saved_proposal_save(
            actor=self.request.user, saved=saved, **(current | serializer.validated_data)
        )

    def perform_destroy(self, instance):
        services.saved_proposal_delete(actor=self.request.user, saved=instance)


# --- Partnerships -------------------------------------------------------------------------------


class PartnershipSerializer(serializers.ModelSerializer):
    institution = OrganisationSummarySerializer(read_only=True)
    industry_partner = OrganisationSummarySerializer(read_only=True)
    from_organisation = VisibleOrganisationRef(
        write_only=True, help_text="On creation: slug of your organisation, which proposes."
    )
    to_organisation = VisibleOrganisationRef(
        write_only=True,
        help_text="On creation: slug of the verified organisation on the other side.",
    )
    proposed_by_organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = ChoiceLabelField("status")
    institution_contacts = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=User.objects.all(),
        style=ID_INPUT,
        required=False,
        help_text="User ids of the institution's contacts (members of the institution).",
    )
    industry_contacts = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=User.objects.all(),
        style=ID_INPUT,
        required=False,
        help_text="User ids of the industry partner's contacts (members of it).",
    )
    contacts = serializers.SerializerMethodField()
    agreement_url = serializers.SerializerMethodField()

    class Meta:
        model = Partnership
        fields = [
            "id",
            "institution",
            "industry_partner",
            "from_organisation",
            "to_organisation",
            "proposed_by_organisation",
            "title",
            "description",
            "start_date",
            "end_date",
            "funding_amount",
            "funding_currency",
            "status",
            "status_display",
            "institution_contacts",
            "industry_contacts",
            "contacts",
            "agreement_url",
            "confirmed_at",
            "status_changed_at",
            "created_at",
        ]
        read_only_fields = ["confirmed_at", "status_changed_at", "created_at"]
        validators = []  # one live partnership per pair: the service answers 409

    @extend_schema_field(ContactSerializer(many=True))
    def get_contacts(self, obj):
        people = [(u, "institution") for u in obj.institution_contacts.all()]
        people += [(u, "industry") for u in obj.industry_contacts.all()]
        return [{"id": u.pk, "display_name": u.display_name, "side": side} for u, side in people]

    def get_agreement_url(self, obj) -> str | None:
        """Where the signed agreement can be downloaded (by members of either side), or null."""
        if not obj.agreement:
            return None
        return reverse("partnership-agreement", kwargs={"pk": obj.pk})

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("from_organisation", "to_organisation"):
                if name in attrs:
                    raise serializers.ValidationError({name: "This cannot be changed."})
        else:
            for name in ("institution_contacts", "industry_contacts"):
                if attrs.get(name):
                    raise serializers.ValidationError(
                        {name: "Set contacts once the partnership exists (PATCH)."}
                    )
                attrs.pop(name, None)
        return attrs


class AgreementUploadSerializer(serializers.Serializer):
    agreement = serializers.FileField(
        validators=[validate_pdf_upload], help_text="The signed agreement, a PDF."
    )


class PartnershipViewSet(
    FileDownloads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Partnerships of your organisations (members of either side, and platform admins; others
    get 404). POST proposes one to an organisation on the other side, which confirms or declines;
    either side pauses, resumes or ends it. Owners and admins upload the signed agreement."""

    queryset = Partnership.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = PartnershipSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    search_fields = ["title", "description"]
    filterset_fields = {
        "status": ["exact"],
        "institution__slug": ["exact"],
        "industry_partner__slug": ["exact"],
    }
    ordering_fields = ["created_at", "start_date", "title"]
    change_rule = staticmethod(can_change_partnership)
    download_actions = ("agreement",)

    def get_permissions(self):
        return [permissions.IsAuthenticated(), ChangeRule()]

    def get_queryset(self):
        people = User.objects.select_related("profile").order_by("pk")
        return (
            selectors.visible_partnerships(self.request.user)
            .select_related("proposed_by_organisation")
            .prefetch_related(
                Prefetch("institution_contacts", queryset=people),
                Prefetch("industry_contacts", queryset=people),
            )
            .order_by("-created_at", "pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.partnership_propose(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.partnership_update(
            actor=self.request.user,
            partnership=serializer.instance,
            institution_contacts=data.pop("institution_contacts", None),
            industry_contacts=data.pop("industry_contacts", None),
            **data,
        )

    def _respond(self, partnership):
        return Response(self.get_serializer(partnership).data)

    @extend_schema(request=None, responses=PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The side that did not propose confirms: the partnership becomes active."""
        return self._respond(
            services.partnership_confirm(actor=request.user, partnership=self.get_object())
        )

    @extend_schema(request=None, responses=PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The side that did not propose declines: the proposal ends."""
        return self._respond(
            services.partnership_decline(actor=request.user, partnership=self.get_object())
        )

    def _set_status(self, status):
        return self._respond(
            services.partnership_set_status(
                actor=self.request.user, partnership=self.get_object(), status=status
            )
        )

    @extend_schema(request=None, responses=PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        """Pause an active partnership."""
        return self._set_status(PartnershipStatus.PAUSED)

    @extend_schema(request=None, responses=PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Resume a paused partnership."""
        return self._set_status(PartnershipStatus.ACTIVE)

    @extend_schema(request=None, responses=PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the partnership (its end date becomes today unless already set)."""
        return self._set_status(PartnershipStatus.ENDED)

    @extend_schema(methods=["GET"], responses=PDF_DOWNLOAD)
    @action(detail=True, methods=["get"], parser_classes=[MultiPartParser, FormParser])
    def agreement(self, request, pk=None):
        """Download the signed agreement (404 when none was uploaded)."""
        partnership = self.get_object()
        if not can_view_partnership(request.user, partnership):
            raise NotFound()
        return serve_private_file(partnership.agreement, title=f"{partnership.title} agreement")

    @extend_schema(
        methods=["POST"], request=AgreementUploadSerializer, responses=PartnershipSerializer
    )
    @agreement.mapping.post
    def upload_agreement(self, request, pk=None):
        """Upload the signed agreement as multipart ``agreement`` (a PDF, checked by content);
        it replaces any earlier one. Owners and admins of either organisation."""
        partnership = self.get_object()
        body = AgreementUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        partnership = services.partnership_upload_agreement(
            actor=request.user, partnership=partnership, agreement=body.validated_data["agreement"]
        )
        return self._respond(partnership)
