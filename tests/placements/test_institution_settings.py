"""Institution settings for university sign-off: placement officers and the approval checklist.

Owners and admins of the verified institution (and platform admins) manage both; anyone else who
can see the institution is refused with 403 and one who cannot with 404; refusals change nothing.
"""

from html import escape

import pytest
from django.urls import reverse

from accounts.models import Role
from partnerships.organisations.models import Kind, MemberRole, Status
from partnerships.placements.models import ApprovalChecklistItem, PlacementOfficer
from partnerships.placements.services import checklist_items
from partnerships.placements.services.signoff import DEFAULT_CHECKLIST
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

MANAGERS = ["lecturer", "platform_admin"]
REFUSED = ["student", "studio_owner", "other_officer", "colleague"]


@pytest.fixture
def colleague(university, lecturer):
    """Lee, a plain member (not an admin) of Northbridge."""
    user = UserFactory(email="lee@northbridge.ac.uk", role=Role.UNIVERSITY, display_name="Lee")
    MembershipFactory(organisation=university, user=user, role=MemberRole.MEMBER)
    return user


@pytest.fixture
def persona(request):
    return request.getfixturevalue(request.param) if request.param else None


def officers_url(institution) -> str:
    return reverse("placements:officers", args=[institution.slug])


def checklist_url(institution) -> str:
    return reverse("placements:checklist", args=[institution.slug])


def remove_officer_url(institution, user) -> str:
    return reverse("placements:officer_remove", args=[institution.slug, user.pk])


def remove_item_url(item) -> str:
    return reverse("placements:checklist_remove", args=[item.institution.slug, item.pk])


def officer_ids(institution) -> set[int]:
    return set(
        PlacementOfficer.objects.filter(institution=institution).values_list("user_id", flat=True)
    )


def active_texts(institution) -> list[str]:
    return list(
        ApprovalChecklistItem.objects.filter(institution=institution, is_active=True).values_list(
            "text", flat=True
        )
    )


# --- Officers --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", MANAGERS, indirect=True)
def test_managers_see_officers_page(client, persona, university, officer, colleague):
    client.force_login(persona)
    response = client.get(officers_url(university))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Placement officers" in body
    assert "lena@northbridge.ac.uk" in body
    assert f'<option value="{colleague.pk}">Lee</option>' in body
    assert f'<option value="{officer.pk}"' not in body  # already an officer
    assert reverse("placements:checklist", args=[university.slug]) in body


@pytest.mark.parametrize("persona", MANAGERS, indirect=True)
def test_managers_appoint_and_remove(client, persona, university, lecturer, colleague):
    client.force_login(persona)
    response = client.post(officers_url(university), {"user": colleague.pk})
    assert response.status_code == 302
    assert response["Location"] == officers_url(university)
    officer = PlacementOfficer.objects.get(institution=university, user=colleague)
    assert officer.appointed_by == persona
    response = client.post(remove_officer_url(university, colleague))
    assert response.status_code == 302
    assert officer_ids(university) == set()


def test_appoint_refuses_non_members_and_keeps_the_form(client, lecturer, university, student):
    client.force_login(lecturer)
    response = client.post(officers_url(university), {"user": student.pk})
    assert response.status_code == 400
    assert 'name="user"' in response.content.decode()
    assert officer_ids(university) == set()


def test_appoint_without_choice_answers_400(client, lecturer, university, colleague):
    client.force_login(lecturer)
    response = client.post(officers_url(university), {})
    assert response.status_code == 400
    assert officer_ids(university) == set()


def test_appoint_twice_is_refused(client, lecturer, university, officer):
    client.force_login(lecturer)
    response = client.post(officers_url(university), {"user": officer.pk})
    assert response.status_code == 400  # not among the candidates any more
    assert officer_ids(university) == {officer.pk}


def test_remove_someone_who_is_not_an_officer_is_404(client, lecturer, university, colleague):
    client.force_login(lecturer)
    assert client.post(remove_officer_url(university, colleague)).status_code == 404


def test_officer_pages_answer_get_and_post_only(client, lecturer, university, officer):
    client.force_login(lecturer)
    assert client.put(officers_url(university)).status_code == 405
    assert client.get(remove_officer_url(university, officer)).status_code == 405
    assert officer_ids(university) == {officer.pk}


@pytest.mark.parametrize("persona", REFUSED, indirect=True)
def test_others_are_refused_officers(client, persona, university, officer, colleague):
    client.force_login(persona)
    assert client.get(officers_url(university)).status_code == 403
    assert client.post(officers_url(university), {"user": colleague.pk}).status_code == 403
    assert client.post(remove_officer_url(university, officer)).status_code == 403
    assert officer_ids(university) == {officer.pk}


def test_anonymous_is_sent_to_log_in(client, university, officer, colleague):
    for url in (officers_url(university), checklist_url(university)):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    response = client.post(officers_url(university), {"user": colleague.pk})
    assert response.status_code == 302 and "login" in response["Location"]
    response = client.post(remove_officer_url(university, officer))
    assert response.status_code == 302 and "login" in response["Location"]
    assert officer_ids(university) == {officer.pk}
    assert not ApprovalChecklistItem.objects.exists()


