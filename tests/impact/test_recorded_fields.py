"""The data the impact figures needed and the platform now records, through every face:

- hires after placement (``Application.hired_after_placement``), recorded by the host studio on
  its pipeline once a placement is completed;
- funding attracted (``Partnership.funding_amount`` / ``funding_currency``);
- free or chargeable (``Event.admission``) and academic staff time (``Event.academic_staff_days``),
  in the event form and, also after the event, on its "Impact reporting" page.

Personas from tests/conftest.py: Oscar owns Pixel Forge, Mia is a member, Olga owns Other Studio,
Lena runs Northbridge, Sam studies there, Ada is a platform admin.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Admission, EventFormat, EventKind, EventStatus
from events.services import event_create, event_record_reporting, event_update
from partnerships.activity.models import DomainEvent
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.impact import metrics
from partnerships.impact.metrics import Scope
from partnerships.placements.models import ApplicationStatus
from partnerships.placements.services import application_record_hire
from partnerships.projects.models import Partnership, PartnershipStatus
from partnerships.projects.services import partnership_propose, partnership_update
from tests.events.conftest import EventFactory
from tests.placements.conftest import ApplicationFactory, PlacementFactory

pytestmark = pytest.mark.django_db

A = ApplicationStatus


def as_(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def figure(scope: Scope, key: str):
    return {f.key: f.value for f in metrics.all_figures(scope)}[key]


# ------------------------------------------------------------------- hires after placement


@pytest.fixture
def completed(studio, studio_owner, student, university):
    """Sam's completed placement at Pixel Forge; nobody has said yet whether he was hired."""
    placement = PlacementFactory(organisation=studio, published_at=timezone.now())
    return ApplicationFactory(
        placement=placement, student=student, institution=university, status=A.COMPLETED
    )


def test_the_studio_records_a_hire_and_it_is_counted(completed, studio, studio_owner):
    scope = Scope(organisation=studio)
    assert figure(scope, "economic.hires_after_placement") is None  # not recorded yet
    application_record_hire(actor=studio_owner, application=completed, hired=True)
    completed.refresh_from_db()
    assert completed.hired_after_placement is True
    assert figure(scope, "economic.hires_after_placement") == 1
    assert figure(scope, "economic.hire_outcomes_recorded") == 1
    event = DomainEvent.objects.get(name="application.hire_recorded")
    assert event.payload["hired"] is True


def test_a_no_counts_as_an_answer_not_a_hire(completed, studio, studio_member):
    application_record_hire(actor=studio_member, application=completed, hired=False)
    assert figure(Scope(organisation=studio), "economic.hires_after_placement") == 0
    assert figure(Scope(organisation=studio), "economic.hire_outcomes_recorded") == 1


def test_recording_the_same_answer_twice_changes_nothing(completed, studio_owner):
    application_record_hire(actor=studio_owner, application=completed, hired=True)
    application_record_hire(actor=studio_owner, application=completed, hired=True)
    assert DomainEvent.objects.filter(name="application.hire_recorded").count() == 1
    application_record_hire(actor=studio_owner, application=completed, hired=None)
    completed.refresh_from_db()
    assert completed.hired_after_placement is None


@pytest.mark.parametrize("who", ["student", "lecturer", "other_owner", "platform_admin"])
def test_only_the_host_studio_records_a_hire(request, completed, who):
    with pytest.raises(PermissionDenied):
        application_record_hire(
            actor=request.getfixturevalue(who), application=completed, hired=True
        )


def test_no_hire_before_the_placement_is_completed(completed, studio_owner):
    completed.status = A.ACCEPTED
    completed.save()
    with pytest.raises(Conflict):
        application_record_hire(actor=studio_owner, application=completed, hired=True)


