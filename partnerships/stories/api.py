"""API for success stories, their quotes, figures and images, and testimonial requests.

Same conventions as ``partnerships/placements/api.py``: querysets come from the selectors, filtered
to the caller; every write goes through the service the pages use; status, curator, approvals and
links are never writable fields and change only through actions, each checked by its service.
Stories the caller may not see answer 404; visible ones they may not change, 403; broken rules 400
or 409.

What each reader sees of a story:

- everyone: published stories, with the quotes whose person consented;
- members of a story's organisations (its *sides*): also its unpublished states, and the sides'
  approvals of the text;
- curators (platform admins): every story, every quote with its consent state, the nomination
  reason.

A linked collaboration is named (id and title) only to people who may see it; others learn its
kind alone, so a story never reveals a private partnership or a draft.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Prefetch, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from events.selectors import visible_events
from partnerships.core.api import ID_INPUT, ChangeRule
from partnerships.core.models import Sector
from partnerships.core.serializers import ChoiceLabelField, SlugListField
from partnerships.organisations.api import VisibleOrganisationRef
from partnerships.organisations.models import Kind, Membership, Organisation
from partnerships.placements.selectors import visible_placements
from partnerships.projects.selectors import visible_opportunities, visible_partnerships

from . import permissions as rules
from . import selectors, services
from .models import (
    COLLABORATION_FIELDS,
    CollaborationKind,
    Metric,
    OutcomeFigure,
    Story,
    StoryApproval,
    StoryQuote,
    StoryStatus,
    TestimonialRequest,
)

User = get_user_model()

# How to list, for one person, the collaborations of each kind they may see (story field → reader).
VISIBLE_COLLABORATIONS = {
    "partnership": visible_partnerships,
    "opportunity": visible_opportunities,
    "placement": visible_placements,
    "event": visible_events,
}
KIND_OF_FIELD = {field: kind for kind, field in COLLABORATION_FIELDS.items()}
STATUS_HELP = "One of: " + ", ".join(StoryStatus.values) + "."


def visible_collaborations(user, stories: Iterable[Story]) -> set[tuple[str, int]]:
    """(story field, id) of the stories' collaborations this person may see.

    One query per kind of collaboration present (at most four), whatever the number of stories,
    so a list of stories costs the same whatever its length.
    """
    wanted: dict[str, set[int]] = {}
    for story in stories:
        for field in COLLABORATION_FIELDS.values():
            pk = getattr(story, f"{field}_id")
            if pk is not None:
                wanted.setdefault(field, set()).add(pk)
    seen: set[tuple[str, int]] = set()
    for field, ids in wanted.items():
        visible = VISIBLE_COLLABORATIONS[field](user).filter(pk__in=ids)
        seen.update((field, pk) for pk in visible.values_list("pk", flat=True))
    return seen


def _with_parts(qs: QuerySet[Story], user) -> QuerySet[Story]:
    """Everything the representation reads, in a fixed number of queries. Quotes are filtered
    here: only curators ever receive quotes without consent."""
    quotes = StoryQuote.objects.select_related("organisation").order_by("order", "pk")
    if not rules.is_curator(user):
        quotes = quotes.filter(consent_given_at__isnull=False)
    qs = qs.select_related("partnership", "opportunity", "placement", "event").prefetch_related(
        "sectors",
        "organisations",
        "images",
        Prefetch("figures", queryset=OutcomeFigure.objects.select_related("organisation")),
        Prefetch("quotes", queryset=quotes, to_attr="shown_quotes"),
    )
    if user.is_authenticated:
        approvals = StoryApproval.objects.select_related("organisation").order_by("approved_at")
        qs = qs.prefetch_related(Prefetch("approvals", queryset=approvals))
    return qs


# --- Representation -----------------------------------------------------------------------------


class OrganisationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="institution or industry.")


def _brief(org: Organisation | None) -> dict | None:
    if org is None:
        return None
    return {"id": org.pk, "slug": org.slug, "name": org.name, "kind": org.kind}


class CollaborationSerializer(serializers.Serializer):
    kind = serializers.CharField(
        read_only=True, help_text="One of: " + ", ".join(CollaborationKind.values) + "."
    )
    id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Null when you may not see the collaboration."
    )
    title = serializers.CharField(
        read_only=True, allow_null=True, help_text="Null when you may not see the collaboration."
    )


class StoryImageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    image = serializers.URLField(read_only=True)
    thumbnail = serializers.URLField(read_only=True, allow_null=True, help_text="400×300 JPEG.")
    social_card = serializers.URLField(
        read_only=True, allow_null=True, help_text="1200×630 JPEG, for link previews."
    )
    alt_text = serializers.CharField(read_only=True)
    caption = serializers.CharField(read_only=True)
    order = serializers.IntegerField(read_only=True)


class StoryQuoteSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    person_name = serializers.CharField(read_only=True)
    person_role = serializers.CharField(read_only=True)
    organisation = OrganisationBriefSerializer(read_only=True, allow_null=True)
    has_consent = serializers.BooleanField(
        read_only=True,
        help_text="Always true except for curators, who also see quotes awaiting it.",
    )


class OutcomeFigureSerializer(serializers.ModelSerializer):
    metric_label = ChoiceLabelField("metric")
    value = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = OutcomeFigure
        fields = ["id", "metric", "metric_label", "value", "unit", "note", "organisation", "order"]
        read_only_fields = fields

    @extend_schema_field(OrganisationBriefSerializer(allow_null=True))
    def get_organisation(self, obj):
        """The side that reported the figure, if any."""
        return _brief(obj.organisation)


class StoryApprovalSerializer(serializers.Serializer):
    organisation = OrganisationBriefSerializer(read_only=True)
    approved_at = serializers.DateTimeField(read_only=True)


def _absolute(request, field_file) -> str | None:
    if not field_file:
        return None
    url = field_file.url
    return request.build_absolute_uri(url) if request is not None else url


class StorySerializer(serializers.ModelSerializer):
    """A story as this reader may see it (see the module docstring)."""

    body = serializers.CharField(read_only=True, help_text="Markdown, as written.")
    body_html = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_display = ChoiceLabelField("status")
    sectors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    organisations = serializers.SerializerMethodField()
    collaborations = serializers.SerializerMethodField()
    images = serializers.SerializerMethodField()
    quotes = serializers.SerializerMethodField()
    figures = OutcomeFigureSerializer(many=True, read_only=True)
    approvals = serializers.SerializerMethodField()
    nomination_reason = serializers.SerializerMethodField()

    class Meta:
        model = Story
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "body",
            "body_html",
            "status",
            "status_display",
            "featured",
            "feature_order",
            "published_at",
            "sectors",
            "organisations",
            "collaborations",
            "images",
            "quotes",
            "figures",
            "approvals",
            "nomination_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @property
    def _user(self):
        request = self.context.get("request")
        return request.user if request is not None else None

    def _sees_backstage(self, story: Story) -> bool:
        user = self._user
        return user is not None and (rules.is_curator(user) or rules.is_side_member(user, story))

    def get_body_html(self, obj) -> str:
        """The body rendered from Markdown and sanitised (safe to insert as HTML)."""
        return str(obj.body_html())

    @extend_schema_field(OrganisationBriefSerializer(many=True))
    def get_organisations(self, obj):
        """The organisations on the story's sides."""
        return [_brief(org) for org in obj.organisations.all()]

    @extend_schema_field(CollaborationSerializer(many=True))
    def get_collaborations(self, obj):
        """What the story is about; id and title only when you may see it."""
        seen = self.context.get("visible_collaborations")
        if seen is None:
            seen = visible_collaborations(self._user, [obj]) if self._user is not None else set()
        result = []
        for kind, field in COLLABORATION_FIELDS.items():
            if getattr(obj, f"{field}_id") is None:
                continue
            shown = (field, getattr(obj, f"{field}_id")) in seen
            target = getattr(obj, field) if shown else None
            result.append(
                {
                    "kind": kind.value,
                    "id": target.pk if target else None,
                    "title": target.title if target else None,
                }
            )
        return result

    @extend_schema_field(StoryImageSerializer(many=True))
    def get_images(self, obj):
        """Absolute URLs of the image and its renditions."""
        request = self.context.get("request")
        return [
            {
                "id": image.pk,
                "image": _absolute(request, image.image),
                "thumbnail": _absolute(request, image.thumbnail),
                "social_card": _absolute(request, image.social_card),
                "alt_text": image.alt_text,
                "caption": image.caption,
                "order": image.order,
            }
            for image in obj.images.all()
        ]

    @extend_schema_field(StoryQuoteSerializer(many=True))
    def get_quotes(self, obj):
        """Quotes whose person consented (curators: every quote, with its consent state)."""
        quotes = getattr(obj, "shown_quotes", None)
        if quotes is None:  # not prefetched: read them with the same rule
            quotes = obj.quotes.select_related("organisation")
            if not (self._user is not None and rules.is_curator(self._user)):
                quotes = quotes.filter(consent_given_at__isnull=False)
        return [
            {
                "id": quote.pk,
                "text": quote.text,
                "person_name": quote.person_name,
                "person_role": quote.person_role,
                "organisation": _brief(quote.organisation),
                "has_consent": quote.has_consent,
            }
            for quote in quotes
        ]

    @extend_schema_field(StoryApprovalSerializer(many=True, allow_null=True))
    def get_approvals(self, obj):
        """Which sides approved the text as it stands: for the sides and curators, else null."""
        if not self._sees_backstage(obj):
            return None
        return [
            {"organisation": _brief(approval.organisation), "approved_at": approval.approved_at}
            for approval in obj.approvals.all()
        ]

    def get_nomination_reason(self, obj) -> str | None:
        """Why it was nominated: for curators only, else null."""
        user = self._user
        if user is None or not rules.is_curator(user):
            return None
        return obj.nomination_reason


