"""API for curriculum reviews, their reviewers and responses.

Every queryset comes from a selector filtered to the caller; every write goes through the same
service the HTML pages use. Status, ownership and decisions are never writable fields: they change
only through the actions (open, close, accept, submit…), each checked by its service.
"""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.response import Response

from partnerships.core.models import Sector, Skill
from partnerships.core.serializers import SlugListField
from partnerships.core.validators import validate_pdf_upload
from partnerships.organisations.models import Kind, Organisation

from . import selectors, services
from .models import (
    MAX_RELEVANCE,
    MAX_REVIEWERS,
    MIN_RELEVANCE,
    MIN_REVIEWERS,
    CurriculumReview,
    Reviewer,
    ReviewResponse,
)
from .permissions import can_manage_review, can_view_responses


class VisibleReviewField(serializers.PrimaryKeyRelatedField):
    """A review id among those the caller can see; any other id answers 404, like the pages."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return CurriculumReview.objects.none()
        return selectors.visible_reviews(request.user)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if "does_not_exist" in exc.get_codes():
                raise NotFound("No such curriculum review.") from None
            raise


class CurriculumReviewSerializer(serializers.ModelSerializer):
    institution = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.filter(kind=Kind.INSTITUTION)
    )
    sectors = SlugListField(name="sector", many=True, queryset=Sector.objects.all(), required=False)
    syllabus = serializers.FileField(
        write_only=True, required=False, allow_null=True, validators=[validate_pdf_upload]
    )
    syllabus_url = serializers.SerializerMethodField()
    reviewers_wanted = serializers.IntegerField(min_value=MIN_REVIEWERS, max_value=MAX_REVIEWERS)
    status = serializers.CharField(read_only=True)
    close_reason = serializers.CharField(read_only=True)

    class Meta:
        model = CurriculumReview
        fields = [
            "id",
            "institution",
            "title",
            "course_name",
            "level",
            "learning_outcomes",
            "syllabus",
            "syllabus_url",
            "questions",
            "reviewers_wanted",
            "deadline",
            "sectors",
            "status",
            "close_reason",
            "status_changed_at",
            "created_at",
        ]
        read_only_fields = ["status_changed_at", "created_at"]

    def get_syllabus_url(self, obj) -> str | None:
        """Where the syllabus can be downloaded (by people allowed to), or null."""
        if not obj.syllabus:
            return None
        return reverse("curriculum:syllabus", kwargs={"pk": obj.pk})

    def validate_deadline(self, value):
        if value <= timezone.localdate():
            raise serializers.ValidationError("Choose a date after today.")
        return value

    def validate(self, attrs):
        if self.instance is not None and "institution" in attrs:
            if attrs["institution"] != self.instance.institution:
                raise serializers.ValidationError({"institution": "This cannot be changed."})
            attrs.pop("institution")
        if attrs.get("syllabus") is None:
            attrs.pop("syllabus", None)
        return attrs


class RelevanceBucketSerializer(serializers.Serializer):
    relevance = serializers.IntegerField()
    count = serializers.IntegerField()
    percent = serializers.IntegerField()


class SkillCountSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class ReviewSummarySerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    mean_relevance = serializers.FloatField(allow_null=True)
    distribution = RelevanceBucketSerializer(many=True)
    missing_skills = SkillCountSerializer(many=True)
    overweighted_skills = SkillCountSerializer(many=True)


class CurriculumReviewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Curriculum reviews you can see: open ones if you belong to a verified organisation, and
    every review of your own institutions. Drafts are edited with PATCH; status changes through
    the open, close, complete and cancel actions."""

    queryset = CurriculumReview.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = CurriculumReviewSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    search_fields = ["title", "course_name"]
    filterset_fields = {
        "status": ["exact"],
        "level": ["exact"],
        "sectors__slug": ["exact"],
        "institution__slug": ["exact"],
    }
    ordering_fields = ["deadline", "created_at"]

    def get_queryset(self):
        return (
            selectors.visible_reviews(self.request.user)
            .select_related("institution")
            .prefetch_related("sectors")
            .order_by("deadline", "pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.review_create(
            actor=self.request.user,
            institution=data.pop("institution"),
            sectors=data.pop("sectors", []),
            **data,
        )

    def perform_update(self, serializer):
        review = serializer.instance
        if not can_manage_review(self.request.user, review):
            raise DRFPermissionDenied("Only the requesting institution's members can edit it.")
        data = dict(serializer.validated_data)
        serializer.instance = services.review_update(
            actor=self.request.user, review=review, sectors=data.pop("sectors", None), **data
        )

    def _transition(self, service):
        review = service(actor=self.request.user, review=self.get_object())
        return Response(self.get_serializer(review).data)

    @extend_schema(request=None, responses=CurriculumReviewSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        """Open a draft to volunteers (the deadline must be after today)."""
        return self._transition(services.review_open)

    @extend_schema(request=None, responses=CurriculumReviewSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close an open review to new volunteers and responses."""
        return self._transition(services.review_close)

    @extend_schema(request=None, responses=CurriculumReviewSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark a closed review as completed."""
        return self._transition(services.review_complete)

    @extend_schema(request=None, responses=CurriculumReviewSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a draft or open review."""
        return self._transition(services.review_cancel)

    @extend_schema(responses=ReviewSummarySerializer)
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        """Aggregated submitted responses: the requesting institution's members and admins."""
        review = self.get_object()
        if not can_view_responses(request.user, review):
            raise DRFPermissionDenied("Only the requesting institution's members see responses.")
        return Response(ReviewSummarySerializer(selectors.review_summary(review)).data)


class ReviewerSerializer(serializers.ModelSerializer):
    review = VisibleReviewField()
    organisation = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.filter(kind=Kind.INDUSTRY),
        required=False,
        help_text="The verified industry partner you review for (optional if you have one).",
    )
    # Null once the reviewer deleted their account (a submitted response stays).
    user = serializers.IntegerField(source="user_id", read_only=True, allow_null=True)
    display_name = serializers.CharField(
        source="user.display_name", read_only=True, default=None, allow_null=True
    )
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Reviewer
        fields = [
            "id",
            "review",
            "user",
            "display_name",
            "organisation",
            "note",
            "status",
            "created_at",
            "decided_at",
        ]
        read_only_fields = ["created_at", "decided_at"]


class ReviewerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Volunteering: POST to volunteer for an open review; the institution accepts or declines;
    you may withdraw before submitting your response."""

    queryset = Reviewer.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = ReviewerSerializer
    filterset_fields = {"review": ["exact"], "status": ["exact"]}

    def get_queryset(self):
        return selectors.visible_reviewers(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.reviewer_volunteer(
            user=self.request.user,
            review=data["review"],
            organisation=data.get("organisation"),
            note=data.get("note", ""),
        )

    def _act(self, service, **kwargs):
        reviewer = service(reviewer=self.get_object(), **kwargs)
        return Response(self.get_serializer(reviewer).data)

    @extend_schema(request=None, responses=ReviewerSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The requesting institution accepts a volunteer (never beyond the number wanted)."""
        return self._act(services.reviewer_accept, actor=request.user)

    @extend_schema(request=None, responses=ReviewerSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The requesting institution declines a volunteer."""
        return self._act(services.reviewer_decline, actor=request.user)

    @extend_schema(request=None, responses=ReviewerSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The volunteer steps back, before submitting a response."""
        return self._act(services.reviewer_withdraw, user=request.user)


class ReviewResponseSerializer(serializers.ModelSerializer):
    review = VisibleReviewField(source="reviewer.review")
    reviewer = serializers.PrimaryKeyRelatedField(read_only=True)
    relevance = serializers.IntegerField(min_value=MIN_RELEVANCE, max_value=MAX_RELEVANCE)
    missing_skills = SlugListField(
        name="skill", many=True, queryset=Skill.objects.filter(is_active=True), required=False
    )
    overweighted_skills = SlugListField(
        name="skill", many=True, queryset=Skill.objects.filter(is_active=True), required=False
    )

    class Meta:
        model = ReviewResponse
        fields = [
            "id",
            "review",
            "reviewer",
            "relevance",
            "missing_skills",
            "missing_skills_other",
            "overweighted_skills",
            "overweighted_skills_other",
            "suggested_changes",
            "comments",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["submitted_at", "created_at", "updated_at"]

    def validate(self, attrs):
        nested = attrs.pop("reviewer", None)
        if self.instance is not None:
            if nested and nested["review"].pk != self.instance.reviewer.review_id:
                raise serializers.ValidationError({"review": "This cannot be changed."})
        elif nested:
            attrs["review"] = nested["review"]
        return attrs


class ReviewResponseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Responses: accepted reviewers create and edit their own until they submit it; the
    requesting institution reads the submitted ones."""

    queryset = ReviewResponse.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = ReviewResponseSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = {"reviewer__review": ["exact"]}

    def get_queryset(self):
        return selectors.visible_responses(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.response_save(
            user=self.request.user, review=data.pop("review"), **data
        )

    def perform_update(self, serializer):
        response = serializer.instance
        if response.reviewer.user_id != self.request.user.pk:
            raise DRFPermissionDenied("You can only change your own response.")
        current = {
            "relevance": response.relevance,
            "missing_skills": list(response.missing_skills.all()),
            "missing_skills_other": response.missing_skills_other,
            "overweighted_skills": list(response.overweighted_skills.all()),
            "overweighted_skills_other": response.overweighted_skills_other,
            "suggested_changes": response.suggested_changes,
            "comments": response.comments,
        }
        answers = {name: serializer.validated_data.get(name, current[name]) for name in current}
        serializer.instance = services.response_save(
            user=self.request.user, review=response.reviewer.review, **answers
        )

    @extend_schema(request=None, responses=ReviewResponseSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit your response. It is final afterwards."""
        response = services.response_submit(user=request.user, response=self.get_object())
        return Response(self.get_serializer(response).data)
