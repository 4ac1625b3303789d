"""The 500 page, with the request id people can quote when they report the problem; and the
404 answer, which under /api/ is JSON like every API error."""

from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from .logging import get_request_id


@requires_csrf_token
def server_error(request, template_name: str = "500.html"):
    """Like Django's default: no request context (it may be what failed), only the id."""
    request_id = get_request_id()
    body = loader.get_template(template_name).render(
        {"request_id": request_id if request_id != "-" else ""}
    )
    return HttpResponseServerError(body)


def page_not_found(request, exception, template_name: str = "404.html"):
    """An API path no endpoint matches (say ``/api/events/1.5/``) answers the same JSON 404 as
    an object that is not there, not the HTML page meant for people."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception, template_name)
