"""Anonymous visitors' browse pages come from the cache, when nothing in them is personal."""

import re
from unittest import mock

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test.utils import CaptureQueriesContext

from events.services import registrations
from partnerships.core import page_cache
from partnerships.placements.models import Placement, PlacementStatus
from partnerships.projects.search import refresh_search_vector
from tests.events.conftest import EventFactory
from tests.placements.conftest import PlacementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def placement(studio, studio_owner):
    return PlacementFactory(organisation=studio, created_by=studio_owner, title="Rigging intern")


def get(client, url="/placements/", **kwargs):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_second_anonymous_visit_is_served_without_a_query(client, placement):
    first, first_queries = get(client)
    second, second_queries = get(client)
    assert "Rigging intern" in first
    assert second == first
    assert first_queries > 0 and second_queries == 0


def test_a_page_from_the_cache_costs_one_round_trip(client, placement):
    """The scope's generation and the page are read together (``_read``)."""
    get(client)
    with mock.patch.object(page_cache, "cache", mock.Mock(wraps=cache)) as calls:
        _, queries = get(client)
    assert queries == 0 and [name for name, *_ in calls.method_calls] == ["get_many"]


def test_each_url_is_its_own_page(client, placement):
    get(client)
    searched, queries = get(client, "/placements/?q=nothing-matches-this")
    assert queries > 0 and "Rigging intern" not in searched


def test_a_saved_change_shows_at_once(client, placement):
    get(client)
    placement.title = "Lighting intern"
    placement.save()
    page, queries = get(client)
    assert queries > 0 and "Lighting intern" in page


def test_a_closed_placement_leaves_the_list_at_once(client, placement):
    get(client)
    placement.status = PlacementStatus.CLOSED
    placement.save()
    page, _ = get(client)
    assert "Rigging intern" not in page


def test_seats_taken_refresh_the_events_list(client, studio, student):
    event = EventFactory(organisation=studio, title="Shader talk", capacity=2)
    page, _ = get(client, "/events/")
    assert "2 places left" in page
    registrations.register(actor=student, event=event)
    page, queries = get(client, "/events/")
    assert queries > 0 and "1 place left" in page


def test_signed_in_people_get_their_own_page_around_the_shared_list(client, placement, student):
    get(client)
    client.force_login(student)
    page, first = get(client, "/placements/?kind=internship")
    assert "Log out" in page and "Rigging intern" in page
    assert "Tell me about new placements like these" in page  # their own part of the page
    again, second = get(client, "/placements/?kind=internship")
    assert "Rigging intern" in again
    assert second < first  # the list of placements came from the cache


def test_the_shared_list_is_refreshed_by_a_change(client, placement, student):
    client.force_login(student)
    get(client)
    placement.title = "Lighting intern"
    placement.save()
    page, _ = get(client)
    assert "Lighting intern" in page and "Rigging intern" not in page


def test_the_shared_list_follows_each_persons_time_zone(client, placement, student):
    placement.deadline = placement.deadline.replace(hour=23, minute=30)  # UTC
    placement.save()
    client.force_login(student)
    in_london, _ = get(client)
    student.profile.timezone = "Asia/Tokyo"  # already the next day there
    student.profile.save()
    in_tokyo, _ = get(client)
    day = placement.deadline.strftime("%-d %b %Y")
    assert day in in_london and day not in in_tokyo


def counting_view(calls: list, status: int = 200, csrf: bool = False):
    @page_cache.anonymous_page_cache("placements")
    def view(request):
        calls.append(1)
        if csrf:
            get_token(request)
        return HttpResponse("a page", status=status)

    return view


@pytest.mark.parametrize(
    "cookie", [CookieStorage.cookie_name, "sessionid"], ids=["message", "session"]
)
def test_a_waiting_message_or_a_session_bypasses_the_cache(rf, cookie):
    calls = []
    view = counting_view(calls)
    for _ in range(2):
        request = rf.get("/x/")
        request.COOKIES[cookie] = "anything"
        view(request)
    assert len(calls) == 2
    view(rf.get("/x/"))
    view(rf.get("/x/"))
    assert len(calls) == 3  # without the cookie: rendered once, then from the cache


def test_an_api_token_bypasses_the_cache(rf):
    calls = []
    view = counting_view(calls)
    view(rf.get("/x/", HTTP_AUTHORIZATION="Token nothing"))
    view(rf.get("/x/", HTTP_AUTHORIZATION="Token nothing"))
    assert len(calls) == 2


