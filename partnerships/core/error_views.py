"""The 500 page, with the request id people can quote when they report the problem."""

from django.http import HttpResponseServerError
from django.template import loader
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