def test_unverified_institution_is_404_to_outsiders_and_403_to_its_owner(client, lecturer):
    pending = OrganisationFactory(
        kind=Kind.INSTITUTION, name="Newbridge", slug="newbridge", status=Status.PENDING
    )
    MembershipFactory(organisation=pending, user=lecturer, role=MemberRole.OWNER)
    outsider = UserFactory(email="out@example.com", role=Role.UNIVERSITY)
    client.force_login(outsider)
    assert client.get(officers_url(pending)).status_code == 404
    assert client.get(checklist_url(pending)).status_code == 404
    client.force_login(lecturer)
    assert client.get(officers_url(pending)).status_code == 403
    assert client.post(checklist_url(pending), {"text": "X"}).status_code == 403
    assert not ApprovalChecklistItem.objects.filter(institution=pending).exists()


def test_industry_partner_has_no_placement_settings(client, studio_owner, studio):
    client.force_login(studio_owner)
    assert client.get(officers_url(studio)).status_code == 404
    assert client.get(checklist_url(studio)).status_code == 404


# --- Checklist -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", MANAGERS, indirect=True)
def test_managers_see_seeded_defaults(client, persona, university, lecturer):
    client.force_login(persona)
    response = client.get(checklist_url(university))
    assert response.status_code == 200
    body = response.content.decode()
    for text, _low in DEFAULT_CHECKLIST:
        assert escape(str(text)) in body
    assert "Not required for low-risk placements" in body
    assert len(active_texts(university)) == len(DEFAULT_CHECKLIST)


@pytest.mark.parametrize("persona", MANAGERS, indirect=True)
def test_managers_add_and_remove_items(client, persona, university, lecturer):
    client.force_login(persona)
    response = client.post(checklist_url(university), {"text": "DBS check done"})
    assert response.status_code == 302
    assert response["Location"] == checklist_url(university)
    item = ApprovalChecklistItem.objects.get(institution=university, text="DBS check done")
    assert item.required_for_low_risk is False  # checkbox left unticked
    client.post(checklist_url(university), {"text": "Visa", "required_for_low_risk": "on"})
    assert ApprovalChecklistItem.objects.get(text="Visa").required_for_low_risk is True
    assert "DBS check done" in active_texts(university)
    response = client.post(remove_item_url(item))
    assert response.status_code == 302
    assert "DBS check done" not in active_texts(university)
    item.refresh_from_db()
    assert item.is_active is False  # retired, kept for approvals that ticked it


def test_empty_item_keeps_the_form_with_400(client, lecturer, university):
    client.force_login(lecturer)
    response = client.post(checklist_url(university), {"text": "   "})
    assert response.status_code == 400
    response = client.post(checklist_url(university), {"text": "x" * 201})
    assert response.status_code == 400
    assert "x" * 201 in response.content.decode()
    assert not ApprovalChecklistItem.objects.filter(text__startswith="x").exists()


def test_removing_another_institutions_item_is_404(
    client, lecturer, university, other_university, other_officer
):
    theirs = checklist_items(other_university)[0]
    client.force_login(lecturer)
    url = reverse("placements:checklist_remove", args=[university.slug, theirs.pk])
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active is True


def test_checklist_remove_is_post_only(client, lecturer, university):
    item = checklist_items(university)[0]
    client.force_login(lecturer)
    assert client.get(remove_item_url(item)).status_code == 405
    item.refresh_from_db()
    assert item.is_active is True


@pytest.mark.parametrize("persona", REFUSED, indirect=True)
def test_others_are_refused_checklist(client, persona, university, lecturer):
    item = checklist_items(university)[0]
    before = active_texts(university)
    client.force_login(persona)
    assert client.get(checklist_url(university)).status_code == 403
    assert client.post(checklist_url(university), {"text": "Sneaky"}).status_code == 403
    assert client.post(remove_item_url(item)).status_code == 403
    assert active_texts(university) == before


def test_anonymous_cannot_change_the_checklist(client, university):
    item = checklist_items(university)[0]
    response = client.post(checklist_url(university), {"text": "Sneaky"})
    assert response.status_code == 302 and "login" in response["Location"]
    response = client.post(remove_item_url(item))
    assert response.status_code == 302 and "login" in response["Location"]
    assert len(active_texts(university)) == len(DEFAULT_CHECKLIST)


# --- Links -----------------------------------------------------------------------------------


def test_people_page_links_managers_of_institutions(client, lecturer, colleague, university):
    client.force_login(lecturer)
    body = client.get(reverse("organisations:people", args=[university.slug])).content.decode()
    assert officers_url(university) in body and checklist_url(university) in body
    client.force_login(colleague)
    body = client.get(reverse("organisations:people", args=[university.slug])).content.decode()
    assert officers_url(university) not in body


def test_people_page_of_a_studio_has_no_placement_settings(client, studio_owner, studio):
    client.force_login(studio_owner)
    body = client.get(reverse("organisations:people", args=[studio.slug])).content.decode()
    assert "/placements/institutions/" not in body


def test_officer_page_links_the_settings_for_managers(client, officer, university):
    client.force_login(officer)
    body = client.get(reverse("placements:officer")).content.decode()
    assert officers_url(university) in body and checklist_url(university) in body