# --- Inputs -------------------------------------------------------------------------------------


class StoryFilterSerializer(serializers.Serializer):
    """The list's query parameters, checked (an unknown kind or status answers 400)."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    sector = serializers.CharField(required=False, allow_blank=True, max_length=120)
    kind = serializers.ChoiceField(
        choices=CollaborationKind.choices, required=False, allow_blank=True
    )
    institution = serializers.CharField(required=False, allow_blank=True, max_length=80)
    partner = serializers.CharField(required=False, allow_blank=True, max_length=80)
    status = serializers.ChoiceField(choices=StoryStatus.choices, required=False, allow_blank=True)


class NominateSerializer(serializers.Serializer):
    collaboration_kind = serializers.ChoiceField(choices=CollaborationKind.choices)
    collaboration_id = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="Id of a collaboration you can see."
    )
    title = serializers.CharField(max_length=160)
    reason = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, help_text="Why it is a story."
    )


class NominationSerializer(serializers.Serializer):
    """What the nominator gets back: they may not see the story once curators take it over."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    collaboration_kind = serializers.CharField(read_only=True)
    collaboration_id = serializers.IntegerField(read_only=True)


class StoryUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160, required=False)
    slug = serializers.CharField(
        max_length=180, required=False, help_text="Web address; made into a slug."
    )
    summary = serializers.CharField(max_length=400, required=False, allow_blank=True)
    body = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, help_text="Markdown."
    )
    sectors = SlugListField(name="sector", many=True, queryset=Sector.objects.all(), required=False)
    organisations = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Organisation.objects.all(),
        required=False,
        help_text="Slugs of the organisations on the story's sides (they approve the text).",
    )
    featured = serializers.BooleanField(
        required=False, help_text="Only a published story can be featured."
    )
    feature_order = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text="Lower comes first."
    )

    TEXT_AND_LINKS = ("title", "slug", "summary", "body", "sectors", "organisations")


