"""API for placements, applications, university approvals and evaluations.

Same conventions as ``partnerships/projects/api.py``: querysets come from the selectors, filtered to
the caller; every write goes through the service the pages use; status, ownership and links are
never writable fields and change only through actions, each checked by its service. Objects the
caller may not see answer 404; visible ones they may not change, 403; broken rules 400 or 409.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import StudyLevel
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
from partnerships.organisations.api import VisibleOrganisationRef
from partnerships.organisations.models import Kind, Organisation, Status
from partnerships.organisations.permissions import is_platform_admin

from . import selectors, services
from .models import (
    STUDENT_RATINGS,
    SUPERVISOR_RATINGS,
    Application,
    ApplicationStatus,
    Placement,
    PlacementApproval,
    StudentEvaluation,
    SupervisorEvaluation,
)
from .permissions import can_manage_placement, can_view_cv
from .validators import validate_cv_upload

User = get_user_model()
A = ApplicationStatus


def _truthy(value: str) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on")


class VisiblePlacementField(VisibleOnly, serializers.PrimaryKeyRelatedField):
    """A placement, by id, among those the caller can see."""

    not_found_message = "No such placement."

    def __init__(self, **kwargs):
        super().__init__(queryset=Placement.objects.all(), **kwargs)

    def visible(self, user):
        return selectors.visible_placements(user)


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(max_length=500)
    required = serializers.BooleanField(default=True)


# --- Placements ---------------------------------------------------------------------------------


class PlacementSerializer(serializers.ModelSerializer):
    organisation = VisibleOrganisationRef(
        help_text="Slug of the verified industry partner posting; set when the placement is "
        "created."
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    sector = SlugListField(
        name="sector", queryset=Sector.objects.all(), required=False, allow_null=True
    )
    required_skills = SlugListField(
        name="skill", many=True, queryset=Skill.objects.filter(is_active=True), required=False
    )
    nice_skills = SlugListField(
        name="skill", many=True, queryset=Skill.objects.filter(is_active=True), required=False
    )
    eligible_levels = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        help_text="Study levels who may apply (empty: every level): "
        + ", ".join(StudyLevel.values)
        + ".",
    )
    eligible_institutions = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Organisation.objects.filter(kind=Kind.INSTITUTION, status=Status.VERIFIED),
        required=False,
        help_text="Slugs of institutions whose students may apply (empty: every institution).",
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        style=ID_INPUT,
        required=False,
        allow_null=True,
        help_text="User id of the contact / supervisor, a member of the studio (default: you; "
        "null: nobody, as when the contact deleted their account).",
    )
    contact_name = serializers.SerializerMethodField()
    questions = QuestionSerializer(many=True, required=False)
    kind_display = ChoiceLabelField("kind")
    pay_display = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = ChoiceLabelField("status")
    accepts_applications = serializers.BooleanField(read_only=True)

    class Meta:
        model = Placement
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "kind",
            "kind_display",
            "title",
            "description",
            "sector",
            "required_skills",
            "nice_skills",
            "location",
            "mode",
            "is_paid",
            "pay_amount",
            "pay_currency",
            "pay_period",
            "pay_display",
            "hours_per_week",
            "duration",
            "start_date",
            "end_date",
            "positions",
            "deadline",
            "eligible_levels",
            "eligible_institutions",
            "contact",
            "contact_name",
            "questions",
            "status",
            "status_display",
            "accepts_applications",
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


class PlacementCloseSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="Optional; recorded."
    )


LIST_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Full-text search, best matches first."),
    OpenApiParameter("kind", OpenApiTypes.STR, description="Placement kind."),
    OpenApiParameter("sector", OpenApiTypes.STR, description="Sector slug."),
    OpenApiParameter("skill", OpenApiTypes.STR, description="Skill slug (required or nice)."),
    OpenApiParameter("mode", OpenApiTypes.STR, description="on_site, remote or hybrid."),
    OpenApiParameter("paid_only", OpenApiTypes.BOOL, description="Paid placements only."),
    OpenApiParameter("level", OpenApiTypes.STR, description="Open to this study level."),
    OpenApiParameter("location", OpenApiTypes.STR, description="Location contains."),
    OpenApiParameter("organisation", OpenApiTypes.STR, description="Posting studio's slug."),
    OpenApiParameter(
        "include_closed", OpenApiTypes.BOOL, description="Also closed and filled placements."
    ),
    OpenApiParameter(
        "mine",
        OpenApiTypes.BOOL,
        description="Only your studios' placements, drafts included (other filters ignored).",
    ),
]


@extend_schema_view(list=extend_schema(parameters=LIST_PARAMETERS))
class PlacementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Internships and work placements. The list shows open placements before their deadline
    (filters and ``?q=`` search); ``?mine=true`` lists your studios' own, drafts included.
    Members of a verified studio create drafts and edit them with PATCH; the status changes only
    through the publish, close and reopen actions."""

    queryset = Placement.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = PlacementSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list = []  # filters and ranking come from the selector
    change_rule = staticmethod(can_manage_placement)

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated(), ChangeRule()]

    def get_queryset(self):
        user = self.request.user
        params = self.request.query_params
        if self.action != "list":
            qs = selectors.visible_placements(user).order_by("deadline", "pk")
        elif _truthy(params.get("mine", "")):
            if not user.is_authenticated:
                return Placement.objects.none()
            qs = selectors.organisation_placements(user)
        else:
            qs = selectors.placement_browse(
                user,
                q=params.get("q", ""),
                kind=params.get("kind", ""),
                sector=params.get("sector", ""),
                skill=params.get("skill", ""),
                mode=params.get("mode", ""),
                paid_only=_truthy(params.get("paid_only", "")),
                location=params.get("location", ""),
                level=params.get("level", ""),
                open_only=not _truthy(params.get("include_closed", "")),
            )
            if params.get("organisation"):
                qs = qs.filter(organisation__slug=params["organisation"])
        return qs.select_related("organisation", "sector", "contact__profile").prefetch_related(
            "required_skills", "nice_skills", "eligible_institutions", "questions"
        )

    @staticmethod
    def _relations(data: dict, *, creating: bool) -> dict:
        default = () if creating else None
        relations = {
            name: data.pop(name, default)
            for name in ("required_skills", "nice_skills", "eligible_institutions")
        }
        questions = data.pop("questions", None)
        if questions is not None:
            relations["questions"] = [dict(q) for q in questions]
        elif creating:
            relations["questions"] = ()
        return relations

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation")
        relations = self._relations(data, creating=True)
        serializer.instance = services.placement_create(
            actor=self.request.user, organisation=organisation, **relations, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        relations = self._relations(data, creating=False)
        serializer.instance = services.placement_update(
            actor=self.request.user, placement=serializer.instance, **relations, **data
        )

    def _respond(self, placement):
        return Response(self.get_serializer(self.get_queryset().get(pk=placement.pk)).data)

    @extend_schema(request=None, responses=PlacementSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Open a draft for applications; its deadline must be in the future."""
        return self._respond(
            services.placement_publish(actor=request.user, placement=self.get_object())
        )

    @extend_schema(request=PlacementCloseSerializer, responses=PlacementSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Stop taking applications; the pipeline of submitted applications continues."""
        body = PlacementCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        placement = services.placement_close(
            actor=request.user,
            placement=self.get_object(),
            note=body.validated_data.get("note", ""),
        )
        return self._respond(placement)

    @extend_schema(request=None, responses=PlacementSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Take applications again (the deadline must be in the future)."""
        return self._respond(
            services.placement_reopen(actor=request.user, placement=self.get_object())
        )


# --- Applications -------------------------------------------------------------------------------


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id", read_only=True)
    question_text = serializers.CharField(source="question.text", read_only=True)
    text = serializers.CharField(read_only=True)


class ApplicationSerializer(serializers.ModelSerializer):
    placement = VisiblePlacementField(help_text="Id of the placement applied to; set on creation.")
    placement_title = serializers.CharField(source="placement.title", read_only=True)
    organisation_name = serializers.CharField(source="placement.organisation.name", read_only=True)
    student = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    student_name = serializers.CharField(read_only=True)
    institution = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    cv = serializers.FileField(
        write_only=True,
        required=False,
        validators=[validate_cv_upload],
        help_text="Your CV, a PDF checked by content (send as multipart/form-data).",
    )
    cv_url = serializers.SerializerMethodField()
    answers = AnswerSerializer(many=True, read_only=True)
    answer_texts = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=4000),
        write_only=True,
        required=False,
        help_text="Answers to the placement's questions: {question id: text}.",
    )
    status = serializers.CharField(read_only=True)
    status_display = ChoiceLabelField("status")
    hired_after_placement = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="After a completed placement, whether the host organisation hired the student "
        "(null: not recorded). Set with the record-hire action.",
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "placement",
            "placement_title",
            "organisation_name",
            "student",
            "student_name",
            "institution",
            "cover_letter",
            "cv",
            "cv_url",
            "portfolio_url",
            "for_credit",
            "answers",
            "answer_texts",
            "status",
            "status_display",
            "hired_after_placement",
            "submitted_at",
            "status_changed_at",
            "created_at",
        ]
        read_only_fields = ["submitted_at", "status_changed_at", "created_at"]
        validators = []  # one application per student and placement: the service updates it

    def get_cv_url(self, obj) -> str | None:
        """Where the CV can be downloaded (by people allowed to), or null."""
        if not obj.cv:
            return None
        return reverse("application-cv", kwargs={"pk": obj.pk})

    def validate(self, attrs):
        refuse_change(attrs, self.instance, "placement")
        return attrs


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        help_text="Optional message, recorded on the timeline and sent with the email.",
    )


class HireSerializer(serializers.Serializer):
    hired = serializers.BooleanField(
        allow_null=True, help_text="true: hired after the placement; false: not; null: not known."
    )


class BulkRejectSerializer(serializers.Serializer):
    placement = serializers.IntegerField(help_text="Id of your placement.")
    applications = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=False, max_length=500
    )
    message = serializers.CharField(max_length=4000, help_text="One message to every applicant.")


class BulkRejectResultSerializer(serializers.Serializer):
    rejected = serializers.IntegerField()


def _owns_draft(user, application) -> bool:
    return application.student_id == user.pk


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("placement", OpenApiTypes.INT, description="One placement's."),
            OpenApiParameter("status", OpenApiTypes.STR, description="One stage only."),
        ]
    )
)
class ApplicationViewSet(
    FileDownloads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Applications: students see their own (drafts included); studios the submitted applications
    to their placements; placement officers their institution's students'; admins all. POST saves
    a draft (again: updates it), PATCH edits a draft, ``submit`` sends it. The studio moves it
    through review, shortlist, interview, offer or reject; the student accepts, declines or
    withdraws; the studio or the student's officer marks it completed."""

    queryset = Application.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = ApplicationSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list = []
    change_rule = staticmethod(_owns_draft)
    download_actions = ("cv",)

    def get_permissions(self):
        return [permissions.IsAuthenticated(), ChangeRule()]

    def get_queryset(self):
        qs = selectors.visible_applications(self.request.user).prefetch_related("answers__question")
        params = self.request.query_params
        if params.get("placement", "").isdigit():
            qs = qs.filter(placement_id=int(params["placement"]))
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        return qs.order_by("-created_at", "pk")

    def _save_draft(self, serializer, placement):
        data = dict(serializer.validated_data)
        data.pop("placement", None)
        return services.application_save_draft(
            actor=self.request.user,
            placement=placement,
            cover_letter=data.get("cover_letter"),
            cv=data.get("cv"),
            portfolio_url=data.get("portfolio_url"),
            for_credit=data.get("for_credit"),
            answers=data.get("answer_texts"),
        )

    def perform_create(self, serializer):
        placement = serializer.validated_data["placement"]
        serializer.instance = self._save_draft(serializer, placement)

    def perform_update(self, serializer):
        serializer.instance = self._save_draft(serializer, serializer.instance.placement)

    def _respond(self, application):
        return Response(self.get_serializer(self.get_queryset().get(pk=application.pk)).data)

    def _move(self, service, *, body: bool = True):
        kwargs = {}
        if body:
            data = MessageSerializer(data=self.request.data)
            data.is_valid(raise_exception=True)
            kwargs["message"] = data.validated_data.get("message", "")
        application = service(actor=self.request.user, application=self.get_object(), **kwargs)
        return self._respond(application)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send the draft to the studio (cover letter, CV and required answers needed)."""
        return self._move(services.application_submit, body=False)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The studio starts reviewing."""
        return self._move(services.application_review, body=False)

    @extend_schema(request=MessageSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def shortlist(self, request, pk=None):
        """The studio shortlists."""
        return self._move(services.application_shortlist)

    @extend_schema(request=MessageSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def interview(self, request, pk=None):
        """The studio invites to an interview."""
        return self._move(services.application_invite_to_interview)

    @extend_schema(request=MessageSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def offer(self, request, pk=None):
        """The studio offers a position (only while one is free)."""
        return self._move(services.application_offer)

    @extend_schema(request=MessageSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """The studio rejects, with a message to the student."""
        return self._move(services.application_reject)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The student accepts an offer; the last acceptance fills the placement."""
        return self._move(services.application_accept, body=False)

    @extend_schema(request=MessageSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The student declines an offer."""
        return self._move(services.application_decline)

    @extend_schema(request=MessageSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The student withdraws the application."""
        return self._move(services.application_withdraw)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """After the end date, the studio or the student's officer marks it completed."""
        return self._move(services.application_complete, body=False)

    @extend_schema(request=HireSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="record-hire")
    def record_hire(self, request, pk=None):
        """After a completed placement, the host organisation records whether it hired the
        student (counted in the impact figures)."""
        body = HireSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = services.application_record_hire(
            actor=request.user, application=self.get_object(), hired=body.validated_data["hired"]
        )
        return self._respond(application)

    @extend_schema(request=BulkRejectSerializer, responses=BulkRejectResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-reject")
    def bulk_reject(self, request):
        """Reject several live applications to one of your placements with one message."""
        body = BulkRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        placement = (
            selectors.visible_placements(request.user)
            .filter(pk=body.validated_data["placement"])
            .select_related("organisation")
            .first()
        )
        if placement is None:
            raise NotFound("No such placement.")
        count = services.applications_bulk_reject(
            actor=request.user,
            placement=placement,
            applications=body.validated_data["applications"],
            message=body.validated_data["message"],
        )
        return Response({"rejected": count})

    @extend_schema(
        responses={
            **PDF_DOWNLOAD,
            (410, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="The CV was deleted for good (detail says why)."
            ),
        }
    )
    @action(detail=True, methods=["get"])
    def cv(self, request, pk=None):
        """Download the CV (404 when there is none or it is not yours to see; 410 once it was
        deleted under the retention policy or with the applicant's account)."""
        application = self.get_object()
        if not can_view_cv(request.user, application):
            raise NotFound()
        services.check_cv_available(application)
        return serve_private_file(
            application.cv, title=f"{application.student_name} CV {application.pk}"
        )


# --- Approvals ----------------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    required_for_low_risk = serializers.BooleanField(read_only=True)


class ApprovalSerializer(serializers.ModelSerializer):
    application = serializers.PrimaryKeyRelatedField(read_only=True)
    student_name = serializers.CharField(source="application.student_name", read_only=True)
    placement_title = serializers.CharField(source="application.placement.title", read_only=True)
    organisation_name = serializers.CharField(
        source="application.placement.organisation.name", read_only=True
    )
    institution = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    checked_items = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    checklist = serializers.SerializerMethodField()
    status_display = ChoiceLabelField("status")

    class Meta:
        model = PlacementApproval
        fields = [
            "id",
            "application",
            "student_name",
            "placement_title",
            "organisation_name",
            "institution",
            "status",
            "status_display",
            "low_risk",
            "checked_items",
            "checklist",
            "reason",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ChecklistItemSerializer(many=True))
    def get_checklist(self, obj):
        """The institution's active checklist (prefetched)."""
        items = [i for i in obj.institution.approval_checklist.all() if i.is_active]
        return ChecklistItemSerializer(items, many=True).data


class ApproveSerializer(serializers.Serializer):
    checked_items = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Ids of the ticked items."
    )
    low_risk = serializers.BooleanField(
        default=False, help_text="Low-risk: only the items required for low risk are needed."
    )


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, help_text="Told to the student and studio.")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, description="pending, approved or refused."
            )
        ]
    )
)
class ApprovalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """University sign-off of placements taken for academic credit: placement officers see their
    institution's approvals and approve (with the checklist ticked) or refuse (with a reason).
    Platform admins may read them."""

    queryset = PlacementApproval.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = ApprovalSerializer
    filter_backends: list = []

    def get_queryset(self):
        user = self.request.user
        qs = PlacementApproval.objects.all()
        if not is_platform_admin(user):
            qs = qs.filter(institution_id__in=selectors.officer_institution_ids(user))
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        return (
            qs.select_related(
                "institution",
                "application__placement__organisation",
                "application__student__profile",
            )
            .prefetch_related("checked_items", "institution__approval_checklist")
            .order_by("created_at", "pk")
        )

    def _respond(self, approval):
        return Response(self.get_serializer(self.get_queryset().get(pk=approval.pk)).data)

    @extend_schema(request=ApproveSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve once every required checklist item is ticked."""
        body = ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        approval = services.approval_approve(
            actor=request.user,
            approval=self.get_object(),
            checked_items=body.validated_data.get("checked_items", []),
            low_risk=body.validated_data["low_risk"],
        )
        return self._respond(approval)

    @extend_schema(request=RefuseSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """Refuse, with a reason for the student and the studio."""
        body = RefuseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        approval = services.approval_refuse(
            actor=request.user, approval=self.get_object(), reason=body.validated_data["reason"]
        )
        return self._respond(approval)


# --- Evaluations --------------------------------------------------------------------------------


def _rating(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=5, **kwargs)


class VisibleApplicationField(VisibleOnly, serializers.PrimaryKeyRelatedField):
    not_found_message = "No such application."

    def __init__(self, **kwargs):
        super().__init__(queryset=Application.objects.all(), **kwargs)

    def visible(self, user):
        return selectors.visible_applications(user)


class StudentEvaluationSerializer(serializers.ModelSerializer):
    application = VisibleApplicationField(help_text="Id of your completed placement application.")
    overall = _rating()
    learning = _rating()
    support = _rating()

    class Meta:
        model = StudentEvaluation
        fields = ["id", "application", *STUDENT_RATINGS, "comments", "submitted_at"]
        read_only_fields = ["submitted_at"]
        validators = []  # one per application: the service answers 409


class StudentEvaluationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Your own evaluations of completed placements; POST one per placement."""

    queryset = StudentEvaluation.objects.none()  # for the schema
    serializer_class = StudentEvaluationSerializer
    http_method_names = ["get", "post", "head", "options"]
    filter_backends: list = []

    def get_queryset(self):
        return StudentEvaluation.objects.filter(
            application__student_id=self.request.user.pk
        ).order_by("-submitted_at", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.student_evaluation_submit(
            actor=self.request.user, application=data.pop("application"), **data
        )


class SupervisorEvaluationThrottle(SimpleRateThrottle):
    """Guessing tokens is pointless (they are signed), but keep the open endpoint cheap."""

    scope = "supervisor_evaluation"
    rate = "20/hour"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SupervisorEvaluationSerializer(serializers.ModelSerializer):
    token = serializers.CharField(
        write_only=True, max_length=2000, help_text="The token of the emailed evaluation link."
    )
    overall = _rating()
    skills = _rating()
    professionalism = _rating()
    communication = _rating()

    class Meta:
        model = SupervisorEvaluation
        fields = [
            "id",
            "token",
            "supervisor_name",
            *SUPERVISOR_RATINGS,
            "comments",
            "submitted_at",
        ]
        read_only_fields = ["submitted_at"]


class SupervisorEvaluationViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The placement supervisor evaluates the student through the emailed link: no account is
    needed; the signed token works once and expires after 30 days."""

    queryset = SupervisorEvaluation.objects.none()  # for the schema
    serializer_class = SupervisorEvaluationSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [SupervisorEvaluationThrottle]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.supervisor_evaluation_submit_by_token(**data)
