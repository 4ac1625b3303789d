"""The OpenAPI schema states the error responses every endpoint can give (docs/api.md,
"Conventions"), so that clients — and Schemathesis in tests/api/test_schemathesis.py — can rely
on the documented status codes being the only ones."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers


class ErrorSerializer(serializers.Serializer):
    """An error meant for people (``detail``); rules broken answer a machine-readable ``code``
    too, and the field at fault when there is one."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


# Validation errors name each field at fault ({"field": ["message", …]}), or list messages.
VALIDATION_ERROR = OpenApiTypes.ANY

ERRORS = {
    "400": (VALIDATION_ERROR, "The request is invalid, or breaks a rule; the errors say why."),
    "401": (ErrorSerializer, "Not signed in, or the token is invalid."),
    "403": (ErrorSerializer, "You may see this but not do that."),
    "404": (ErrorSerializer, "Not found, or not visible to you (including objects referred to)."),
    "409": (ErrorSerializer, "A rule stops the action in the object's current state."),
    "415": (ErrorSerializer, "The body is not JSON, a form or multipart (see Content-Type)."),
    "429": (ErrorSerializer, "Too many requests; try again later."),
}


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if code not in responses:
                body, description = ERRORS[code]
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(body, description=description),
                    code,
                    media_types=["application/json"],
                )
        return operation

    def _error_codes(self, operation: dict) -> list[str]:
        view = self.view
        unsafe = self.method not in permissions.SAFE_METHODS
        query = any(p["in"] == "query" for p in operation.get("parameters", ()))
        in_path = any(p["in"] == "path" for p in operation.get("parameters", ()))
        body = "requestBody" in operation
        authenticators = view.get_authenticators()
        open_to_all = all(
            isinstance(permission, permissions.AllowAny) for permission in view.get_permissions()
        )
        codes = []
        if unsafe or body or query:
            codes.append("400")
        if authenticators:
            codes.append("401")  # a wrong or revoked token, whatever the endpoint
        if authenticators or not open_to_all:
            codes.append("403")
        if in_path or body or query:
            codes.append("404")
        if unsafe:
            codes.append("409")
        if body:
            codes.append("415")
        if view.get_throttles():
            codes.append("429")
        return codes
