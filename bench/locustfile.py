"""Locust users for ``bench/loadtest.py`` (run by it; not meant to be started by hand).

The driver generates the data, then writes what the users need — session cookies and API
tokens made at generation time (posting the log-in form under load would only measure
allauth's rate limits), ids, search words, filter values — to a JSON file named by
``LOADTEST_DATA``. Every request is a GET and is counted as failed unless it answers 200:
a redirect to the log-in page is a failure, not a fast page.

User classes, named on the locust command line by the driver:

* ``AnonymousVisitor`` — browses and searches placements and events, reads placements and the
  story showcase;
* ``Student`` — signed in: dashboard, placements with filters, a placement, the notification
  inbox, and the API lists with a token;
* ``StudioMember`` — signed in: dashboard and the applicant pipeline of one of their
  placements;
* ``FloorUser`` — the bare Django view (``/__floor__``, ``bench/loadtest_urls.py``); the page
  ``floor-signed-in`` is the same view asked for with a student's session;
* ``PageUser`` — one page only, ``LOADTEST_PAGE`` (a key of ``PAGES``): each page's own
  throughput, compared with the floor's.

Each request picks a random identity from the generated sample, so a page is measured across
many people (and no one person reaches the API's per-user throttle).
"""

import json
import os
import random
from collections.abc import Callable
from urllib.parse import urlencode

from locust import FastHttpUser, between, constant

DATA: dict = {}
if os.environ.get("LOADTEST_DATA"):
    with open(os.environ["LOADTEST_DATA"]) as data_file:
        DATA = json.load(data_file)


def _pick(name: str):
    return random.choice(DATA[name])


def _search_words() -> str:
    words = DATA["search_terms"]
    first = random.choices(words, cum_weights=DATA["search_cum_weights"])[0]
    if random.random() < 0.25:  # a quarter of searches use two words
        second = random.choices(words, cum_weights=DATA["search_cum_weights"])[0]
        return f"{first} {second}"
    return first


def _page_number() -> dict:
    """Most people stay on the first page of a list; some go a few pages on."""
    return {} if random.random() < 0.8 else {"page": random.randint(2, 5)}


def _with_query(path: str, params: dict) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _get(
    user, name: str, path: str, *, cookie: str = "", token: str = "", expect: str = ""
) -> None:
    headers = {}
    if cookie:
        headers["Cookie"] = f"{DATA['session_cookie_name']}={cookie}"
    if token:
        headers["Authorization"] = f"Token {token}"
    with user.client.get(
        path, name=name, headers=headers, allow_redirects=False, catch_response=True
    ) as response:
        if response.status_code != 200:
            where = response.headers.get("Location", "") if response.headers else ""
            response.failure(f"HTTP {response.status_code} {where}".strip())
        elif expect and expect not in (response.text or ""):
            response.failure(f"200 without {expect}")


# --- The pages ------------------------------------------------------------------------------
# Each takes the locust user and makes one request named after its key in PAGES.


def anon_placements(user) -> None:
    _get(user, "anon-placements", _with_query("/placements/", _page_number()))


def anon_placement_search(user) -> None:
    _get(user, "anon-placement-search", _with_query("/placements/", {"q": _search_words()}))


def anon_placement_detail(user) -> None:
    _get(user, "anon-placement-detail", f"/placements/{_pick('placements')}/")


def anon_events(user) -> None:
    _get(user, "anon-events", _with_query("/events/", _page_number()))


def anon_event_search(user) -> None:
    _get(user, "anon-event-search", _with_query("/events/", {"q": _search_words()}))


def anon_stories(user) -> None:
    _get(user, "anon-stories", "/stories/")


def _student() -> dict:
    return _pick("students")


def student_dashboard(user) -> None:
    _get(user, "student-dashboard", "/dashboard/", cookie=_student()["session"])


def student_placements(user) -> None:
    path = _with_query("/placements/", _page_number())
    _get(user, "student-placements", path, cookie=_student()["session"])


