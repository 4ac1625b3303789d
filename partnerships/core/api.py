"""Shared API plumbing: pagination, one mapping from domain errors to HTTP responses, and the
field and view helpers every app's API uses."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body = {exc.field: [exc.message], "detail": exc.message, "code": exc.code}
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


# People are referred to by id, in a plain input: the browsable API must not list every account
# (with its email address) as the choices of a <select>.
ID_INPUT = {"base_template": "input.html"}


class VisibleOnly:
    """A reference to an object the caller can see; any other value answers 404, like the pages,
    so ids and slugs of hidden objects cannot be probed through request bodies."""

    not_found_message = "Not found."

    def visible(self, user):
        raise NotImplementedError

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.queryset.none()
        return self.visible(request.user)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if "does_not_exist" in exc.get_codes():
                raise NotFound(self.not_found_message) from None
            raise


def refuse_change(attrs: dict, instance, *names: str) -> None:
    """Fields set once at creation: a different value is refused, the same one ignored."""
    if instance is None:
        return
    for name in names:
        if name not in attrs:
            continue
        if attrs[name] != getattr(instance, name):
            raise serializers.ValidationError({name: "This cannot be changed."})
        attrs.pop(name)


class ChangeRule(permissions.BasePermission):
    """Refuse a PATCH (403) before its body is validated when the caller may see the object but
    not change it. The service checks again inside its transaction."""

    message = "You are not allowed to change this."

    def has_object_permission(self, request, view, obj):
        rule = getattr(view, "change_rule", None)
        if view.action != "partial_update" or rule is None:
            return True
        return rule(request.user, obj)


class FileDownloads:
    """Download actions send the file whatever ``Accept`` says (rather than answering 406);
    their error responses stay JSON."""

    download_actions: tuple[str, ...] = ()

    def perform_content_negotiation(self, request, force=False):
        force = force or getattr(self, "action", None) in self.download_actions
        return super().perform_content_negotiation(request, force=force)


PDF_DOWNLOAD = {(200, "application/pdf"): OpenApiTypes.BINARY}