def test_a_page_that_used_a_csrf_token_is_not_stored(rf):
    calls = []
    view = counting_view(calls, csrf=True)
    view(rf.get("/x/"))
    view(rf.get("/x/"))
    assert len(calls) == 2


@pytest.mark.parametrize("status", [302, 400, 404])
def test_only_a_plain_200_is_stored(rf, status):
    calls = []
    view = counting_view(calls, status=status)
    view(rf.get("/x/"))
    view(rf.get("/x/"))
    assert len(calls) == 2


def test_a_post_is_never_served_from_the_cache(client, placement):
    get(client)
    assert client.post("/placements/").status_code == 405


def test_off_when_the_setting_is_zero(client, placement, settings):
    settings.PAGE_CACHE_SECONDS = 0
    get(client)
    _, queries = get(client)
    assert queries > 0


def test_an_unreachable_cache_costs_speed_not_the_page(client, placement):
    down = ConnectionError("redis down")
    with (
        mock.patch.object(cache, "get", side_effect=down),
        mock.patch.object(cache, "set", side_effect=down),
        mock.patch.object(cache, "get_many", side_effect=down),
        mock.patch.object(cache, "set_many", side_effect=down),
    ):
        page, _ = get(client)
    assert "Rigging intern" in page


def test_touch_survives_an_unreachable_cache(placement):
    with mock.patch.object(cache, "add", side_effect=ConnectionError("redis down")):
        placement.title = "Still saved"
        placement.save()
    placement.refresh_from_db()
    assert placement.title == "Still saved"


def test_stories_showcase_is_cached_for_anonymous_visitors(client):
    _, first_queries = get(client, "/stories/")
    _, second_queries = get(client, "/stories/")
    assert first_queries > 0 and second_queries == 0


def test_unknown_scope_is_a_programming_error():
    with pytest.raises(ValueError):
        page_cache.anonymous_page_cache("nope")


def test_detail_pages_are_cached_for_visitors_and_refreshed_by_a_change(client, placement, studio):
    url = f"/placements/{placement.pk}/"
    _, first = get(client, url)
    _, second = get(client, url)
    assert first > 0 and second == 0
    event = EventFactory(organisation=studio, title="Shader talk")
    get(client, event.get_absolute_url())
    event.speakers.create(name="Grace Hopper")
    page, _ = get(client, event.get_absolute_url())
    assert "Grace Hopper" in page


# --- Cards and filters shared between pages ---------------------------------------------------


def _drawn(calls: list):
    def draw(ids):
        calls.append(list(ids))
        return {pk: f"<p>card {pk}</p>" for pk in ids if pk != 404}

    return draw


def test_shared_items_draws_only_the_cards_no_page_has_drawn_yet():
    calls = []
    first = page_cache.shared_items("placements", "card", [3, 1, 2], _drawn(calls))
    second = page_cache.shared_items("placements", "card", [2, 5, 3], _drawn(calls))
    assert [str(c) for c in first] == ["<p>card 3</p>", "<p>card 1</p>", "<p>card 2</p>"]
    assert [str(c) for c in second] == ["<p>card 2</p>", "<p>card 5</p>", "<p>card 3</p>"]
    assert calls == [[3, 1, 2], [5]]


def test_a_fragment_is_kept_under_the_version_it_shows():
    """The list read 5 seats taken, but a registration committed before the card was drawn: the
    card shows 6 and is kept as 6, so a later list reading 5 (someone cancelled) draws its own."""
    calls = []

    def showing(seats):
        def draw(ids):
            calls.append(list(ids))
            return {pk: (f"<p>{pk}: {seats} taken</p>", seats) for pk in ids}

        return draw

    first = page_cache.shared_items("events", "card", [1], showing(6), versions={1: 5})
    again = page_cache.shared_items("events", "card", [1], showing(6), versions={1: 6})
    assert [str(c) for c in first + again] == ["<p>1: 6 taken</p>"] * 2 and calls == [[1]]
    later = page_cache.shared_items("events", "card", [1], showing(5), versions={1: 5})
    assert [str(c) for c in later] == ["<p>1: 5 taken</p>"] and calls == [[1], [1]]


def test_shared_items_leaves_out_an_object_gone_since_its_id_was_read():
    cards = page_cache.shared_items("placements", "card", [1, 404, 2], _drawn([]))
    assert [str(c) for c in cards] == ["<p>card 1</p>", "<p>card 2</p>"]