def test_the_pipeline_offers_the_question_on_completed_applications(
    client, completed, studio_owner
):
    client.force_login(studio_owner)
    page = client.get(reverse("placements:pipeline", args=[completed.placement_id]))
    html = page.content.decode()
    assert reverse("placements:hire", args=[completed.pk]) in html
    assert "Hired after the placement?" in html
    response = client.post(
        reverse("placements:hire", args=[completed.pk]), {f"hire-{completed.pk}-hired": "yes"}
    )
    assert response.status_code == 302
    completed.refresh_from_db()
    assert completed.hired_after_placement is True


def test_the_hire_form_refuses_other_people_and_garbage(client, completed, other_owner, student):
    url = reverse("placements:hire", args=[completed.pk])
    client.force_login(other_owner)
    assert client.post(url, {f"hire-{completed.pk}-hired": "yes"}).status_code in (403, 404)
    client.force_login(student)
    assert client.post(url, {f"hire-{completed.pk}-hired": "yes"}).status_code in (403, 404)
    completed.refresh_from_db()
    assert completed.hired_after_placement is None


def test_the_hire_form_answers_bad_input_with_400(client, completed, studio_owner):
    client.force_login(studio_owner)
    url = reverse("placements:hire", args=[completed.pk])
    assert client.post(url, {f"hire-{completed.pk}-hired": "perhaps"}).status_code == 400
    assert client.get(url).status_code == 405


def test_the_api_records_a_hire(completed, studio_owner, student):
    url = f"/api/applications/{completed.pk}/record-hire/"
    response = as_(studio_owner).post(url, {"hired": True}, format="json")
    assert response.status_code == 200
    assert response.json()["hired_after_placement"] is True
    assert as_(student).post(url, {"hired": False}, format="json").status_code == 403
    seen = as_(student).get(f"/api/applications/{completed.pk}/").json()
    assert seen["hired_after_placement"] is True
    bad = as_(studio_owner).post(url, {"hired": "perhaps"}, format="json")
    assert bad.status_code == 400


# ------------------------------------------------------------------------ funding attracted


@pytest.fixture
def partnership(university, studio):
    return Partnership.objects.create(
        institution=university,
        industry_partner=studio,
        title="Games art",
        status=PartnershipStatus.ACTIVE,
        start_date=datetime.date(2025, 3, 1),
    )


def test_either_side_records_funding_and_it_is_counted(partnership, lecturer, university):
    partnership_update(
        actor=lecturer,
        partnership=partnership,
        funding_amount=Decimal("12000.50"),
        funding_currency="eur",
    )
    partnership.refresh_from_db()
    assert partnership.funding_amount == Decimal("12000.50")
    assert partnership.funding_currency == "EUR"
    scope = Scope(organisation=university, start=datetime.date(2025, 1, 1))
    assert figure(scope, "economic.funding_attracted.EUR") == Decimal("12000.50")
    assert figure(scope, "economic.funding_partnerships") == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"funding_amount": Decimal("-1")}, "funding_amount"),
        ({"funding_currency": "pounds"}, "funding_currency"),
        ({"funding_currency": "£"}, "funding_currency"),
    ],
)
def test_funding_must_be_a_positive_amount_in_a_currency_code(partnership, lecturer, fields, field):
    with pytest.raises(DomainError) as caught:
        partnership_update(actor=lecturer, partnership=partnership, **fields)
    assert caught.value.field == field


def test_outsiders_cannot_record_funding(partnership, other_owner):
    with pytest.raises(PermissionDenied):
        partnership_update(actor=other_owner, partnership=partnership, funding_amount=1)


def test_a_proposal_can_state_funding(lecturer, university, studio):
    proposed = partnership_propose(
        actor=lecturer,
        from_organisation=university,
        to_organisation=studio,
        title="Motion capture",
        funding_amount=Decimal("500"),
    )
    assert (proposed.funding_amount, proposed.funding_currency) == (Decimal("500"), "GBP")