class StoryApproveSerializer(serializers.Serializer):
    organisation = VisibleOrganisationRef(
        required=False,
        allow_null=True,
        help_text="Slug of the side you approve for; needed only if you belong to both.",
    )


class QuoteCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    person_name = serializers.CharField(max_length=120)
    person_role = serializers.CharField(max_length=160, required=False, allow_blank=True)
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        style=ID_INPUT,
        required=False,
        allow_null=True,
        help_text="User id of the person quoted, when they have an account: only they consent.",
    )
    organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all(), required=False, allow_null=True
    )


class FigureCreateSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=Metric.choices)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    unit = serializers.CharField(
        max_length=60, required=False, allow_blank=True, help_text="Required for `other`."
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    organisation = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The side that reported the figure, if any.",
    )


class ImageUploadSerializer(serializers.Serializer):
    image = serializers.FileField(
        help_text="A JPEG, PNG, GIF or WebP checked by content and size (multipart/form-data)."
    )
    alt_text = serializers.CharField(max_length=250)
    caption = serializers.CharField(max_length=300, required=False, allow_blank=True)
    order = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text="Default: after the others."
    )


# --- Stories ------------------------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words in the title or summary."),
    OpenApiParameter("sector", OpenApiTypes.STR, description="Sector slug."),
    OpenApiParameter(
        "kind",
        OpenApiTypes.STR,
        enum=CollaborationKind.values,
        description="Kind of collaboration the story is about.",
    ),
    OpenApiParameter("institution", OpenApiTypes.STR, description="An institution's slug."),
    OpenApiParameter("partner", OpenApiTypes.STR, description="An industry partner's slug."),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=StoryStatus.values,
        description="One status only (you see unpublished ones only of your organisations').",
    ),
]


