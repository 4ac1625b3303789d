"""Saved-search pages: the "Save this search" form on the browse pages, the list of one's
searches, changing how often and deleting; someone else's searches answer 404."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from partnerships.notifications.models import SavedSearch

from .conftest import save

pytestmark = pytest.mark.django_db
LIST = "notifications:saved_searches"
CREATE = "notifications:saved_search_create"
UPDATE = "notifications:saved_search_update"
DELETE = "notifications:saved_search_delete"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The form on the browse pages ---------------------------------------------------------------


def test_the_placements_page_offers_to_save_a_filtered_search(client, student, animation):
    client.force_login(student)
    page = client.get(reverse("placements:browse"), {"sector": "animation", "mode": "remote"})
    html = page.content.decode()
    assert f'action="{reverse(CREATE)}"' in html
    assert '<input type="hidden" name="scope" value="placements">' in html
    assert '<input type="hidden" name="sector" value="animation">' in html
    assert '<input type="hidden" name="mode" value="remote">' in html
    assert '<label for="save-search-frequency">' in html
    assert "Save this search" in html
    assert f'href="{reverse(LIST)}"' in html


def test_no_save_form_without_filters_or_signed_out(client, student):
    client.force_login(student)
    html = client.get(reverse("placements:browse")).content.decode()
    assert "Save this search" not in html
    assert f'href="{reverse(LIST)}"' in html  # the link to one's saved searches stays
    html = client.get(reverse("placements:browse"), {"deadline_soon": "on"}).content.decode()
    assert "Save this search" not in html  # closing soon is not something to be alerted about
    html = client.get(reverse("placements:browse"), {"mode": "underwater"}).content.decode()
    assert "Save this search" not in html  # invalid filters: fix them first
    client.logout()
    html = client.get(reverse("placements:browse"), {"q": "unity"}).content.decode()
    assert "Save this search" not in html and reverse(LIST) not in html


def test_the_events_page_offers_it_too(client, student):
    client.force_login(student)
    html = client.get(
        reverse("events:browse"), {"kind": "workshop", "when": "past"}
    ).content.decode()
    assert '<input type="hidden" name="scope" value="events">' in html
    assert '<input type="hidden" name="kind" value="workshop">' in html
    assert '<input type="hidden" name="when" value="past">' in html
    assert "Save this search" in html


def test_saving_goes_back_to_the_same_browse_page(client, student, animation):
    client.force_login(student)
    response = client.post(
        reverse(CREATE),
        {"scope": "placements", "frequency": "daily", "sector": "animation", "paid_only": "True",
         "deadline_soon": "True"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == (
        "/placements/?sector=animation&paid_only=True&deadline_soon=True"
    )
    search = SavedSearch.objects.get(user=student)
    assert (search.sector, search.paid_only, search.frequency) == (animation, True, "daily")
    assert messages_of(response) == [
        "We'll tell you about new placements like “Paid placements in Animation” (daily digest)."
    ]
    again = client.post(
        reverse(CREATE),
        {"scope": "placements", "frequency": "weekly", "sector": "animation", "paid_only": "on"},
    )
    assert SavedSearch.objects.get(user=student).frequency == "weekly"
    assert "already saved this search" in messages_of(again)[-1]


def test_saving_an_event_search(client, student):
    client.force_login(student)
    response = client.post(
        reverse(CREATE),
        {"scope": "events", "frequency": "instant", "kind": "workshop", "when": "past"},
    )
    assert response["Location"] == "/events/?kind=workshop&when=past"
    assert SavedSearch.objects.get(user=student).label == "Workshops"
    assert "(by email at once)" in messages_of(response)[0]


@pytest.mark.parametrize(
    "data",
    [
        {"scope": "placements", "frequency": "daily", "mode": "underwater"},
        {"scope": "placements", "frequency": "daily", "colour": "blue"},
        {"scope": "placements", "frequency": "off", "q": "unity"},
        {"scope": "placements", "frequency": "daily"},
        {"scope": "calls", "frequency": "daily", "q": "unity"},
    ],
)
def test_invalid_saves_answer_400_with_a_way_back(client, student, data):
    client.force_login(student)
    response = client.post(reverse(CREATE), data)
    assert response.status_code == 400
    assert "/placements/" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_the_twenty_first_search_is_refused(client, student):
    for number in range(20):
        save(student, q=f"search {number}")
    client.force_login(student)
    response = client.post(reverse(CREATE), {"scope": "placements", "frequency": "daily", "q": "x"})
    assert response.status_code == 400
    assert "at most 20 saved searches" in response.content.decode()


# --- The saved searches page ----------------------------------------------------------------


def test_the_list_shows_ones_own_searches(client, student, lecturer, animation):
    mine = save(student, sector="animation", mode="remote", frequency="weekly")
    save(lecturer, q="someone else's")
    client.force_login(student)
    response = client.get(reverse(LIST))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Remote placements in Animation" in html
    assert "someone else" not in html
    assert 'href="/placements/?sector=animation&amp;mode=remote"' in html
    assert f'action="{reverse(UPDATE, args=[mine.pk])}"' in html
    assert f'action="{reverse(DELETE, args=[mine.pk])}"' in html
    assert '<option value="weekly" selected>' in html
    assert '<option value="off"' not in html


def test_the_empty_list_explains_how_to_save_one(client, student):
    client.force_login(student)
    html = client.get(reverse(LIST)).content.decode()
    assert "You have no saved searches yet." in html
    assert "Save this search" in html


def test_changing_the_frequency(client, student):
    search = save(student, q="unity")
    client.force_login(student)
    response = client.post(reverse(UPDATE, args=[search.pk]), {"frequency": "instant"})
    assert response.status_code == 302 and response["Location"] == reverse(LIST)
    search.refresh_from_db()
    assert search.frequency == "instant"
    bad = client.post(reverse(UPDATE, args=[search.pk]), {"frequency": "off"})
    assert bad.status_code == 400
    search.refresh_from_db()
    assert search.frequency == "instant"


def test_deleting(client, student):
    search = save(student, q="unity")
    client.force_login(student)
    response = client.post(reverse(DELETE, args=[search.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(LIST)
    assert not SavedSearch.objects.exists()
    assert messages_of(response) == ["Deleted the saved search “Placements matching “unity””."]


def test_someone_elses_search_answers_404(client, student, lecturer):
    search = save(student, q="unity")
    client.force_login(lecturer)
    assert (
        client.post(reverse(UPDATE, args=[search.pk]), {"frequency": "weekly"}).status_code == 404
    )
    assert client.post(reverse(DELETE, args=[search.pk])).status_code == 404
    search.refresh_from_db()
    assert search.frequency == "daily"


def test_signed_out_people_are_sent_to_sign_in(client, student):
    search = save(student, q="unity")
    login = reverse("account_login")
    for response in (
        client.get(reverse(LIST)),
        client.post(reverse(CREATE), {"scope": "placements", "frequency": "daily", "q": "x"}),
        client.post(reverse(UPDATE, args=[search.pk]), {"frequency": "weekly"}),
        client.post(reverse(DELETE, args=[search.pk])),
    ):
        assert response.status_code == 302 and response["Location"].startswith(login)
    assert SavedSearch.objects.count() == 1


def test_changes_need_post(client, student):
    search = save(student, q="unity")
    client.force_login(student)
    assert client.get(reverse(CREATE)).status_code == 405
    assert client.get(reverse(UPDATE, args=[search.pk])).status_code == 405
    assert client.get(reverse(DELETE, args=[search.pk])).status_code == 405