def test_shared_items_are_redrawn_after_a_change_in_their_scope():
    calls = []
    page_cache.shared_items("placements", "card", [1], _drawn(calls))
    page_cache.touch("placements")
    page_cache.shared_items("placements", "card", [1], _drawn(calls))
    page_cache.shared_items("events", "card", [1], _drawn(calls))  # another scope, its own
    assert calls == [[1], [1], [1]]


def test_shared_items_without_a_cache_draw_every_card():
    calls, down = [], ConnectionError("redis down")
    with (
        mock.patch.object(cache, "get_many", side_effect=down),
        mock.patch.object(cache, "set_many", side_effect=down),
    ):
        cards = page_cache.shared_items("placements", "card", [1, 2], _drawn(calls))
    assert len(cards) == 2 and calls == [[1, 2]]


def test_shared_items_off_when_the_setting_is_zero(settings):
    settings.PAGE_CACHE_SECONDS = 0
    calls = []
    page_cache.shared_items("placements", "card", [1], _drawn(calls))
    page_cache.shared_items("placements", "card", [1], _drawn(calls))
    assert calls == [[1], [1]]


def test_a_card_drawn_for_one_search_serves_another(client, placement, studio, studio_owner):
    from partnerships.placements.views import placements as views

    lead = PlacementFactory(organisation=studio, created_by=studio_owner, title="Rigging lead")
    for found in (placement, lead):
        refresh_search_vector(Placement, found.pk, Placement.SEARCH_WEIGHTS)
    with mock.patch.object(views, "_draw_cards", wraps=views._draw_cards) as draw:
        get(client, "/placements/?q=rigging")
        page, _ = get(client, "/placements/?q=rigging+intern")
    assert "Rigging intern" in page and "Rigging lead" not in page
    assert len(draw.call_args_list) == 1  # the one card found was drawn for the first search


def filter_fields_drawn(client, *urls: str) -> int:
    """How many times the placements filter fields were drawn while getting ``urls``."""
    with mock.patch.object(
        page_cache, "render_to_string", wraps=page_cache.render_to_string
    ) as drawn:
        for url in urls:
            get(client, url)
    names = [call.args[0] for call in drawn.call_args_list]
    return names.count("placements/_browse_filter_fields.html")


def test_the_filters_are_drawn_once_for_any_search_words(client, placement):
    drawn = filter_fields_drawn(
        client, "/placements/?q=rigging&kind=internship", "/placements/?q=lighting&kind=internship"
    )
    assert drawn == 1


def test_the_filters_show_the_words_and_choices_of_each_search(client, placement):
    first, _ = get(client, "/placements/?q=rigging&kind=internship")
    second, _ = get(client, "/placements/?q=lighting&kind=internship&paid_only=on")
    assert 'value="rigging"' in first and 'value="lighting"' in second
    assert '<option value="internship" selected>' in first
    checked = re.compile(r'<input[^>]*name="paid_only"[^>]*checked')
    assert checked.search(second) and not checked.search(first)


def test_filters_with_an_error_are_drawn_for_that_request_alone(client, placement):
    bad, _ = get(client, "/placements/?kind=not-a-kind")
    assert "Select a valid choice" in bad
    good, _ = get(client, "/placements/?kind=internship")
    assert "Select a valid choice" not in good


def test_signed_in_lists_share_event_cards_and_see_seats_change(client, studio, student):
    from events.views import browse as views
    from tests.factories import UserFactory

    event = EventFactory(organisation=studio, title="Shader talk", capacity=2)
    other = UserFactory(role="student")
    client.force_login(student)
    with mock.patch.object(views, "_draw_cards", wraps=views._draw_cards) as draw:
        page, _ = get(client, "/events/")
        again, _ = get(client, "/events/?kind=")
    assert "2 places left" in page and "2 places left" in again
    assert len(draw.call_args_list) == 1  # the second list reused the card
    registrations.register(actor=other, event=event)
    page, _ = get(client, "/events/")
    assert "1 place left" in page