def test_the_partnership_form_saves_funding(client, partnership, lecturer):
    client.force_login(lecturer)
    url = reverse("projects:partnership_edit", args=[partnership.pk])
    assert "Funding attracted" in client.get(url).content.decode()
    data = {"title": "Games art", "funding_amount": "2500", "funding_currency": "usd"}
    assert client.post(url, data).status_code == 302
    partnership.refresh_from_db()
    assert (partnership.funding_amount, partnership.funding_currency) == (Decimal("2500"), "USD")
    bad = client.post(url, {**data, "funding_amount": "-5"})
    assert bad.status_code == 400
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "Funding attracted" in page and "2,500 USD" in page


def test_the_partnership_form_keeps_the_currency_when_left_empty(client, partnership, lecturer):
    partnership.funding_currency = "EUR"
    partnership.save()
    client.force_login(lecturer)
    url = reverse("projects:partnership_edit", args=[partnership.pk])
    assert client.post(url, {"title": "Games art", "funding_amount": "10"}).status_code == 302
    partnership.refresh_from_db()
    assert partnership.funding_currency == "EUR"


def test_the_api_reads_and_writes_funding(partnership, studio_owner, other_owner):
    url = f"/api/partnerships/{partnership.pk}/"
    response = as_(studio_owner).patch(
        url, {"funding_amount": "750.25", "funding_currency": "GBP"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["funding_amount"] == "750.25"
    bad = as_(studio_owner).patch(url, {"funding_amount": "-3"}, format="json")
    assert bad.status_code == 400
    assert as_(other_owner).get(url).status_code == 404  # partnerships stay private


# --------------------------------------------------------- free or chargeable, staff time


def test_events_are_free_unless_said_otherwise(studio, studio_owner):
    start = timezone.now() + datetime.timedelta(days=10)
    event = event_create(
        actor=studio_owner,
        organisation=studio,
        kind=EventKind.WORKSHOP,
        title="Rigging",
        description="Hands on.",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        format=EventFormat.ONLINE,
    )
    assert event.admission == Admission.FREE
    assert event.academic_staff_days is None
    updated = event_update(
        actor=studio_owner,
        event=event,
        admission=Admission.CHARGEABLE,
        academic_staff_days=Decimal("0.75"),
    )
    assert (updated.admission, updated.academic_staff_days) == ("chargeable", Decimal("0.75"))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"academic_staff_days": Decimal("-0.5")}, "academic_staff_days"),
        ({"academic_staff_days": Decimal("20000")}, "academic_staff_days"),
        ({"academic_staff_days": "NaN"}, "academic_staff_days"),
        ({"admission": "donation"}, "admission"),
    ],
)
def test_reporting_values_are_checked(studio_owner, studio, fields, field):
    event = EventFactory(organisation=studio)
    with pytest.raises(DomainError) as caught:
        event_record_reporting(actor=studio_owner, event=event, **fields)
    assert caught.value.field == field


def test_staff_time_can_be_recorded_after_the_event(studio, studio_owner):
    held = EventFactory(organisation=studio, status=EventStatus.COMPLETED)
    scope = Scope(organisation=studio)
    assert figure(scope, "community.academic_staff_days") is None
    event_record_reporting(actor=studio_owner, event=held, academic_staff_days=Decimal("1.25"))
    assert figure(scope, "community.academic_staff_days") == Decimal("1.25")
    event_record_reporting(actor=studio_owner, event=held, admission=Admission.CHARGEABLE)
    held.refresh_from_db()
    assert held.academic_staff_days == Decimal("1.25")  # left out: unchanged
    assert figure(scope, "community.events.admission.chargeable") == 1
    event_record_reporting(actor=studio_owner, event=held, academic_staff_days=None)
    assert figure(scope, "community.academic_staff_days") is None  # cleared


def test_nothing_to_record_for_a_cancelled_event_or_for_outsiders(
    studio, studio_owner, other_owner
):
    cancelled = EventFactory(organisation=studio, status=EventStatus.CANCELLED)
    with pytest.raises(Conflict):
        event_record_reporting(actor=studio_owner, event=cancelled, academic_staff_days=1)
    with pytest.raises(PermissionDenied):
        event_record_reporting(
            actor=other_owner, event=EventFactory(organisation=studio), academic_staff_days=1
        )


