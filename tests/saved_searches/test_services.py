"""Saving a search from the browse page's parameters: validated like the page, one per set of
filters, at most 20 per person, with a label in words and a link back to the page."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.http import QueryDict

from partnerships.core.errors import DomainError, PermissionDenied
from partnerships.notifications import saved_searches as ss
from partnerships.notifications.models import SavedSearch

from .conftest import person, save

pytestmark = pytest.mark.django_db


def test_saving_keeps_the_filters_and_labels_them_in_words(student, animation, unity):
    params = QueryDict(
        "q=unity&sector=animation&mode=remote&paid_only=on&kind=internship&page=3&deadline_soon=on"
    )
    search = ss.save_search(student, "placements", params, "weekly")
    assert search.created
    assert (search.scope, search.frequency) == ("placements", "weekly")
    assert (search.q, search.sector, search.mode, search.paid_only, search.kind) == (
        "unity", animation, "remote", True, "internship",
    )  # fmt: skip
    assert search.label == "Paid remote internships in Animation matching “unity”"
    # The page number and "closing soon" shape the page, not the alerts.
    url = urlsplit(ss.browse_url(search))
    assert url.path == "/placements/"
    assert parse_qs(url.query) == {
        "q": ["unity"], "sector": ["animation"], "mode": ["remote"], "paid_only": ["on"],
        "kind": ["internship"],
    }  # fmt: skip


def test_event_searches_use_the_events_page_filters(student, studio):
    search = save(student, "events", kind="workshop", attendance="online", organiser="pixel-forge")
    assert search.label == "Online workshops by Pixel Forge"
    assert search.organiser == studio
    assert ss.browse_url(search) == (
        "/events/?kind=workshop&organiser=pixel-forge&attendance=online"
    )


@pytest.mark.parametrize(
    ("scope", "params", "field"),
    [
        ("placements", {"sector": "no-such-sector"}, "sector"),
        ("placements", {"mode": "underwater"}, "mode"),
        ("placements", {"level": "kindergarten"}, "level"),
        ("placements", {"q": "x" * 201}, "q"),
        ("placements", {"colour": "blue"}, "colour"),  # not a filter of the page
        ("placements", {"attendance": "online"}, "attendance"),  # an events filter
        ("events", {"skill": "unity"}, "skill"),  # a placements filter
        ("events", {"date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_to"),
        ("events", {"organiser": "pending-studio"}, "organiser"),  # not verified
    ],
)
def test_invalid_or_unknown_parameters_are_refused(student, pending_studio, scope, params, field):
    with pytest.raises(DomainError) as refused:
        save(student, scope, **params)
    assert refused.value.field == field
    assert not SavedSearch.objects.exists()


def test_a_search_needs_a_filter_a_known_scope_and_frequency(student):
    for scope, params, frequency in (
        ("placements", {}, "daily"),
        ("placements", {"deadline_soon": "on", "page": "2"}, "daily"),  # nothing to keep
        ("calls", {"q": "games"}, "daily"),
        ("placements", {"q": "games"}, "off"),  # pausing is deleting
        ("placements", {"q": "games"}, "hourly"),
    ):
        with pytest.raises(DomainError):
            save(student, scope, frequency, **params)
    assert not SavedSearch.objects.exists()


def test_anonymous_people_cannot_save():
    with pytest.raises(PermissionDenied):
        ss.save_search(AnonymousUser(), "placements", {"q": "games"}, "daily")


def test_the_same_search_twice_is_the_same_search(student, animation):
    first = save(student, sector="animation", q="Unity  artist", frequency="daily")
    again = save(student, sector="animation", q="unity artist", frequency="instant")
    assert again.pk == first.pk and not again.created
    assert again.frequency == "instant"  # the frequency chosen now
    assert SavedSearch.objects.count() == 1
    # Someone else saving it has their own; another scope or filter is another search.
    other = person("other@uni.example")
    assert save(other, sector="animation", q="unity artist").pk != first.pk
    assert save(student, sector="animation").pk != first.pk
    assert save(student, "events", sector="animation", q="unity artist").pk != first.pk


def test_the_database_refuses_a_duplicate_even_without_the_service(student):
    first = save(student, q="games")
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedSearch.objects.create(
            user=student, scope="placements", label="again", q="GAMES", frequency="weekly"
        )
    assert SavedSearch.objects.get().pk == first.pk


def test_at_most_twenty_searches_per_person(student):
    for number in range(ss.MAX_SAVED_SEARCHES):
        save(student, q=f"search {number}")
    with pytest.raises(DomainError, match="at most 20 saved searches"):
        save(student, q="one too many")
    # Saving one already kept still answers with it; deleting one makes room.
    assert not save(student, q="search 3").created
    ss.delete_search(student, SavedSearch.objects.get(q="search 3"))
    assert save(student, q="one too many").created
    assert SavedSearch.objects.filter(user=student).count() == ss.MAX_SAVED_SEARCHES


def test_only_the_owner_changes_or_deletes(student, lecturer):
    search = save(student, q="games")
    with pytest.raises(PermissionDenied):
        ss.set_frequency(lecturer, search, "weekly")
    with pytest.raises(PermissionDenied):
        ss.delete_search(lecturer, search)
    with pytest.raises(DomainError):
        ss.set_frequency(student, search, "off")
    assert ss.set_frequency(student, search, "weekly").frequency == "weekly"
    ss.delete_search(student, search)
    assert not SavedSearch.objects.exists()