def test_a_seat_taken_redraws_that_events_card_and_the_visitors_pages_only(client, studio, student):
    """Seats change with every registration: they refresh the visitors' event pages and the
    card of the event concerned, not the other cards, the filters or the kept rankings."""
    from events.views import browse as views

    busy = EventFactory(organisation=studio, title="Shader talk", capacity=2)
    EventFactory(organisation=studio, title="Rigging clinic", capacity=5)
    ranking = []
    page_cache.kept("events", "ranking:1", lambda: ranking.append(1) or [busy.pk])
    get(client, "/events/")
    get(client, busy.get_absolute_url())
    drawing = page_cache.render_to_string
    with (
        mock.patch.object(views, "_draw_cards", wraps=views._draw_cards) as draw,
        mock.patch.object(page_cache, "render_to_string", wraps=drawing) as drawn,
    ):
        registrations.register(actor=student, event=busy)
        page, queries = get(client, "/events/")
        detail, _ = get(client, busy.get_absolute_url())
    assert queries > 0 and "1 place left" in page and "5 places left" in page
    assert "1 of 2 place left" in detail
    assert [call.args[0] for call in draw.call_args_list] == [[busy.pk]]  # its card alone
    assert "events/_browse_filter_fields.html" not in [c.args[0] for c in drawn.call_args_list]
    page_cache.kept("events", "ranking:1", lambda: ranking.append(1) or [busy.pk])
    assert ranking == [1]  # the ranking was kept
    # A change to an event itself still refreshes everything of the scope.
    busy.title = "Shader talk, second edition"
    busy.save()
    page, _ = get(client, "/events/")
    assert "second edition" in page


def test_joining_the_waitlist_refreshes_the_visitors_event_page(client, studio, student):
    from tests.factories import UserFactory

    event = EventFactory(organisation=studio, title="Shader talk", capacity=1)
    registrations.register(actor=student, event=event)
    page, _ = get(client, event.get_absolute_url())
    assert "Full (1 places)" in page and "on the waitlist" not in page
    registrations.register(actor=UserFactory(role="student"), event=event)
    page, _ = get(client, event.get_absolute_url())
    assert "1 person on the waitlist" in page


def test_event_sector_filter_lists_an_event_once(client, studio):
    from tests.factories import SectorFactory

    sector = SectorFactory()
    event = EventFactory(organisation=studio, title="Shader talk")
    event.sectors.add(sector)
    page, _ = get(client, f"/events/?sector={sector.slug}")
    assert page.count(">Shader talk</a>") == 1 and "1 event" in page


def test_kept_values_last_until_their_scope_changes(settings):
    calls = []

    def compute():
        calls.append(1)
        return [(1, 80.0)]

    assert page_cache.kept("events", "ranking:1", compute) == [(1, 80.0)]
    assert page_cache.kept("events", "ranking:1", compute) == [(1, 80.0)]
    assert len(calls) == 1
    page_cache.kept("events", "ranking:2", compute)  # another key: its own value
    page_cache.touch("events")
    page_cache.kept("events", "ranking:1", compute)
    assert len(calls) == 3
    settings.PAGE_CACHE_SECONDS = 0
    page_cache.kept("events", "ranking:1", compute)
    assert len(calls) == 4


def test_kept_values_are_computed_when_the_cache_is_down():
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("redis down")):
        assert page_cache.kept("events", "ranking:1", lambda: "fresh") == "fresh"
    page_cache._down_until = 0.0
    with mock.patch.object(cache, "set_many", side_effect=ConnectionError("redis down")):
        assert page_cache.kept("events", "ranking:1", lambda: "fresh") == "fresh"
    page_cache._down_until = 0.0
    assert page_cache.kept("events", "ranking:1", lambda: "again") == "again"  # none was kept


def test_after_an_outage_the_cache_is_left_alone_for_a_moment(client, placement):
    down = ConnectionError("redis down")
    with (
        mock.patch.object(cache, "get", side_effect=down) as get_,
        mock.patch.object(cache, "get_many", side_effect=down) as get_many,
    ):
        page, _ = get(client)
        calls = get_.call_count + get_many.call_count
        again, _ = get(client)
    assert "Rigging intern" in page and "Rigging intern" in again
    assert calls == 1  # the first failure: the rest of the page left the cache alone
    assert get_.call_count + get_many.call_count == 1  # and so did the second page
    page_cache._down_until = 0.0  # the pause is over
    get(client)
    _, queries = get(client)
    assert queries == 0  # served from the cache again


def test_a_value_stored_by_an_older_version_is_never_read(client, placement):
    """During a deploy old and new code share the cache: keys carry a format version."""
    get(client)
    stale = [key for key in cache._cache if ":fragments:browse:" in key]  # locmem's own store
    assert stale and all(f":v{page_cache.KEY_VERSION}:" in key for key in stale)


def test_empty_filter_values_share_the_fields_drawn_without_them(client, placement):
    drawn = filter_fields_drawn(
        client, "/placements/?kind=&sector=&q=rigging", "/placements/?q=lighting"
    )
    assert drawn == 1
