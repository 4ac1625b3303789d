"""The application's URLs plus ``/__floor__``: the load test's floor, never part of the app.

The floor is the cheapest thing Django can answer through the same gunicorn, middleware and
settings as the pages under test, so each page's throughput is compared against it in the same
run (see ``bench/loadtest.py``).
"""

from django.http import JsonResponse
from django.urls import include, path

from partnerships import urls as app_urls

FLOOR_PATH = "__floor__"

handler500 = app_urls.handler500


def floor_view(request):
    # Says whether the request was signed in, so the signed-in floor can tell a session that
    # did not load (an anonymous answer is as fast, and would pass for one).
    user = getattr(request, "user", None)
    return JsonResponse({"ok": True, "signed_in": bool(user and user.is_authenticated)})


urlpatterns = [
    path(FLOOR_PATH, floor_view, name="loadtest_floor"),
    path("", include(app_urls)),
]
