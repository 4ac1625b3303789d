"""API for organisations, memberships, invitations and join requests.

Every queryset comes from a selector filtered to the caller; every write goes through a service,
so the API enforces exactly the rules the HTML pages do.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.response import Response

from partnerships.core.api import VisibleOnly
from partnerships.core.models import Sector
from partnerships.core.serializers import SlugListField
from partnerships.core.validators import validate_image_upload

from . import selectors, services
from .models import (
    MANAGER_ROLES,
    Invitation,
    JoinRequest,
    MemberRole,
    Membership,
    Organisation,
    slug_validator,
)
from .permissions import can_manage_organisation, can_view_organisation, is_platform_admin


class OrganisationSerializer(serializers.ModelSerializer):
    sectors = SlugListField(name="sector", many=True, queryset=Sector.objects.all(), required=False)
    slug = serializers.CharField(max_length=80, validators=[slug_validator])
    logo = serializers.ImageField(
        required=False, allow_null=True, validators=[validate_image_upload]
    )
    status = serializers.CharField(read_only=True)
    status_reason = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "category",
            "name",
            "slug",
            "description",
            "website",
            "location",
            "sectors",
            "size_band",
            "logo",
            "status",
            "status_reason",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        if self.instance is not None:
            for frozen in ("kind", "slug"):
                if frozen in attrs and attrs[frozen] != getattr(self.instance, frozen):
                    raise serializers.ValidationError({frozen: _("This cannot be changed.")})
                attrs.pop(frozen, None)
        return attrs


class MembershipSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    user = serializers.IntegerField(source="user_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "organisation",
            "user",
            "email",
            "display_name",
            "role",
            "job_title",
            "created_at",
        ]
        read_only_fields = ["job_title", "created_at"]


class VisibleOrganisationField(serializers.SlugRelatedField):
    """An organisation slug resolved among those the caller can see, so hidden ones read as
    unknown rather than forbidden."""

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            return Organisation.objects.none()
        return selectors.visible_organisations(user)


class VisibleOrganisationRef(VisibleOnly, serializers.SlugRelatedField):
    """An organisation, by slug, among those the caller can see; any other slug answers 404."""

    not_found_message = "No such organisation."

    def __init__(self, **kwargs):
        # The queryset is for the schema only; get_queryset() filters per caller.
        super().__init__(slug_field="slug", queryset=Organisation.objects.all(), **kwargs)

    def visible(self, user):
        return selectors.visible_organisations(user)


class InvitationSerializer(serializers.ModelSerializer):
    organisation = VisibleOrganisationField(slug_field="slug")
    role = serializers.ChoiceField(
        choices=[MemberRole.MEMBER.value, MemberRole.ADMIN.value], default=MemberRole.MEMBER
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "organisation",
            "email",
            "role",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = ["created_at", "expires_at", "accepted_at", "revoked_at"]


class JoinRequestSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.verified()
    )
    user = serializers.IntegerField(source="user_id", read_only=True)

    class Meta:
        model = JoinRequest
        fields = ["id", "organisation", "user", "message", "status", "created_at", "decided_at"]
        read_only_fields = ["status", "created_at", "decided_at"]


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class AcceptInvitationInput(serializers.Serializer):
    token = serializers.CharField(max_length=500)


class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organisations: verified ones for everybody, your own pending ones for you."""

    queryset = Organisation.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    http_method_names = ["get", "post", "patch", "head", "options"]
    search_fields = ["name", "description", "location"]
    filterset_fields = {
        "kind": ["exact"],
        "category": ["exact"],
        "status": ["exact"],
        "sectors__slug": ["exact"],
    }
    ordering_fields = ["name", "created_at"]

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return super().get_permissions()

    def get_queryset(self):
        return (
            selectors.visible_organisations(self.request.user)
            .prefetch_related("sectors")
            .order_by("name", "pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.organisation_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        organisation = serializer.instance
        if not can_manage_organisation(self.request.user, organisation):
            raise DRFPermissionDenied(_("Only the organisation’s owners and admins can edit it."))
        services.organisation_update(
            actor=self.request.user,
            organisation=organisation,
            sectors=data.pop("sectors", None),
            **data,
        )

    @extend_schema(request=None, responses=OrganisationSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, slug=None):
        """Platform admins only: verify a pending organisation."""
        organisation = services.organisation_verify(
            actor=request.user, organisation=self.get_object()
        )
        return Response(self.get_serializer(organisation).data)

    @extend_schema(
        request=RejectInput,
        responses=OrganisationSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, slug=None):
        """Platform admins only: reject with a reason the owners are sent."""
        organisation = self.get_object()
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = services.organisation_reject(
            actor=request.user, organisation=organisation, reason=data.validated_data["reason"]
        )
        return Response(self.get_serializer(organisation).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def leave(self, request, slug=None):
        """Leave the organisation (the last owner cannot)."""
        services.membership_leave(user=request.user, organisation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of organisations you can see. Owners and admins change roles and remove people;
    deleting your own membership leaves the organisation."""

    queryset = Membership.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = MembershipSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]
    filterset_fields = {"organisation__slug": ["exact"], "role": ["exact"]}

    def get_queryset(self):
        """Members of your own organisations only: the list carries email addresses."""
        qs = Membership.objects.select_related("organisation", "user", "user__profile").order_by(
            "organisation__name", "pk"
        )
        if is_platform_admin(self.request.user):
            return qs
        mine = Membership.objects.filter(user=self.request.user).values("organisation_id")
        return qs.filter(organisation_id__in=mine)

    def perform_update(self, serializer):
        role = serializer.validated_data.get("role")
        if role is None:
            raise serializers.ValidationError({"role": _("Give the new role.")})
        serializer.instance = services.membership_change_role(
            actor=self.request.user, membership=serializer.instance, role=role
        )

    def perform_destroy(self, instance):
        services.membership_remove(actor=self.request.user, membership=instance)


class InvitationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations of the organisations you manage. DELETE withdraws one."""

    queryset = Invitation.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = InvitationSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]
    filterset_fields = {"organisation__slug": ["exact"]}

    def get_queryset(self):
        user = self.request.user
        qs = Invitation.objects.select_related("organisation").order_by("-created_at", "pk")
        if is_platform_admin(user):
            return qs
        return qs.filter(
            organisation__memberships__user=user, organisation__memberships__role__in=MANAGER_ROLES
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        organisation = data["organisation"]
        if not can_view_organisation(self.request.user, organisation):
            raise NotFound()
        serializer.instance = services.invitation_create(
            actor=self.request.user,
            organisation=organisation,
            email=data["email"],
            role=data["role"],
        )

    def perform_destroy(self, instance):
        services.invitation_revoke(actor=self.request.user, invitation=instance)

    @extend_schema(
        request=AcceptInvitationInput,
        responses=MembershipSerializer,
    )
    @action(detail=False, methods=["post"])
    def accept(self, request):
        """Accept an invitation with the token from its email link."""
        data = AcceptInvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.invitation_accept(
            user=request.user, token=data.validated_data["token"]
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class JoinRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Your own requests to join, and those waiting on organisations you manage."""

    queryset = JoinRequest.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = JoinRequestSerializer
    filterset_fields = {"organisation__slug": ["exact"], "status": ["exact"]}

    def get_queryset(self):
        user = self.request.user
        qs = JoinRequest.objects.select_related("organisation").order_by("-created_at", "pk")
        if is_platform_admin(user):
            return qs
        managed = Membership.objects.filter(user=user, role__in=MANAGER_ROLES).values(
            "organisation_id"
        )
        return qs.filter(Q(user=user) | Q(organisation_id__in=managed))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.join_request_create(
            user=self.request.user,
            organisation=data["organisation"],
            message=data.get("message", ""),
        )

    def _decide(self, request, service):
        join_request = self.get_object()
        return Response(self.get_serializer(service(join_request=join_request)).data)

    @extend_schema(request=None, responses=JoinRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(
            request, lambda **kw: services.join_request_approve(actor=request.user, **kw)
        )

    @extend_schema(request=None, responses=JoinRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(
            request, lambda **kw: services.join_request_decline(actor=request.user, **kw)
        )

    @extend_schema(request=None, responses=JoinRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._decide(
            request, lambda **kw: services.join_request_cancel(user=request.user, **kw)
        )