def test_the_event_form_has_the_reporting_fields(client, studio, studio_owner):
    client.force_login(studio_owner)
    start = (timezone.now() + datetime.timedelta(days=30)).strftime("%Y-%m-%dT18:00")
    end = (timezone.now() + datetime.timedelta(days=30)).strftime("%Y-%m-%dT20:00")
    data = {
        "organisation": studio.pk,
        "kind": EventKind.SEMINAR,
        "title": "Shaders",
        "description": "Talk.",
        "timezone": "Europe/London",
        "starts_at": start,
        "ends_at": end,
        "format": EventFormat.ONLINE,
        "audience": "public",
        "admission": Admission.CHARGEABLE,
        "academic_staff_days": "0.5",
    }
    page = client.get(reverse("events:create")).content.decode()
    assert "Academic staff time (days)" in page and "Chargeable" in page
    assert client.post(reverse("events:create"), data).status_code == 302
    event = studio.events.get(title="Shaders")
    assert (event.admission, event.academic_staff_days) == ("chargeable", Decimal("0.50"))
    bad = client.post(reverse("events:create"), {**data, "academic_staff_days": "-1"})
    assert bad.status_code == 400


def test_the_reporting_page_works_on_a_held_event(client, studio, studio_owner, other_owner):
    held = EventFactory(organisation=studio, status=EventStatus.COMPLETED)
    url = reverse("events:reporting", args=[held.pk])
    client.force_login(studio_owner)
    page = client.get(url)
    assert page.status_code == 200
    assert "Academic staff time (days)" in page.content.decode()
    saved = client.post(url, {"admission": "free", "academic_staff_days": "2"})
    assert saved.status_code == 302
    held.refresh_from_db()
    assert held.academic_staff_days == Decimal("2.00")
    assert client.post(url, {"admission": "free", "academic_staff_days": "x"}).status_code == 400
    assert client.post(url, {"admission": "bribe"}).status_code == 400
    client.force_login(other_owner)
    assert client.get(url).status_code in (403, 404)


def test_the_reporting_page_refuses_a_cancelled_event(client, studio, studio_owner):
    cancelled = EventFactory(organisation=studio, status=EventStatus.CANCELLED)
    client.force_login(studio_owner)
    url = reverse("events:reporting", args=[cancelled.pk])
    assert client.post(url, {"admission": "free", "academic_staff_days": "1"}).status_code == 409


def test_the_api_records_reporting_and_hides_staff_time_from_the_public(
    client, studio, studio_owner, student
):
    held = EventFactory(organisation=studio, status=EventStatus.COMPLETED)
    url = f"/api/events/{held.pk}/reporting/"
    response = as_(studio_owner).post(
        url, {"academic_staff_days": "1.5", "admission": "chargeable"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["academic_staff_days"] == "1.50"
    assert response.json()["admission"] == "chargeable"
    assert as_(student).post(url, {"academic_staff_days": "9"}, format="json").status_code == 403
    seen = as_(student).get(f"/api/events/{held.pk}/").json()
    assert seen["academic_staff_days"] is None  # organisers' reporting data
    assert seen["admission"] == "chargeable"  # attendees need to know
    bad = as_(studio_owner).post(url, {"academic_staff_days": "-1"}, format="json")
    assert bad.status_code == 400


def test_the_event_page_says_whether_it_is_free(client, studio, studio_owner):
    event = EventFactory(organisation=studio, status=EventStatus.PUBLISHED)
    assert "Free" in client.get(reverse("events:detail", args=[event.pk])).content.decode()
    event_record_reporting(actor=studio_owner, event=event, admission=Admission.CHARGEABLE)
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "Paid: the organisers tell you how to pay" in page