def _placement_filters() -> dict:
    """A search with some of the browse page's filters, as a student narrows a list."""
    params: dict = {}
    if random.random() < 0.7:
        params["q"] = _search_words()
    for name, share in (("kind", 0.3), ("mode", 0.3), ("location", 0.2), ("level", 0.2)):
        if random.random() < share:
            params[name] = _pick(f"{name}s")
    if random.random() < 0.15:
        params["sector"] = _pick("sectors")
    if random.random() < 0.15:
        params["skill"] = _pick("skills")
    if random.random() < 0.3:
        params["paid_only"] = "on"
    if random.random() < 0.1:
        params["deadline_soon"] = "on"
    if not params:
        params["q"] = _search_words()
    return params


def student_placement_search(user) -> None:
    path = _with_query("/placements/", _placement_filters())
    _get(user, "student-placement-search", path, cookie=_student()["session"])


def student_placement_detail(user) -> None:
    path = f"/placements/{_pick('placements')}/"
    _get(user, "student-placement-detail", path, cookie=_student()["session"])


def student_notifications(user) -> None:
    _get(user, "student-notifications", "/notifications/", cookie=_student()["session"])


def api_placements(user) -> None:
    _get(user, "api-placements", "/api/placements/", token=_student()["token"])


def api_notifications(user) -> None:
    _get(user, "api-notifications", "/api/notifications/", token=_student()["token"])


def api_events(user) -> None:
    _get(user, "api-events", "/api/events/", token=_student()["token"])


def studio_dashboard(user) -> None:
    _get(user, "studio-dashboard", "/dashboard/", cookie=_pick("studios")["session"])


def studio_pipeline(user) -> None:
    studio = _pick("studios")
    path = f"/placements/{random.choice(studio['placements'])}/pipeline/"
    _get(user, "studio-pipeline", path, cookie=studio["session"])


def floor(user) -> None:
    _get(user, "floor", "/__floor__")


def floor_signed_in(user) -> None:
    """The bare view again, with a student's session: what being signed in costs every page
    (the session, the user and their profile loaded by the middleware) before it draws anything."""
    _get(
        user,
        "floor-signed-in",
        "/__floor__",
        cookie=_student()["session"],
        expect='"signed_in": true',
    )


PAGES: dict[str, Callable] = {
    "floor-signed-in": floor_signed_in,
    "anon-placements": anon_placements,
    "anon-placement-search": anon_placement_search,
    "anon-placement-detail": anon_placement_detail,
    "anon-events": anon_events,
    "anon-event-search": anon_event_search,
    "anon-stories": anon_stories,
    "student-dashboard": student_dashboard,
    "student-placements": student_placements,
    "student-placement-search": student_placement_search,
    "student-placement-detail": student_placement_detail,
    "student-notifications": student_notifications,
    "api-placements": api_placements,
    "api-notifications": api_notifications,
    "api-events": api_events,
    "studio-dashboard": studio_dashboard,
    "studio-pipeline": studio_pipeline,
    "floor": floor,
}


# --- The users ------------------------------------------------------------------------------


def _wait_time():
    """No think time by default: the driver measures how much each page can serve.
    ``LOADTEST_WAIT="1,3"`` adds 1–3 s between requests instead."""
    spec = os.environ.get("LOADTEST_WAIT", "")
    if not spec:
        return constant(0)
    low, _, high = spec.partition(",")
    return between(float(low), float(high or low))


class LoadtestUser(FastHttpUser):
    abstract = True
    wait_time = _wait_time()
    network_timeout = 60.0
    connection_timeout = 10.0


class AnonymousVisitor(LoadtestUser):
    weight = 4
    tasks = {
        anon_placements: 4,
        anon_placement_search: 3,
        anon_placement_detail: 4,
        anon_events: 2,
        anon_event_search: 1,
        anon_stories: 1,
    }


class Student(LoadtestUser):
    weight = 5
    tasks = {
        student_dashboard: 2,
        student_placements: 2,
        student_placement_search: 3,
        student_placement_detail: 3,
        student_notifications: 1,
        api_placements: 1,
        api_notifications: 1,
        api_events: 1,
    }


class StudioMember(LoadtestUser):
    weight = 1
    tasks = {studio_dashboard: 1, studio_pipeline: 2}


class FloorUser(LoadtestUser):
    tasks = [floor]


class PageUser(LoadtestUser):
    """One page only (``LOADTEST_PAGE``), for its throughput alone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = PAGES[os.environ["LOADTEST_PAGE"]]

    def _one_page(self) -> None:
        self.page(self)

    tasks = [_one_page]