def _filtered(qs: QuerySet[Story], data: dict) -> QuerySet[Story]:
    """The showcase's filters and search (``selectors.public_stories``), on every story the
    caller may see rather than only published ones: members and curators filter their own
    unpublished stories the same way."""
    if data.get("sector"):
        qs = qs.filter(sectors__slug=data["sector"])
    if data.get("kind"):
        qs = qs.filter(**{f"{COLLABORATION_FIELDS[data['kind']]}__isnull": False})
    sides = Story.organisations.through.objects
    for name, kind in (("institution", Kind.INSTITUTION), ("partner", Kind.INDUSTRY)):
        if data.get(name):
            linked = sides.filter(organisation__kind=kind, organisation__slug=data[name])
            qs = qs.filter(pk__in=linked.values("story_id"))
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("q"):
        q = data["q"]
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    return qs


def _can_curate(user, story) -> bool:
    return rules.can_curate(user, story)


@extend_schema_view(list=extend_schema(parameters=LIST_PARAMETERS))
class StoryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Success stories. Everyone reads published ones (featured first, then the newest), with the
    showcase's filters and ``?q=``; members of a story's organisations also see it before
    publication, curators see all. Anyone signed in nominates a collaboration they can see
    (POST). Curators edit with PATCH, add quotes, figures and images, and move a story through
    ``accept``, ``send-for-review``, ``return-to-draft``, ``publish``, ``archive`` and
    ``restore``; the sides ``approve`` its text while it is in review."""

    queryset = Story.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = StorySerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list = []  # filters come from StoryFilterSerializer
    change_rule = staticmethod(_can_curate)

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated(), ChangeRule()]

    def get_queryset(self):
        user = self.request.user
        qs = selectors.visible_stories(user)
        if self.action == "list":
            filters = StoryFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            qs = _filtered(qs, filters.validated_data)
        return _with_parts(qs, user).order_by(
            "-featured",
            "feature_order",
            F("published_at").desc(nulls_last=True),
            "-created_at",
            "-pk",
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = self.get_serializer_context()
        context["visible_collaborations"] = visible_collaborations(request.user, page)
        data = StorySerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    def _respond(self, story: Story, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=story.pk).first()
        if fresh is None:  # e.g. no longer visible to the caller after the change
            raise NotFound("No such story.")
        return Response(self.get_serializer(fresh).data, status=status_code)

    def _curated_object(self) -> Story:
        """The story, for a curator's action: 404 if hidden, 403 for non-curators before the body
        is read (the service checks again)."""
        story = self.get_object()
        if not rules.can_curate(self.request.user, story):
            raise DRFPermissionDenied("Only platform curators can do that.")
        return story

    @extend_schema(
        request=NominateSerializer,
        responses={201: NominationSerializer},
        description="Nominate a collaboration you can see (a partnership, project, placement or "
        "event) as a success story. Curators take it from there; you may not see the story "
        "afterwards unless you belong to one of its organisations.",
    )
    def create(self, request, *args, **kwargs):
        body = NominateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        field = COLLABORATION_FIELDS[body.validated_data["collaboration_kind"]]
        collaboration = (
            VISIBLE_COLLABORATIONS[field](request.user)
            .filter(pk=body.validated_data["collaboration_id"])
            .first()
        )
        if collaboration is None:
            raise NotFound("No such collaboration.")
        story = services.nominate(
            actor=request.user,
            collaboration=collaboration,
            title=body.validated_data["title"],
            reason=body.validated_data.get("reason", ""),
        )
        data = {
            "id": story.pk,
            "title": story.title,
            "status": story.status,
            "collaboration_kind": body.validated_data["collaboration_kind"],
            "collaboration_id": collaboration.pk,
        }
        return Response(NominationSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=StoryUpdateSerializer,
        responses=StorySerializer,
        description="Curators edit a nominated, draft or in-review story (changing the text "
        "withdraws the sides' approvals) and feature a published one. All or nothing.",
    )
    def partial_update(self, request, *args, **kwargs):
        story = self.get_object()  # ChangeRule: 403 for non-curators before the body is read
        body = StoryUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        edits = {name: data[name] for name in StoryUpdateSerializer.TEXT_AND_LINKS if name in data}
        with transaction.atomic():
            if edits:
                story = services.edit_story(actor=request.user, story=story, **edits)
            if "featured" in data or "feature_order" in data:
                story = services.feature(
                    actor=request.user,
                    story=story,
                    featured=data.get("featured", story.featured),
                    order=data.get("feature_order", story.feature_order),
                )
        return self._respond(story)

    def _move(self, service) -> Response:
        return self._respond(service(actor=self.request.user, story=self.get_object()))

    @extend_schema(request=None, responses=StorySerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Curators take a nomination on as a draft."""
        return self._move(services.accept_nomination)

    @extend_schema(request=None, responses=StorySerializer)
    @action(detail=True, methods=["post"], url_path="send-for-review")
    def send_for_review(self, request, pk=None):
        """Curators ask the sides to approve the draft's text (earlier approvals are dropped)."""
        return self._move(services.send_for_review)

    @extend_schema(request=None, responses=StorySerializer)
    @action(detail=True, methods=["post"], url_path="return-to-draft")
    def return_to_draft(self, request, pk=None):
        """Curators take a story in review back to draft (approvals are dropped)."""
        return self._move(services.return_to_draft)

    @extend_schema(request=None, responses=StorySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Curators publish a story in review once every side approved and every quote has
        consent; 409 says what is missing."""
        return self._move(services.publish)

    @extend_schema(request=None, responses=StorySerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """Curators take a story off the showcase (or drop a nomination)."""
        return self._move(services.archive)

    @extend_schema(request=None, responses=StorySerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        """Curators bring an archived story back to draft."""
        return self._move(services.restore)

    @extend_schema(request=StoryApproveSerializer, responses=StorySerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """A member of one of the story's organisations approves its text, while it is in
        review. Approving twice is harmless."""
        story = self.get_object()
        body = StoryApproveSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        services.approve_text(
            actor=request.user, story=story, organisation=body.validated_data.get("organisation")
        )
        return self._respond(story)

    @extend_schema(
        request=QuoteCreateSerializer,
        responses={201: OpenApiResponse(StorySerializer, description="The story, with it.")},
    )
    @action(detail=True, methods=["post"])
    def quotes(self, request, pk=None):
        """Curators add a quote; it is shown only once the person quoted consents (through
        ``/api/story-quotes/{id}/consent/``). The sides approve the text again."""
        story = self._curated_object()
        body = QuoteCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.add_quote(actor=request.user, story=story, **body.validated_data)
        return self._respond(story, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=FigureCreateSerializer,
        responses={201: OpenApiResponse(StorySerializer, description="The story, with it.")},
    )
    @action(detail=True, methods=["post"])
    def figures(self, request, pk=None):
        """Curators add an outcome figure (a label in ``unit`` is required for ``other``)."""
        story = self._curated_object()
        body = FigureCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.add_figure(actor=request.user, story=story, **body.validated_data)
        return self._respond(story, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=ImageUploadSerializer,
        responses={201: OpenApiResponse(StorySerializer, description="The story, with it.")},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
    )
    def images(self, request, pk=None):
        """Curators upload an image with its alternative text (multipart/form-data); a
        thumbnail and a social card are made from it."""
        story = self._curated_object()
        body = ImageUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.add_image(
            actor=request.user,
            story=story,
            upload=data["image"],
            alt_text=data["alt_text"],
            caption=data.get("caption", ""),
            order=data.get("order"),
        )
        return self._respond(story, status_code=status.HTTP_201_CREATED)


# --- Quotes: consent by the person quoted -------------------------------------------------------


class StoryBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)


class QuoteSerializer(serializers.ModelSerializer):
    story = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()
    has_consent = serializers.BooleanField(read_only=True)

    class Meta:
        model = StoryQuote
        fields = [
            "id",
            "story",
            "text",
            "person_name",
            "person_role",
            "organisation",
            "has_consent",
            "consent_given_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(StoryBriefSerializer)
    def get_story(self, obj):
        """The story the quote is in, so the person knows where their words will appear."""
        return {"id": obj.story_id, "title": obj.story.title, "status": obj.story.status}

    @extend_schema_field(OrganisationBriefSerializer(allow_null=True))
    def get_organisation(self, obj):
        return _brief(obj.organisation)


class QuoteEditSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


def _curates_quote(user, quote) -> bool:
    return rules.is_curator(user)


class StoryQuoteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Quotes of you in success stories (curators: every quote). The person quoted gives
    (``consent``) or withdraws (``withdraw-consent``) consent to publish their words; a curator
    records it for someone without an account. Curators correct a quote's words with PATCH,
    which withdraws the consent given to the old ones."""

    queryset = StoryQuote.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = QuoteSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list = []
    change_rule = staticmethod(_curates_quote)

    def get_permissions(self):
        return [permissions.IsAuthenticated(), ChangeRule()]

    def get_queryset(self):
        user = self.request.user
        qs = StoryQuote.objects.all()
        if not rules.is_curator(user):
            qs = qs.filter(user_id=user.pk)
        return qs.select_related("story", "organisation").order_by("-created_at", "-pk")

    def _respond(self, quote) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=quote.pk)).data)

    @extend_schema(request=QuoteEditSerializer, responses=QuoteSerializer)
    def partial_update(self, request, *args, **kwargs):
        quote = self.get_object()
        body = QuoteEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(
            services.edit_quote(actor=request.user, quote=quote, text=body.validated_data["text"])
        )

    @extend_schema(request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        """Agree to your words being published with the story."""
        return self._respond(
            services.give_quote_consent(actor=request.user, quote=self.get_object())
        )

    @extend_schema(request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["post"], url_path="withdraw-consent")
    def withdraw_consent(self, request, pk=None):
        """Take your consent back; a published story stops showing the quote at once."""
        return self._respond(
            services.withdraw_quote_consent(actor=request.user, quote=self.get_object())
        )


# --- Testimonial requests -----------------------------------------------------------------------


class TestimonialRequestSerializer(serializers.ModelSerializer):
    organisation = serializers.SerializerMethodField()
    story = serializers.SerializerMethodField()
    collaboration = serializers.SerializerMethodField()
    figures = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Outcome figures given: {metric: decimal string}.",
    )
    is_submitted = serializers.BooleanField(read_only=True)

    class Meta:
        model = TestimonialRequest
        fields = [
            "id",
            "organisation",
            "story",
            "collaboration",
            "text",
            "person_role",
            "figures",
            "consent_to_publish",
            "is_submitted",
            "submitted_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OrganisationBriefSerializer)
    def get_organisation(self, obj):
        """The side asked: you answer on its behalf."""
        return _brief(obj.organisation)

    @extend_schema_field(StoryBriefSerializer(allow_null=True))
    def get_story(self, obj):
        if obj.story_id is None:
            return None
        return {"id": obj.story_id, "title": obj.story.title, "status": obj.story.status}

    @extend_schema_field(CollaborationSerializer)
    def get_collaboration(self, obj):
        """The completed project or placement the testimonial is about (your side took part)."""
        target = obj.opportunity or obj.placement
        field = "opportunity" if obj.opportunity_id else "placement"
        return {"kind": KIND_OF_FIELD[field].value, "id": target.pk, "title": target.title}


TESTIMONIAL_METRICS = [m for m in Metric.values if m != Metric.OTHER]


class TestimonialSubmitSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="Your testimonial."
    )
    person_role = serializers.CharField(max_length=160, required=False, allow_blank=True)
    figures = serializers.DictField(
        child=serializers.DecimalField(
            max_digits=14, decimal_places=2, min_value=0, allow_null=True
        ),
        required=False,
        help_text="Outcome figures: {metric: number}, metrics among "
        + ", ".join(TESTIMONIAL_METRICS)
        + ".",
    )
    consent_to_publish = serializers.BooleanField(
        help_text="Whether your testimonial may be published, quoted under your name."
    )


def _member_org_ids(user):
    return Membership.objects.filter(user=user).values("organisation_id")


class TestimonialRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Requests for a testimonial after a project or placement your organisation took part in
    completed. The list shows the open ones addressed to your organisations; you may read any of
    theirs. A member of the (verified) organisation answers once with ``submit``: a testimonial
    and/or outcome figures, and whether the words may be published."""

    queryset = TestimonialRequest.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = TestimonialRequestSerializer
    filter_backends: list = []

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            qs = selectors.open_testimonial_requests(user)
        else:
            qs = TestimonialRequest.objects.filter(organisation_id__in=_member_org_ids(user))
        return qs.select_related("organisation", "story", "opportunity", "placement").order_by(
            "created_at", "pk"
        )

    @extend_schema(request=TestimonialSubmitSerializer, responses=TestimonialRequestSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Answer for your organisation (once)."""
        testimonial = self.get_object()
        body = TestimonialSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        testimonial = services.submit_testimonial(
            actor=request.user,
            request=testimonial,
            text=data.get("text", ""),
            figures=data.get("figures"),
            consent_to_publish=data["consent_to_publish"],
            person_role=data.get("person_role", ""),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=testimonial.pk)).data)
